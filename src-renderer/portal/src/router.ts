import { nextTick } from 'vue'
import { createRouter, createWebHistory, type Router } from 'vue-router'
import type { Pinia } from 'pinia'
import { routes } from './routes'
import { useSessionStore } from './stores/session'

export const SESSION_EXPIRED_NOTICE = 'Votre session a expiré. Reconnectez-vous pour continuer.'

export function pageTitle(title: string, structureName: string): string {
  return `${title} – ${structureName || 'Portail famille'}`
}

/**
 * History-mode router (the portal listener serves index.html for unknown
 * paths). Guards: public pages vs logged-in pages, and a forced password
 * change before anything else.
 */
export function buildRouter(pinia: Pinia): Router {
  const router = createRouter({
    history: createWebHistory('/'),
    routes,
    scrollBehavior: () => ({ top: 0 })
  })

  router.beforeEach(async (to) => {
    const session = useSessionStore(pinia)
    const wasLoggedIn = session.user !== null
    try {
      // Re-asked before each private page, so a session that ended on the server (idle timeout,
      // password changed elsewhere) is noticed at the next click, not at the next form sent.
      if (!session.loaded || (wasLoggedIn && !to.meta.public)) await session.load()
      if (wasLoggedIn && !session.user) session.forget(SESSION_EXPIRED_NOTICE)
    } catch {
      // Server unreachable: let public pages show; they report the error on submit.
      if (!to.meta.public) return { name: 'login' }
      return true
    }
    if (!session.user) {
      if (to.meta.public) return true
      return { name: 'login', query: to.fullPath !== '/' ? { retour: to.fullPath } : {} }
    }
    if (session.user.mustChangePassword) return to.name === 'forced-change' || to.name === 'reset' ? true : { name: 'forced-change' }
    if (to.name === 'forced-change' || to.meta.guestOnly) return { name: 'home' }
    return true
  })

  let first = true
  router.afterEach((to) => {
    // document.title is kept by App.vue (it also changes when the structure name arrives).
    if (first) {
      first = false
      return
    }
    // The unread count next to « Messagerie » follows the messages read and received (the home page loads its own).
    const session = useSessionStore(pinia)
    if (session.user && !to.meta.public && to.name !== 'home') void session.loadHome().catch(() => undefined)
    // After a client-side navigation, screen readers get no page load: move focus to the new page's title.
    void nextTick(() => {
      const h1 = document.querySelector<HTMLElement>('main h1')
      if (h1) {
        h1.setAttribute('tabindex', '-1')
        h1.focus({ preventScroll: true })
      }
    })
  })
  return router
}
