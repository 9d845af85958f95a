import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import type { StaffRole, StaffUserDto } from '@shared/contract'
import { STAFF_ROLE_LABELS } from '@shared/contract/shapes'
import { ApiError, call, type StaffOutput } from '../api'

/**
 * Who is logged in on this device, kept so that a tablet reopened without
 * network still opens Pointage (issue 15 §3). Only the name and role: the
 * server checks the session cookie again at the first call that reaches it.
 */
const OFFLINE_USER = 'ribambelle.offline-user'
function keepUser(u: StaffUserDto | null): void {
  try {
    if (u && !u.mustChangePassword) localStorage.setItem(OFFLINE_USER, JSON.stringify(u))
    else localStorage.removeItem(OFFLINE_USER)
  } catch {
    // Private mode, storage full: offline reopening is just not available.
  }
}
function keptUser(): StaffUserDto | null {
  try {
    return JSON.parse(localStorage.getItem(OFFLINE_USER) ?? 'null') as StaffUserDto | null
  } catch {
    return null
  }
}

/** The logged-in staff member. The server is the authority on roles; these helpers only hide what would be refused. */
export const useSessionStore = defineStore('session', () => {
  const user = ref<StaffUserDto | null>(null)
  const structureName = ref('')
  const loaded = ref(false)
  /** Set when the server reported an expired session, so the login screen can say why. */
  const expiredMessage = ref('')
  /** The password was right; the second factor's code is awaited (the login screen asks for it). */
  const awaitingCode = ref(false)
  /** This computer requires a second factor this user has not set up: setting it up is all the session allows. */
  const mustSetUpTwoFactor = ref(false)

  const loggedIn = computed(() => user.value !== null)
  const role = computed<StaffRole | null>(() => user.value?.role ?? null)
  const roleLabel = computed(() => (user.value ? STAFF_ROLE_LABELS[user.value.role] : ''))
  const mustChangePassword = computed(() => user.value?.mustChangePassword ?? false)

  function hasRole(roles: readonly StaffRole[] | undefined): boolean {
    if (!user.value) return false
    return !roles || roles.includes(user.value.role)
  }

  async function loadStructureName(): Promise<void> {
    if (!user.value || user.value.mustChangePassword) return
    try {
      structureName.value = (await call('structure-get', {})).name
    } catch {
      // The top bar falls back to the product name.
    }
  }

  function take(r: StaffOutput<'auth-session'>): void {
    user.value = r.user
    awaitingCode.value = r.stage === 'second-factor'
    mustSetUpTwoFactor.value = r.stage === 'two-factor-setup'
    // Only a whole session is kept for offline reopening, never one halfway through its second factor.
    keepUser(awaitingCode.value || mustSetUpTwoFactor.value ? null : r.user)
  }

  /** Asks the server who we are (also fetches the CSRF token). */
  async function refresh(): Promise<void> {
    let r
    try {
      r = await call('auth-session', {})
    } catch (e) {
      // No network (a tablet in a room without WiFi): the last user of this device, until the server answers again.
      const kept = e instanceof ApiError && e.status === 0 ? keptUser() : null
      if (!kept) throw e
      user.value = kept
      loaded.value = true
      return
    }
    take(r)
    loaded.value = true
    if (!mustSetUpTwoFactor.value) await loadStructureName()
  }

  async function login(loginName: string, password: string): Promise<void> {
    take(await call('auth-login', { login: loginName, password }))
    expiredMessage.value = ''
    if (user.value && !mustSetUpTwoFactor.value) await loadStructureName()
  }

  /** The second step of a login: the authenticator app's code, or a recovery code. */
  async function secondFactor(code: string): Promise<void> {
    take(await call('auth-second-factor', { code }))
    await loadStructureName()
  }

  /** Back to the password (« Utiliser un autre compte »): the half-open login is closed. */
  async function cancelLogin(): Promise<void> {
    await logout()
  }

  async function logout(): Promise<void> {
    try {
      await call('auth-logout', {})
    } finally {
      user.value = null
      awaitingCode.value = false
      mustSetUpTwoFactor.value = false
      keepUser(null)
      // New anonymous CSRF token for the next login.
      await call('auth-session', {}).catch(() => undefined)
    }
  }

  async function changePassword(current: string, next: string): Promise<void> {
    await call('auth-change-password', { current, next })
    await refresh()
  }

  function sessionExpired(message: string): void {
    user.value = null
    awaitingCode.value = false
    mustSetUpTwoFactor.value = false
    keepUser(null)
    expiredMessage.value = message
  }

  return {
    user,
    structureName,
    loaded,
    expiredMessage,
    awaitingCode,
    mustSetUpTwoFactor,
    loggedIn,
    role,
    roleLabel,
    mustChangePassword,
    hasRole,
    refresh,
    login,
    secondFactor,
    cancelLogin,
    logout,
    changePassword,
    sessionExpired
  }
})
