import { defineStore } from 'pinia'
import type { PortalUserDto } from '@shared/contract/portal'
import { call, type Output } from '../api'
import type { PortalRight } from '@shared/portal-rights'

export type HomeData = Output<'home-get'>

/** Who is logged in, the structure's name for the header, and a one-shot notice for the login page. */
export const useSessionStore = defineStore('session', {
  state: () => ({
    user: null as PortalUserDto | null,
    loaded: false,
    home: null as HomeData | null,
    /** The structure's name and website, known before login (the server sends them with every session answer). */
    structure: { name: '', websiteUrl: '' },
    /** Shown once on the next page that reads it (session expired, password reset done…). */
    notice: ''
  }),
  getters: {
    loggedIn: (s) => s.user !== null,
    // Every session answer (logged in or not) carries it: home-get's copy is not needed here.
    structureName: (s) => s.structure.name,
    /** What this adult's login may do (issue 16): the main responsable's may everything. */
    can: (s) => (right: PortalRight) => !!s.user && s.user.rights.includes(right)
  },
  actions: {
    /** Asks the server who we are (also fetches the CSRF token). */
    async load(): Promise<void> {
      const r = await call('auth-session', {})
      this.user = r.user
      this.structure = r.structure
      this.loaded = true
      if (r.user && !this.home) await this.loadHome().catch(() => undefined)
    },
    async loadHome(): Promise<HomeData> {
      this.home = await call('home-get', {})
      return this.home
    },
    async login(login: string, password: string): Promise<PortalUserDto | null> {
      const r = await call('auth-login', { login, password })
      this.user = r.user
      this.structure = r.structure
      this.home = null
      this.loaded = true
      if (r.user) await this.loadHome().catch(() => undefined)
      return r.user
    },
    async logout(): Promise<void> {
      try {
        await call('auth-logout', {})
      } finally {
        this.forget()
        // A fresh anonymous CSRF token for the login form.
        await this.load().catch(() => undefined)
      }
    },
    /** The server no longer knows this session. */
    forget(notice = ''): void {
      this.user = null
      this.home = null
      this.notice = notice
    },
    takeNotice(): string {
      const n = this.notice
      this.notice = ''
      return n
    }
  }
})
