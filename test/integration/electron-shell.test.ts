import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeEach, describe, expect, test, vi } from 'vitest'
import { CSP, denyPermission, lockNavigation, mainWindowOptions, withCsp } from '../../src-main/electron/window'
import { fakeElectron, type FakeElectron } from '../helpers/fake-electron'

/**
 * The desktop shell's own code (main.ts, preload.ts, window.ts) run against a fake `electron` module: the window's
 * security settings as main.ts passes them, the single-instance lock, navigation and new windows blocked, the CSP,
 * the preload's one object. main.ts starts for real otherwise (a core on a temp directory, the portal on loopback).
 */
const holder = vi.hoisted(() => ({ fake: null as FakeElectron | null }))
// The module reads through to the current fake, so each scenario gets a fresh one (vitest keeps the mocked module).
vi.mock('electron', () =>
  Object.fromEntries(
    ['app', 'BrowserWindow', 'ipcMain', 'dialog', 'session', 'shell', 'contextBridge', 'ipcRenderer'].map((k) => [
      k,
      // A function target, so that `new BrowserWindow()` reaches the construct trap.
      new Proxy(function () {}, { get: (_t, p) => Reflect.get(holder.fake!.module[k as keyof FakeElectron['module']], p), construct: (_t, args) => Reflect.construct(holder.fake!.module.BrowserWindow, args) })
    ])
  )
)

/** A fresh main.ts (and a fresh fake electron) for each scenario. */
async function loadMain(opts: { singleInstance: boolean }): Promise<FakeElectron> {
  vi.resetModules()
  const fake = (holder.fake = fakeElectron())
  fake.state.singleInstance = opts.singleInstance
  await import('../../src-main/electron/main')
  return fake
}

const until = async (check: () => boolean, what: string) => {
  for (let i = 0; i < 600 && !check(); i++) await new Promise((r) => setTimeout(r, 50))
  if (!check()) throw new Error(`timed out waiting for ${what}`)
}

const env = { ...process.env }
const dataDir = mkdtempSync(join(tmpdir(), 'ribambelle-shell-'))
beforeEach(() => {
  process.env.RIBAMBELLE_DATA_DIR = dataDir
  process.env.RIBAMBELLE_PORTAL_PORT = '0'
  process.env.RIBAMBELLE_PORTAL_HOST = '127.0.0.1'
})
afterAll(() => {
  process.env = env
  rmSync(dataDir, { recursive: true, force: true })
})

describe('window settings (window.ts)', () => {
  test('an isolated, sandboxed renderer without Node, loaded with the preload only', () => {
    const o = mainWindowOptions('/app/out/preload/index.cjs')
    expect(o.webPreferences).toEqual({
      preload: '/app/out/preload/index.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webviewTag: false,
      webSecurity: true
    })
  })

  test('the CSP allows only the app itself: no inline or eval script, no plugin, no framing; it replaces the page’s', () => {
    const directives = Object.fromEntries(CSP.split(';').map((d) => d.trim().split(/\s+/)).map(([k, ...v]) => [k, v]))
    expect(directives['default-src']).toEqual(["'self'"])
    expect(directives['script-src']).toEqual(["'self'"])
    expect(directives['connect-src']).toEqual(["'self'"])
    expect(directives['object-src']).toEqual(["'none'"])
    expect(directives['frame-ancestors']).toEqual(["'none'"])
    expect(directives['base-uri']).toEqual(["'none'"])
    expect(withCsp({ 'content-type': ['text/html'], 'content-security-policy': ["script-src *"] })).toEqual({ 'content-type': ['text/html'], 'Content-Security-Policy': [CSP] })
    expect(withCsp(undefined)).toEqual({ 'Content-Security-Policy': [CSP] })
  })

  test('no navigation away and no new window; only https links go to the system browser', () => {
    const listeners: Record<string, (e: { preventDefault(): void }, url: string) => void> = {}
    let open: ((d: { url: string }) => { action: string }) | null = null
    const opened: string[] = []
    lockNavigation({ on: (ev, fn) => (listeners[ev] = fn), setWindowOpenHandler: (fn) => void (open = fn) }, (u) => opened.push(u))
    let prevented = 0
    listeners['will-navigate']({ preventDefault: () => void prevented++ }, 'https://evil.example/')
    expect(prevented).toBe(1)
    for (const url of ['https://www.service-public.fr/', 'http://example.org/', 'file:///etc/passwd', 'javascript:alert(1)']) expect(open!({ url })).toEqual({ action: 'deny' })
    expect(opened).toEqual(['https://www.service-public.fr/'])
    const grants: boolean[] = []
    denyPermission({}, 'media', (g) => grants.push(g))
    expect(grants).toEqual([false])
  })
})

describe('main.ts with the fake electron', () => {
  test('a second instance hands over to the first and quits: no window, no database opened', async () => {
    const fake = await loadMain({ singleInstance: false })
    fake.ready()
    await new Promise((r) => setTimeout(r, 50))
    expect(fake.calls.lockRequests).toBe(1)
    expect(fake.calls.quit).toBe(1)
    expect(fake.windows).toEqual([])
    expect(fake.handlers.size).toBe(0)
  })

  test('the first instance opens one window with the locked-down settings, the CSP and the IPC channels', async () => {
    const fake = await loadMain({ singleInstance: true })
    expect(fake.calls.lockRequests).toBe(1)
    fake.ready()
    await until(() => fake.windows.some((w) => w.loaded !== null) || fake.calls.errorBoxes.length > 0, 'the window to load')
    expect(fake.calls.errorBoxes).toEqual([])
    expect(fake.windows).toHaveLength(1)
    const [win] = fake.windows
    // What main.ts passes to BrowserWindow, checked value by value (not only "equals mainWindowOptions").
    expect(win.options.webPreferences.contextIsolation).toBe(true)
    expect(win.options.webPreferences.sandbox).toBe(true)
    expect(win.options.webPreferences.nodeIntegration).toBe(false)
    expect(win.options.webPreferences.webSecurity).toBe(true)
    expect(win.options.webPreferences.preload).toMatch(/preload[/\\]index\.cjs$/)
    expect(win.options).toEqual(mainWindowOptions(win.options.webPreferences.preload))
    expect(win.loaded).toMatch(/renderer[/\\]index\.html$/)
    expect([...fake.handlers.keys()]).toEqual(['ribambelle:call', 'ribambelle:save-file', 'ribambelle:live-start', 'ribambelle:live-stop'])

    // Every response gets the CSP; every permission is refused.
    let headers: Record<string, string[]> | undefined
    fake.state.headersHook!({ responseHeaders: { 'content-security-policy': ['default-src *'] } }, (r) => (headers = r.responseHeaders))
    expect(headers).toEqual({ 'Content-Security-Policy': [CSP] })
    const grants: boolean[] = []
    fake.state.permissionHook!({}, 'geolocation', (g: boolean) => grants.push(g))
    expect(grants).toEqual([false])

    // The window's contents were locked when created: no navigation, no new window.
    let prevented = false
    for (const fn of win.webContents.listeners.get('will-navigate') ?? []) fn({ preventDefault: () => (prevented = true) }, 'https://evil.example/')
    expect(prevented).toBe(true)
    expect(win.webContents.openHandler!({ url: 'https://evil.example/' })).toEqual({ action: 'deny' })

    // The IPC adapter is wired to this window and to the real core.
    expect(await fake.invoke(win, 'ribambelle:call', 'auth-session', {})).toEqual({ ok: true, data: { user: null, csrfToken: '', stage: null } })

    // A second launch focuses (and restores) the window instead of opening another.
    win.minimized = true
    await fake.emitApp('second-instance')
    expect([win.restored, win.focused, fake.windows.length]).toEqual([1, 1, 1])

    // Closing the last window releases the database (and its lock), then the app exits.
    await fake.emitApp('window-all-closed')
    await until(() => fake.calls.exits.length > 0, 'app.exit')
    expect(fake.calls.exits).toEqual([0])
  })

  test('the preload exposes one object, window.ribambelle, that only forwards to its channels', async () => {
    vi.resetModules()
    const fake = (holder.fake = fakeElectron())
    await import('../../src-main/electron/preload')
    expect([...fake.exposed.keys()]).toEqual(['ribambelle'])
    const bridge = fake.exposed.get('ribambelle') as { call: Function; saveFile: Function; onLive: Function; liveStart: Function; liveStop: Function; platform: string }
    expect(Object.keys(bridge).sort()).toEqual(['call', 'liveStart', 'liveStop', 'onLive', 'platform', 'saveFile'])
    await bridge.call('families-search', { query: 'a' })
    await bridge.saveFile('a.xlsx', new Uint8Array([1]))
    await bridge.liveStart('abcd0123.4')
    await bridge.liveStop()
    expect(fake.invoked).toEqual([
      { channel: 'ribambelle:call', args: ['families-search', { query: 'a' }] },
      { channel: 'ribambelle:save-file', args: ['a.xlsx', new Uint8Array([1])] },
      { channel: 'ribambelle:live-start', args: ['abcd0123.4'] },
      { channel: 'ribambelle:live-stop', args: [] }
    ])
    // Live messages reach the renderer's listener without the IPC event (which would hand it ipcRenderer), until removed.
    const got: unknown[][] = []
    const off = bridge.onLive((...args: unknown[]) => got.push(args))
    const hello = { id: 'abcd0123.4', event: 'hello', data: {} }
    fake.emitRenderer('ribambelle:live', hello)
    off()
    fake.emitRenderer('ribambelle:live', { event: 'resync', data: {} })
    expect(got).toEqual([[hello]])
    expect(fake.rendererListeners.get('ribambelle:live')).toEqual([])
  })
})
