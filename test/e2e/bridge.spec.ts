import { spawn } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { extname, join, normalize } from 'node:path'
import { test as base, expect, type BrowserContext, type Page } from '@playwright/test'
import * as XLSX from 'xlsx'
import { DEFAULT_APP_CLOCK, STAFF_PASSWORDS } from './fixtures'

/**
 * The back-office on the desktop path, in Chromium: the built renderer (out/renderer, served from disk as Electron
 * loads it), `window.ribambelle` injected before it loads as the preload does, and behind it the real IPC adapter
 * on the demo core with the fake electron (bridge-host.ts). Staff log in, search a family, accept a request and
 * save an export through the native "save as" path; nothing ever goes to an HTTP API.
 */

interface BridgeHost {
  ipcUrl: string
  saveDir: string
  now(): Date
}

/** No server behind it: the test hands out the renderer's files, like Electron's file:// load. */
const ORIGIN = 'http://ribambelle.invalid'
const RENDERER = join(__dirname, '..', '..', 'out', 'renderer')

const test = base.extend<{}, { host: BridgeHost }>({
  host: [
    async ({}, use) => {
      const clock = process.env.RIBAMBELLE_E2E_CLOCK && process.env.RIBAMBELLE_E2E_CLOCK !== 'now' ? process.env.RIBAMBELLE_E2E_CLOCK : DEFAULT_APP_CLOCK
      // tsx with the node tsconfig: TypeORM's legacy decorators (the root one includes no file, so tsx would ignore it).
      const child = spawn(process.execPath, ['--import', 'tsx', 'test/e2e/bridge-host.ts', '--clock', clock], {
        env: { ...process.env, TSX_TSCONFIG_PATH: 'tsconfig.node.json' },
        stdio: ['ignore', 'pipe', 'pipe']
      })
      let out = ''
      await new Promise<void>((resolve, reject) => {
        child.stdout!.on('data', (d) => {
          out += d
          if (out.includes('READY')) resolve()
        })
        child.stderr!.on('data', (d) => (out += d))
        child.on('exit', (code) => reject(new Error(`bridge host exited (${code}):\n${out}`)))
      })
      const offset = Date.parse(/NOW (\S+)/.exec(out)![1]) - Date.now()
      await use({ ipcUrl: /IPC (\S+)/.exec(out)![1], saveDir: /SAVE (\S+)/.exec(out)![1], now: () => new Date(Date.now() + offset) })
      child.kill('SIGTERM')
      await new Promise((r) => child.once('exit', r))
    },
    { scope: 'worker', timeout: 120_000 }
  ]
})

/** Opens a desktop window: its own webContents id on the host, the preload's object, the app's clock. */
async function openWindow(ctx: BrowserContext, host: BridgeHost, windowId: number): Promise<Page> {
  const page = await ctx.newPage()
  await page.exposeBinding('__ribambelleIpc', async (_source, channel: string, args: unknown[], bytes?: string) => {
    const r = await fetch(host.ipcUrl, { method: 'POST', body: JSON.stringify({ window: windowId, channel, args, bytes }) })
    if (!r.ok) throw new Error(await r.text())
    return (await r.json()).result
  })
  await page.addInitScript(() => {
    type Ipc = (channel: string, args: unknown[], bytes?: string) => Promise<unknown>
    const ipc = (window as unknown as { __ribambelleIpc: Ipc }).__ribambelleIpc
    const base64 = (data: Uint8Array) => {
      let s = ''
      for (let i = 0; i < data.length; i += 0x8000) s += String.fromCharCode(...data.subarray(i, i + 0x8000))
      return btoa(s)
    }
    // What preload.ts exposes through contextBridge: one frozen object, no ipcRenderer.
    Object.defineProperty(window, 'ribambelle', {
      value: Object.freeze({
        call: (name: string, input: unknown) => ipc('ribambelle:call', [name, input]),
        saveFile: (name: string, data: Uint8Array) => (data instanceof Uint8Array ? ipc('ribambelle:save-file', [name, null], base64(data)) : ipc('ribambelle:save-file', [name, data])),
        platform: 'linux'
      })
    })
  })
  return page
}

test('the back-office over window.ribambelle: login, search, accept a request, save an export natively', async ({ browser, host }) => {
  test.setTimeout(120_000)
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 }, acceptDownloads: true })
  await ctx.clock.install({ time: host.now() })
  const httpApi: string[] = []
  await ctx.route(`${ORIGIN}/**`, async (route) => {
    const path = new URL(route.request().url()).pathname
    if (path.startsWith('/api/')) {
      httpApi.push(path)
      return route.fulfill({ status: 404, json: { error: { code: 'no_http', message: 'Pas d’API HTTP dans l’application de bureau.' } } })
    }
    const file = normalize(join(RENDERER, path === '/' ? 'index.html' : decodeURIComponent(path)))
    if (!file.startsWith(RENDERER) || !existsSync(file)) return route.fulfill({ status: 404, body: '' })
    return route.fulfill({ path: file, contentType: extname(file) === '.js' ? 'text/javascript' : undefined })
  })
  const errors: string[] = []
  const downloads: string[] = []
  const page = await openWindow(ctx, host, 1)
  page.on('pageerror', (e) => errors.push(e.message))
  page.on('download', (d) => downloads.push(d.suggestedFilename()))

  // Log in (the session stays in the main process: the page holds no cookie and no token).
  await page.goto(`${ORIGIN}/`)
  await page.getByLabel('Identifiant').fill('direction')
  await page.getByLabel('Mot de passe').fill(STAFF_PASSWORDS.direction)
  await page.getByRole('button', { name: 'Se connecter' }).click()
  await expect(page.getByRole('link', { name: 'Familles', exact: true })).toBeVisible()
  expect(await ctx.cookies()).toEqual([])

  // Another window of the app is not logged in by this one's login.
  const second = await openWindow(ctx, host, 2)
  await second.goto(`${ORIGIN}/`)
  await expect(second.getByRole('button', { name: 'Se connecter' })).toBeVisible()
  await second.close()

  // Search a family.
  await page.getByRole('link', { name: 'Familles', exact: true }).click()
  await page.getByLabel('Rechercher une famille').fill('aurelie.gerard0')
  await expect(page.getByText(/^1 famille trouvée\.$/)).toBeVisible()
  await expect(page.getByRole('row').filter({ hasText: /gérard/i })).toHaveCount(1)

  // Accept a pending registration from the validation queue, as a new family.
  await page.getByRole('link', { name: 'File de validation', exact: true }).click()
  const row = page.getByRole('row').filter({ hasText: 'amelie.nouvelle@exemple.fr' })
  await row.getByRole('button', { name: 'Accepter' }).click()
  await page.getByLabel('Créer une nouvelle famille').check()
  await page.getByRole('button', { name: "Confirmer l'acceptation" }).click()
  await expect(page.getByRole('row').filter({ hasText: 'amelie.nouvelle@exemple.fr' })).toHaveCount(0)
  await page.getByRole('link', { name: 'Familles', exact: true }).click()
  await page.getByLabel('Rechercher une famille').fill('amelie.nouvelle')
  await expect(page.getByText(/^1 famille trouvée\.$/)).toBeVisible()

  // Save an export: the bytes go to the native "save as" (saveFile), not to a browser download.
  await page.getByRole('link', { name: 'Facturation', exact: true }).click()
  await page.getByRole('link', { name: 'Exports comptables' }).click()
  await page.getByRole('button', { name: 'Télécharger : Journal des factures' }).click()
  await expect.poll(() => readdirSync(host.saveDir)).toEqual([expect.stringMatching(/^1-journal-des-factures-.*\.xlsx$/)])
  const saved = join(host.saveDir, readdirSync(host.saveDir)[0])
  expect(readFileSync(saved).subarray(0, 2).toString()).toBe('PK')
  const sheet = XLSX.readFile(saved).Sheets
  const rows = XLSX.utils.sheet_to_json<Record<string, unknown>>(Object.values(sheet)[0], { header: 1 })
  expect(rows.length, 'the journal lists the demo’s invoices of last month').toBeGreaterThan(2)
  expect(downloads).toEqual([])
  expect(httpApi).toEqual([])
  expect(errors).toEqual([])
  await ctx.close()
})
