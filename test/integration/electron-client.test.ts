import { mkdtempSync, rmSync } from 'node:fs'
import { createServer as createHttpsServer } from 'node:https'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, expect, test, vi } from 'vitest'
import { mainWindowOptions } from '../../src-main/electron/window'
import { selfSignedMaterial } from '../../src-main/settings/tls'
import { openTestCore, type TestCore } from '../helpers/core'
import { fakeElectron, type FakeElectron } from '../helpers/fake-electron'
import { buildLanApp } from '../helpers/lan'

/**
 * The Electron app as a client (`--server https://host:port`), main.ts run against the fake `electron` module: the
 * fingerprint is asked in a dialog the first time, the window loads the pinned loopback proxy without the preload,
 * and a server that later shows another certificate stops the app with an error box: no question, no window.
 */
const holder = vi.hoisted(() => ({ fake: null as FakeElectron | null }))
vi.mock('electron', () =>
  Object.fromEntries(
    ['app', 'BrowserWindow', 'ipcMain', 'dialog', 'session', 'shell', 'contextBridge', 'ipcRenderer'].map((k) => [
      k,
      new Proxy(function () {}, { get: (_t, p) => Reflect.get(holder.fake!.module[k as keyof FakeElectron['module']], p), construct: (_t, args) => Reflect.construct(holder.fake!.module.BrowserWindow, args) })
    ])
  )
)

let core: TestCore
let lanApp: FastifyInstance
let url: string
const userData = mkdtempSync(join(tmpdir(), 'ribambelle-electron-client-'))
const impostorTls = mkdtempSync(join(tmpdir(), 'ribambelle-impostor-'))
const argv = [...process.argv]

beforeAll(async () => {
  core = await openTestCore()
  lanApp = await buildLanApp(core, ['127.0.0.0/8'])
  await lanApp.listen({ host: '127.0.0.1', port: 0 })
  url = `https://127.0.0.1:${(lanApp.server.address() as AddressInfo).port}`
})
afterAll(async () => {
  process.argv = argv
  await lanApp.close()
  await core.cleanup()
  rmSync(userData, { recursive: true, force: true })
  rmSync(impostorTls, { recursive: true, force: true })
})

async function launch(args: string[], response: number): Promise<FakeElectron> {
  vi.resetModules()
  const fake = (holder.fake = fakeElectron())
  fake.state.userData = userData
  fake.state.messageBoxResponse = response
  process.argv = [argv[0], 'main.js', ...args]
  await import('../../src-main/electron/main')
  fake.ready()
  for (let i = 0; i < 200 && !fake.windows.some((w) => w.loaded) && fake.calls.errorBoxes.length === 0; i++) await new Promise((r) => setTimeout(r, 25))
  return fake
}

test('first start: the fingerprint in a dialog; confirmed, the window opens the server’s back-office without the preload', async () => {
  const declined = await launch(['--server', url], 0)
  expect(declined.calls.messageBoxes).toHaveLength(1)
  expect(declined.calls.messageBoxes[0].detail).toContain(selfSignedMaterial(core.paths.tlsDir).fingerprint)
  expect(declined.windows).toEqual([])
  expect(declined.calls.errorBoxes[0]).toMatch(/Empreinte non confirmée/)

  const fake = await launch(['--server', url], 1)
  expect(fake.calls.errorBoxes).toEqual([])
  const [win] = fake.windows
  expect(win.loaded).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
  expect(win.options).toEqual(mainWindowOptions(null, `Ribambelle — ${url}`))
  expect(win.options.webPreferences.preload).toBeUndefined()
  const r = await fetch(`${win.loaded}/api/staff/auth-session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })
  expect(r.status).toBe(200)
  await fake.emitApp('window-all-closed')
})

test('remembered without --server; a changed certificate stops the app with both fingerprints and asks nothing', async () => {
  const again = await launch([], 1)
  expect(again.calls.messageBoxes).toEqual([])
  expect(again.windows[0].loaded).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
  await again.emitApp('window-all-closed')

  const port = (lanApp.server.address() as AddressInfo).port
  await lanApp.close()
  const tls = selfSignedMaterial(impostorTls)
  let requests = 0
  const impostor = createHttpsServer({ key: tls.key, cert: tls.cert }, (_q, s) => void (requests++, s.end()))
  await new Promise<void>((r) => impostor.listen(port, '127.0.0.1', r))
  try {
    const fake = await launch([], 1)
    expect(fake.calls.messageBoxes).toEqual([])
    expect(fake.windows).toEqual([])
    expect(fake.calls.errorBoxes).toHaveLength(1)
    expect(fake.calls.errorBoxes[0]).toContain('a changé : connexion refusée')
    expect(fake.calls.errorBoxes[0]).toContain(tls.fingerprint)
    expect(fake.calls.errorBoxes[0]).toContain(selfSignedMaterial(core.paths.tlsDir).fingerprint)
    expect(requests).toBe(0)
  } finally {
    await new Promise((r) => impostor.close(r))
  }
})
