import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { FastifyInstance } from 'fastify'
import { staffProcedures } from '@shared/contract'
import { sha256 } from '../../src-main/accounts/tokens'
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
  test('registers the two channels of the preload, and a call dispatches through the same contract as HTTP', async () => {
    expect([...fake.handlers.keys()]).toEqual(['ribambelle:call', 'ribambelle:save-file'])
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
})
