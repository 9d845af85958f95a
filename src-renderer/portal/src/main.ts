import { createApp } from 'vue'
import { createPinia } from 'pinia'
import PrimeVue from 'primevue/config'
import 'primeicons/primeicons.css'
import App from './App.vue'
import { setApiListeners } from './api'
import { vStackTable } from './stack-table'
// PrimeVue's own strings in French, from the maintained primelocale package.
import { fr as primeVueFr } from 'primelocale/js/fr.js'
import { buildRouter, SESSION_EXPIRED_NOTICE } from './router'
import { useSessionStore } from './stores/session'
import { PortalPreset } from './theme'
import './styles.css'

const app = createApp(App)
const pinia = createPinia()
const router = buildRouter(pinia)
app.directive('stack-table', vStackTable)
app.use(pinia)
app.use(router)
app.use(PrimeVue, {
  locale: primeVueFr,
  // No dark variant: the contrasts were checked for the light scheme only.
  theme: { preset: PortalPreset, options: { darkModeSelector: false } }
})

setApiListeners({
  sessionLost() {
    const session = useSessionStore(pinia)
    if (!session.user) return
    session.forget(SESSION_EXPIRED_NOTICE)
    const here = router.currentRoute.value
    void router.push({ name: 'login', query: here.name && here.name !== 'home' ? { retour: here.fullPath } : {} })
  },
  passwordChangeRequired() {
    const session = useSessionStore(pinia)
    if (session.user) session.user.mustChangePassword = true
    void router.push({ name: 'forced-change' })
  }
})

app.mount('#app')
