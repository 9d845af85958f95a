import { createApp, watch } from 'vue'
import { createPinia } from 'pinia'
import PrimeVue from 'primevue/config'
import ToastService from 'primevue/toastservice'
import ConfirmationService from 'primevue/confirmationservice'
import Tooltip from 'primevue/tooltip'
import 'primeicons/primeicons.css'
import './styles.css'
import App from './App.vue'
// PrimeVue's own strings in French, from the maintained primelocale package.
import { fr as primeVueFr } from 'primelocale/js/fr.js'
import { RibambellePreset } from './theme'
import { router } from './router'
import { onSessionExpired } from './api'
import { useSessionStore } from './stores/session'
import { startLive, stopLive } from './live'

const app = createApp(App)
const pinia = createPinia()
app.use(pinia)
// Dark mode only on explicit request (.app-dark): desk screens stay predictable.
app.use(PrimeVue, { theme: { preset: RibambellePreset, options: { darkModeSelector: '.app-dark' } }, locale: primeVueFr })
app.use(ToastService)
app.use(ConfirmationService)
app.directive('tooltip', Tooltip)

onSessionExpired((e) => {
  const session = useSessionStore(pinia)
  if (!session.loggedIn) return
  session.sessionExpired(e.message)
  const current = router.currentRoute.value
  void router.push({ name: 'login', query: current.meta.public ? {} : { redirect: current.fullPath } })
})

// Live updates while someone is logged in (and past the forced password change); a session ended elsewhere
// (logout, revoked post, account disabled) sends this desk to the login page at once.
const liveSession = useSessionStore(pinia)
watch(
  () => liveSession.loggedIn && !liveSession.mustChangePassword,
  (on) => {
    if (!on) return stopLive()
    startLive(() => {
      if (!liveSession.loggedIn) return
      liveSession.sessionExpired('Votre session a été fermée (déconnexion ou fin de session décidée sur un autre poste). Reconnectez-vous.')
      const current = router.currentRoute.value
      void router.push({ name: 'login', query: current.meta.public ? {} : { redirect: current.fullPath } })
    })
  },
  { immediate: true }
)

// Installable web app (tablets in the rooms): the service worker keeps the app's files for offline Pointage.
// Not in the Electron shell, which has its files on disk.
if (!window.ribambelle && 'serviceWorker' in navigator && import.meta.env.PROD) {
  void import('virtual:pwa-register').then(({ registerSW }) => registerSW({ immediate: true }))
}

app.use(router)
void router.isReady().then(() => app.mount('#app'))
