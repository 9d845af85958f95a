import { createRouter, createWebHashHistory } from 'vue-router'
import { useSessionStore } from './stores/session'
import { routes } from './routes'
import AppLayout from './layout/AppLayout.vue'

/** Hash history: Electron loads the app from file://, where path URLs would not resolve. */
export const router = createRouter({
  history: createWebHashHistory(),
  routes: [
    { path: '/connexion', name: 'login', component: () => import('./views/LoginView.vue'), meta: { title: 'Connexion', public: true } },
    { path: '/mot-de-passe', name: 'change-password', component: () => import('./views/ChangePasswordView.vue'), meta: { title: 'Changement de mot de passe' } },
    { path: '/double-authentification', name: 'two-factor', component: () => import('./views/TwoFactorView.vue'), meta: { title: 'Double authentification' } },
    { path: '/', component: AppLayout, children: routes },
    { path: '/:pathMatch(.*)*', redirect: '/' }
  ],
  scrollBehavior: () => ({ top: 0 })
})

router.beforeEach(async (to) => {
  const session = useSessionStore()
  if (!session.loaded) {
    // Server unreachable: the login screen will show the error when the user tries.
    await session.refresh().catch(() => undefined)
  }
  if (to.meta.public) {
    if (to.name === 'login' && session.loggedIn) return { name: session.mustChangePassword ? 'change-password' : session.mustSetUpTwoFactor ? 'two-factor' : 'home' }
    return true
  }
  if (!session.loggedIn) return { name: 'login', query: to.fullPath !== '/' ? { redirect: to.fullPath } : {} }
  // A new password first, then the second factor this computer requires: nothing else until both are done.
  if (session.mustChangePassword && to.name !== 'change-password') return { name: 'change-password' }
  if (!session.mustChangePassword && session.mustSetUpTwoFactor && to.name !== 'two-factor') return { name: 'two-factor' }
  if (!session.hasRole(to.meta.roles)) return { name: 'home' }
  return true
})

router.afterEach((to) => {
  document.title = to.meta.title ? `${to.meta.title} — Ribambelle` : 'Ribambelle'
})
