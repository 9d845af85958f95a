import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest'
import type { FastifyInstance } from 'fastify'
import { staffProcedures } from '@shared/contract'
import { sha256 } from '../../src-main/accounts/tokens'
import { audit } from '../../src-main/audit/audit'
import { SYSTEM } from '../../src-main/core/actor'
import { registerIpc, safeFileName } from '../../src-main/electron/ipc'
import { staffHandlers } from '../../src-main/rpc/staff-handlers'
import { buildStaffApp } from '../../src-main/server/staff-app'
import { fakeElectron, ipcShellOf, type FakeElectron, type FakeWindow } from '../helpers/fake-electron'
import { openTestCore, seedFamily, seedStaff, type SeededStaff, type TestCore } from '../helpers/core'
import { client, type TestClient } from '../helpers/http'

/**
 * The Electron adapter (src-main/electron/ipc.ts) without Electron's binary: the `electron` pieces it uses are a
 * fake (test/helpers/fake-electron.ts), the rest is real: the core on a SQLite file, the dispatcher, the contract.
 * Each answer is compared with what the HTTP adapter answers for the same call.
 */
let core: TestCore
let fake: FakeElectron
let http: FastifyInstance
let direction: SeededStaff
let animateur: SeededStaff
let w1: FakeWindow
let w2: FakeWindow
let familyName: string
/** Everything the renderers got back, to look for session tokens in. */
const seen: unknown[] = []
const logged: string[] = []

const call = async (w: FakeWindow, name: unknown, input: unknown = {}) => {
  const r = await fake.invoke(w, 'ribambelle:call', name, input)
  seen.push(r)
  return r
}
const login = (w: FakeWindow, who: SeededStaff) => call(w, 'auth-login', { login: who.login, password: who.password })
async function httpAs(who: SeededStaff | null): Promise<TestClient> {
  const c = await client(http, 'staff')
  if (who) await c.loginStaff(who.login, who.password)
  return c
}

beforeAll(async () => {
  core = await openTestCore({ log: (m) => void logged.push(m) })
  direction = await seedStaff(core, 'direction')
  animateur = await seedStaff(core, 'animateur')
  familyName = (await seedFamily(core, { lastName: 'Ipcfamille' })).lastName
  fake = fakeElectron()
  registerIpc(core, ipcShellOf(fake))
  http = await buildStaffApp(core)
  w1 = fake.openWindow()
  w2 = fake.openWindow()
})
afterAll(async () => {
  await http.close()
  await core.cleanup()
})

describe('Electron IPC adapter (fake electron, real core)', () => {
  test('registers the preload’s channels (calls, files, live updates), and a call dispatches through the same contract as HTTP', async () => {
    expect([...fake.handlers.keys()]).toEqual(['ribambelle:call', 'ribambelle:save-file', 'ribambelle:live-start', 'ribambelle:live-stop'])
    const anonymous = await call(w1, 'auth-session')
    expect(anonymous).toEqual({ ok: true, data: { user: null, csrfToken: '', stage: null } })
    const logged = await login(w1, direction)
    expect(logged.ok).toBe(true)
    expect(staffProcedures['auth-login'].output.parse(logged.data)).toEqual(logged.data)
    expect(logged.data.user).toMatchObject({ login: direction.login, role: 'direction' })

    const viaIpc = await call(w1, 'families-search', { query: 'ipcfamille' })
    const viaHttp = await (await httpAs(direction)).call('families-search', { query: 'ipcfamille' })
    expect(viaHttp.status).toBe(200)
    expect(viaIpc).toEqual({ ok: true, data: viaHttp.body })
    expect(viaIpc.data.items.map((f: { name: string }) => f.name).join(' ')).toMatch(new RegExp(familyName, 'i'))
  })

  test('the session is per window: a login in window 1 does not authenticate window 2, nor a logout there end it', async () => {
    await login(w1, direction)
    expect(await call(w2, 'families-search', { query: '' })).toMatchObject({ ok: false, status: 401, error: { code: 'unauthenticated' } })
    expect(await call(w2, 'auth-session')).toEqual({ ok: true, data: { user: null, csrfToken: '', stage: null } })
    expect((await call(w1, 'auth-session')).data.user.role).toBe('direction')

    await login(w2, animateur)
    expect((await call(w2, 'auth-session')).data.user.role).toBe('animateur')
    expect((await call(w1, 'auth-session')).data.user.role).toBe('direction')
    expect(await call(w2, 'auth-logout')).toMatchObject({ ok: true })
    expect((await call(w2, 'auth-session')).data.user).toBeNull()
    expect((await call(w1, 'families-search', { query: '' })).ok).toBe(true)
    // A window the adapter never saw (a new one) starts anonymous too.
    expect((await call(fake.openWindow(), 'auth-session')).data.user).toBeNull()
  })

  test('the session token never reaches the renderer', async () => {
    await login(w1, direction)
    await call(w1, 'auth-session')
    const ids = new Set((await core.ds.query(`SELECT id FROM session`)).map((r: { id: string }) => r.id))
    expect(ids.size).toBeGreaterThan(0)
    // Every string the renderers got, and every token-like piece of them, hashed as the session table stores tokens.
    const strings: string[] = []
    const walk = (v: unknown): void => {
      if (typeof v === 'string') strings.push(v, ...(v.match(/[A-Za-z0-9_-]{16,}/g) ?? []))
      else if (v && typeof v === 'object') Object.values(v).forEach(walk)
    }
    walk(seen)
    expect(strings.length).toBeGreaterThan(10)
    expect(strings.filter((s) => ids.has(sha256(s)))).toEqual([])
  })

  test('refusals come back in the same { ok: false, status, error } shape as over HTTP', async () => {
    await login(w1, direction)
    await login(w2, animateur)
    const anonymousWindow = fake.openWindow()
    const cases: [FakeWindow, SeededStaff | null, string, unknown][] = [
      [anonymousWindow, null, 'families-search', { query: '' }], // 401 unauthenticated
      [w2, animateur, 'facilities-save', { name: 'Nouvel équipement', active: true, sort: 3 }], // 403 forbidden_role
      [w1, direction, 'families-get', { familyId: 'abc' }], // 400 invalid_input, with fields
      [w1, direction, 'families-get', { familyId: 999_999 }], // 404 not_found
      [w1, direction, 'auth-login', { login: direction.login, password: 'pas le bon mot de passe' }] // 401, French message
    ]
    for (const [w, who, name, input] of cases) {
      const ipc = await call(w, name, input)
      const viaHttp = await (await httpAs(who)).call(name, input)
      expect(viaHttp.status, name).toBeGreaterThanOrEqual(400)
      expect(ipc, name).toEqual({ ok: false, status: viaHttp.status, ...viaHttp.body })
    }
    const invalid = await call(w1, 'families-get', { familyId: 'abc' })
    expect(invalid.error.fields).toHaveProperty('familyId')
  })

  test('an unexpected failure is a French 500 like over HTTP; the details go to the log, not to the renderer', async () => {
    const original = staffHandlers['auth-session']
    ;(staffHandlers as Record<string, unknown>)['auth-session'] = async () => {
      throw new Error('SQLITE_IOERR: disk I/O error at /secret/path')
    }
    try {
      const ipc = await call(w1, 'auth-session')
      const viaHttp = await (await httpAs(null)).call('auth-session')
      expect(viaHttp.status).toBe(500)
      expect(ipc).toEqual({ ok: false, status: 500, ...viaHttp.body })
      expect(JSON.stringify(ipc)).not.toContain('SQLITE_IOERR')
      expect(logged.some((l) => l.includes('SQLITE_IOERR'))).toBe(true)
    } finally {
      ;(staffHandlers as Record<string, unknown>)['auth-session'] = original
    }
  })

  test('unknown and non-string procedure names are refused', async () => {
    await login(w1, direction)
    const names: unknown[] = [123, null, undefined, {}, ['auth-session'], '', '__proto__', 'constructor', 'toString', 'hasOwnProperty', 'AUTH-SESSION', 'auth-session ', '../auth-session', 'bookings-planning', 'home-get']
    for (const name of names) {
      expect(await call(w1, name), String(name)).toEqual({ ok: false, status: 404, error: { code: 'unknown_procedure', message: 'Action inconnue.' } })
    }
  })

  describe('save-file', () => {
    const bytes = new Uint8Array([0x50, 0x4b, 3, 4, 0, 255])
    let dir: string
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'ribambelle-save-'))
    })
    afterAll(() => rmSync(dir, { recursive: true, force: true }))

    test('writes the bytes to the file the user picked, and only there', async () => {
      fake.state.saveAs = join(dir, 'journal.xlsx')
      expect(await fake.invoke(w1, 'ribambelle:save-file', 'invoice-journal.xlsx', bytes)).toBe(true)
      expect(fake.calls.saveDialogs.at(-1)).toEqual({ defaultPath: 'invoice-journal.xlsx' })
      expect(readdirSync(dir)).toEqual(['journal.xlsx'])
      expect([...readFileSync(join(dir, 'journal.xlsx'))]).toEqual([...bytes])
      // A Buffer is a Uint8Array: what Electron's structured clone may hand over.
      expect(await fake.invoke(w1, 'ribambelle:save-file', 'b.xlsx', Buffer.from(bytes))).toBe(true)
    })

    test('a suggested name is only a name: folders, "..", control characters are taken out', async () => {
      fake.state.saveAs = null // the user cancels
      for (const [given, shown] of [
        ['../../etc/passwd', '.._.._etc_passwd'],
        ['/home/someone/.bashrc', '_home_someone_.bashrc'],
        ['C:\\Windows\\system.ini', 'C:_Windows_system.ini'],
        ['..', 'fichier'],
        ['', 'fichier'],
        ['relevé\n2027.pdf', 'relevé2027.pdf']
      ]) {
        expect(await fake.invoke(w1, 'ribambelle:save-file', given, bytes)).toBe(false)
        expect(fake.calls.saveDialogs.at(-1), given).toEqual({ defaultPath: shown })
        expect(safeFileName(given)).toBe(shown)
      }
      expect(readdirSync(dir)).toEqual(['journal.xlsx'])
    })

    test('refuses anything but bytes, a non-string name, or a sender without a window, before any dialog', async () => {
      fake.state.saveAs = join(dir, 'should-not-exist.bin')
      const before = fake.calls.saveDialogs.length
      for (const data of ['PK', [0x50, 0x4b], { 0: 0x50 }, null, undefined, 42, new ArrayBuffer(4)]) {
        expect(await fake.invoke(w1, 'ribambelle:save-file', 'x.bin', data)).toBe(false)
      }
      for (const name of [null, 42, { toString: () => 'x.bin' }]) expect(await fake.invoke(w1, 'ribambelle:save-file', name, bytes)).toBe(false)
      expect(await fake.invoke(null, 'ribambelle:save-file', 'x.bin', bytes)).toBe(false)
      expect(fake.calls.saveDialogs.length).toBe(before)
      expect(readdirSync(dir)).not.toContain('should-not-exist.bin')
    })
  })

  describe('live updates over IPC (ribambelle:live)', () => {
    /** What the main process sent to a window on the live channel. */
    const live = (w: FakeWindow) => w.webContents.sent.filter((m) => m.channel === 'ribambelle:live').map((m) => m.args[0] as { id?: string; event: string; data: any })
    const changes = (w: FakeWindow, topic: string) => live(w).filter((m) => m.event === 'change' && m.data.topic === topic)
    /** A committed change of `entity` #id, as any audited state change announces it (the transaction helper publishes after COMMIT). */
    const commit = (entity: string, entityId: number, beforeCommit?: () => void) =>
      core.tx.run(async (m) => {
        await audit(m, SYSTEM, core.clock.now(), { action: `${entity}-test`, entity, entityId })
        beforeCommit?.()
      })
    let anim: FakeWindow
    let dir: FakeWindow

    beforeAll(async () => {
      anim = fake.openWindow()
      dir = fake.openWindow()
      await login(anim, animateur)
      await login(dir, direction)
    })

    test('no session, no stream: a 401 like GET /api/staff/events, and nothing subscribed', async () => {
      const before = core.live.subscribers
      expect(await fake.invoke(fake.openWindow(), 'ribambelle:live-start', '')).toEqual({ ok: false, status: 401, error: { code: 'unauthenticated', message: expect.stringMatching(/session/i) } })
      expect(core.live.subscribers).toBe(before)
    })

    test('post-commit and role-scoped: each window hears what its role may, after COMMIT, never after a rollback', async () => {
      expect(await fake.invoke(anim, 'ribambelle:live-start', '')).toEqual({ ok: true })
      expect(await fake.invoke(dir, 'ribambelle:live-start', '')).toEqual({ ok: true })
      for (const w of [anim, dir]) expect(live(w)).toEqual([{ id: core.live.lastId, event: 'hello', data: {} }])

      await commit('payment', 4242, () => expect(changes(dir, 'billing')).toEqual([]))
      await commit('request', 77)
      await expect(commit('request', 999_999, () => { throw new Error('rolled back') })).rejects.toThrow('rolled back')
      expect(changes(dir, 'billing').map((m) => m.data.ids)).toEqual([[4242]])
      for (const w of [anim, dir]) expect(changes(w, 'requests').map((m) => m.data.ids)).toEqual([[77]])
      // The animateur may call no billing procedure: no billing event reaches that window.
      expect(live(anim).map((m) => m.data.topic)).not.toContain('billing')
      // The same message as the SSE stream's: its id, and data { topic, at, ids }.
      expect(changes(dir, 'requests')[0]).toEqual({ id: expect.stringMatching(/^[0-9a-f]{8}\.\d+$/), event: 'change', data: { topic: 'requests', at: expect.any(Number), ids: [77] } })
    })

    test('resume: a window that starts again from its last id gets what it missed, an unknown id gets « resync »', async () => {
      const lastSeen = live(dir).at(-1)!.id!
      expect(await fake.invoke(dir, 'ribambelle:live-stop')).toBe(true)
      await commit('request', 78)
      expect(changes(dir, 'requests').map((m) => m.data.ids)).not.toContainEqual([78])
      const sent = live(dir).length
      expect(await fake.invoke(dir, 'ribambelle:live-start', lastSeen)).toEqual({ ok: true })
      expect(live(dir).slice(sent).map((m) => [m.event, m.data.ids])).toEqual([['change', [78]]])

      // A reload starts again without an id (hello), and replaces the window's stream rather than adding one.
      const subscribers = core.live.subscribers
      expect(await fake.invoke(dir, 'ribambelle:live-start', '')).toEqual({ ok: true })
      expect(await fake.invoke(dir, 'ribambelle:live-start', 'deadbeef.3')).toEqual({ ok: true })
      expect(core.live.subscribers).toBe(subscribers)
      expect(live(dir).slice(-2).map((m) => m.event)).toEqual(['hello', 'resync'])
      await commit('request', 79)
      expect(changes(dir, 'requests').filter((m) => m.data.ids[0] === 79)).toHaveLength(1)
    })

    test('a session ended (logout) sends « session-ended » and ends the stream; a closed window is unsubscribed', async () => {
      const subscribers = core.live.subscribers
      expect(await call(anim, 'auth-logout')).toMatchObject({ ok: true })
      expect(live(anim).at(-1)).toEqual({ event: 'session-ended', data: {} })
      expect(core.live.subscribers).toBe(subscribers - 1)
      await commit('request', 80)
      expect(changes(anim, 'requests').map((m) => m.data.ids[0])).not.toContain(80)

      dir.webContents.destroy()
      expect(core.live.subscribers).toBe(subscribers - 2)
      // A commit after the window closed sends nothing (and throws nothing).
      await commit('request', 81)
      expect(changes(dir, 'requests').map((m) => m.data.ids[0])).not.toContain(81)
    })

    test('the back-office in the window (live.ts) follows the stream through the bridge: screens refresh, the counters stop polling', async () => {
      const w = fake.openWindow()
      await login(w, direction)
      // The preload's object, wired to this window as preload.ts wires ipcRenderer (its own test: electron-shell.test.ts).
      const listeners = new Set<(m: unknown) => void>()
      const send = w.webContents.send
      w.webContents.send = (channel, ...args) => {
        send(channel, ...args)
        if (channel === 'ribambelle:live') for (const l of listeners) l(args[0])
      }
      const bridge = {
        call: (name: string, input: unknown) => fake.invoke(w, 'ribambelle:call', name, input),
        saveFile: async () => false,
        onLive: (l: (m: unknown) => void) => (listeners.add(l), () => void listeners.delete(l)),
        liveStart: (lastId: string) => fake.invoke(w, 'ribambelle:live-start', lastId),
        liveStop: () => fake.invoke(w, 'ribambelle:live-stop'),
        platform: 'linux'
      }
      ;(globalThis as { window?: unknown }).window = { ribambelle: bridge }
      try {
        // Renderer code is type-checked by tsconfig.web.json, not this project's: imported by a path TypeScript does not follow.
        const rendererLive = '../../src-renderer/backoffice/src/live'
        const { startLive, stopLive, onLive, liveStatus } = (await import(/* @vite-ignore */ rendererLive)) as {
          startLive(ended: () => void): void
          stopLive(): void
          onLive(topics: string[], h: (e: unknown) => void): () => void
          liveStatus: { value: string }
        }
        const heard: unknown[] = []
        const off = onLive(['requests'], (e) => heard.push(e))
        let ended = 0
        startLive(() => void ended++)
        await vi.waitFor(() => expect(liveStatus.value).toBe('open'))
        await commit('request', 90)
        await commit('payment', 91)
        expect(heard).toEqual([{ topic: 'requests', at: expect.any(Number), ids: [90] }])
        // Logged out elsewhere: the screen is told (it goes to the login page), the stream stops.
        const subscribers = core.live.subscribers
        await core.ds.query(`DELETE FROM session WHERE user_id = ?`, [direction.id])
        core.live.publish([{ topic: 'sessions' }])
        expect(ended).toBe(1)
        expect(liveStatus.value).toBe('off')
        expect(listeners.size).toBe(0)
        expect(core.live.subscribers).toBe(subscribers - 1)
        off()
        stopLive()
      } finally {
        delete (globalThis as { window?: unknown }).window
      }
    })
  })
})
