import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test as base, expect, request as playwrightRequest, type Page } from '@playwright/test'
import AxeBuilder from '@axe-core/playwright'
import { simpleParser, type ParsedMail } from 'mailparser'
import { SMTPServer } from 'smtp-server'

export interface RunningApp {
  /** The app's today (Paris) when it started: every date a test needs is reckoned from it, never from the machine's. */
  today: string
  /** The app's current instant (its clock started at the fixture's `appClock` and runs). */
  now(): Date
  staffUrl: string
  portalUrl: string
  dataDir: string
  mails: ParsedMail[]
  /** Waits for an e-mail to `to` whose subject contains `subject`. */
  waitForMail(to: string, subject: string, timeoutMs?: number): Promise<ParsedMail>
}

async function startSmtp(mails: ParsedMail[]): Promise<{ port: number; close(): Promise<void> }> {
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, _session, cb) {
      simpleParser(stream)
        .then((m) => {
          mails.push(m)
          cb()
        })
        .catch(cb)
    }
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const port = (server.server.address() as { port: number }).port
  return { port, close: () => new Promise((r) => server.close(() => r())) }
}

/**
 * The instant the app under test starts on. Fixed, so the suite passes whatever the day it runs (on 2026-12-02 the
 * bookings journey failed on the system clock); RIBAMBELLE_E2E_CLOCK overrides it ("now": the machine's clock), and
 * the date projects of playwright.config.ts replay the journeys at the school year's edges.
 */
export const DEFAULT_APP_CLOCK = '2026-11-23T09:00:00+01:00'

/**
 * Starts the built headless app on a fresh demo database, with e-mails going to a loopback SMTP server of the test
 * (`mails`), or, with `builtInCatcher`, to the demo's own catcher (the « Boîte de démonstration »; `mails` stays empty).
 */
export async function startApp(clock: string, extraEnv: Record<string, string> = {}, opts: { builtInCatcher?: boolean } = {}): Promise<RunningApp & { stop(): Promise<void> }> {
  const mails: ParsedMail[] = []
  const smtp = opts.builtInCatcher ? null : await startSmtp(mails)
  const dataDir = mkdtempSync(join(tmpdir(), 'ribambelle-e2e-'))
  const clockArgs = clock === 'now' ? [] : ['--clock', clock]
  const child: ChildProcess = spawn(process.execPath, ['out/main/headless.js', '--demo', ...clockArgs], {
    env: {
      ...process.env,
      RIBAMBELLE_DATA_DIR: dataDir,
      RIBAMBELLE_STAFF_PORT: '0',
      RIBAMBELLE_PORTAL_PORT: '0',
      RIBAMBELLE_PORTAL_HOST: '127.0.0.1',
      RIBAMBELLE_DEMO_SMTP_PORT: smtp ? String(smtp.port) : '',
      RIBAMBELLE_MAIL_INTERVAL_MS: '300',
      ...extraEnv
    },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let out = ''
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`app did not start:\n${out}`)), 60_000)
    child.stdout!.on('data', (d) => {
      out += d
      if (out.includes('READY')) {
        clearTimeout(t)
        resolve()
      }
    })
    child.stderr!.on('data', (d) => (out += d))
    child.on('exit', (code) => reject(new Error(`app exited (${code}):\n${out}`)))
  })
  const staffUrl = /Back-office : (\S+)/.exec(out)![1]
  const portalUrl = /Portail\s+: (\S+)/.exec(out)![1]
  // The app prints its clock's instant; browsers are put on the same clock (see the `browser` fixture).
  const printed = /Horloge\s+: .* \((\S+)\)/.exec(out)?.[1]
  const offset = printed ? Date.parse(printed) - Date.now() : 0
  const now = () => new Date(Date.now() + offset)
  return {
    today: parisDay(now()),
    now,
    staffUrl,
    portalUrl,
    dataDir,
    mails,
    async waitForMail(to, subject, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs
      for (;;) {
        const m = mails.find((x) => x.subject?.includes(subject) && JSON.stringify(x.to).includes(to))
        if (m) return m
        if (Date.now() > deadline) throw new Error(`no mail "${subject}" to ${to}; got: ${mails.map((x) => x.subject).join(' | ')}`)
        await new Promise((r) => setTimeout(r, 200))
      }
    },
    async stop() {
      child.kill('SIGTERM')
      await new Promise((r) => child.once('exit', r))
      await smtp?.close()
      rmSync(dataDir, { recursive: true, force: true })
    }
  }
}

/** The demo family the portal journeys log in as (src-main/demo/seed.ts). */
export const DEMO_FAMILY = { login: 'aurelie.gerard0@exemple.fr', password: 'demo-famille-2026' } as const

/** Logs the demo family into the portal and waits for its home page. */
export async function familyLogin(page: Page, portalUrl: string): Promise<void> {
  await page.goto(`${portalUrl}/connexion`)
  await page.getByLabel('Identifiant (adresse e-mail)').fill(DEMO_FAMILY.login)
  await page.getByLabel('Mot de passe').fill(DEMO_FAMILY.password)
  await page.getByRole('button', { name: 'Se connecter' }).click()
  await expect(page.getByRole('heading', { name: /^Bienvenue / })).toBeVisible()
}

/**
 * Waits until no finite animation or transition is running. axe measures colour contrast on what is painted: a toast
 * half-way through its fade is a grey on grey that fails, while the same toast at rest passes. Infinite animations
 * (spinners) are left out, or this would never return.
 */
export async function settleAnimations(page: Page): Promise<void> {
  await page.waitForFunction(() =>
    document.getAnimations().every((a) => a.playState !== 'running' || a.effect?.getComputedTiming().endTime === Infinity)
  )
}

/** No transition or animation while axe runs: a toast's 4 s life can end in the middle of a slow analysis. */
const STILL = '*, *::before, *::after { transition: none !important; animation: none !important; }'

/**
 * Fails on any serious or critical axe-core violation, listing them. `exclude`: selectors left out, such as an e-mail
 * shown as sent in a frame sandboxed without scripts (someone else's HTML, where axe cannot run and waits forever).
 */
export async function expectAccessible(page: Page, context = '', exclude: string[] = []): Promise<void> {
  const still = await page.addStyleTag({ content: STILL })
  await settleAnimations(page)
  const builder = new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
  for (const selector of exclude) builder.exclude(selector)
  const results = await builder.analyze().finally(() => still.evaluate((el) => (el as ChildNode).remove()).catch(() => undefined))
  const bad = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
  expect(bad.map((v) => `${context} ${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([])
}

/** A staff API client logged in as the demo direction (the calls the back-office makes), for test set-up. */
/** The demo's staff accounts and passwords (src-main/demo/seed.ts). */
export const STAFF_PASSWORDS = { accueil: 'demo-accueil-2026', direction: 'demo-direction-2026', compta: 'demo-comptable-2026' } as const

/** Logs a demo staff user into the back-office, then waits for a menu link its role sees. */
export async function staffLogin(page: Page, staffUrl: string, who: keyof typeof STAFF_PASSWORDS, menuLink: string): Promise<void> {
  await page.goto(staffUrl)
  await page.getByLabel('Identifiant').fill(who)
  await page.getByLabel('Mot de passe').fill(STAFF_PASSWORDS[who])
  await page.getByRole('button', { name: 'Se connecter' }).click()
  // The main menu's link: the home's tiles link to some of the same lists.
  await expect(page.getByRole('navigation', { name: 'Menu principal' }).getByRole('link', { name: menuLink, exact: true })).toBeVisible()
}

export async function staffApi(staffUrl: string): Promise<{ call: (name: string, input?: unknown) => Promise<any>; dispose(): Promise<void> }> {
  const ctx = await playwrightRequest.newContext({ baseURL: staffUrl })
  let csrf = ''
  const call = async (name: string, input: unknown = {}) => {
    const r = await ctx.post(`/api/staff/${name}`, { data: input, headers: csrf ? { 'x-csrf-token': csrf } : {} })
    const body = await r.json()
    if (!r.ok()) throw new Error(`${name}: ${r.status()} ${JSON.stringify(body)}`)
    if (body && typeof body.csrfToken === 'string') csrf = body.csrfToken
    return body
  }
  await call('auth-session')
  await call('auth-login', { login: 'direction', password: STAFF_PASSWORDS.direction })
  return { call, dispose: () => ctx.dispose() }
}

/** ISO day in Paris of an instant (what the app calls today). */
export function parisDay(d: Date): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris', year: 'numeric', month: '2-digit', day: '2-digit' }).format(d)
}

/** "19/01/2027" of an ISO day, as the UIs show it. */
export const frDate = (iso: string) => `${iso.slice(8)}/${iso.slice(5, 7)}/${iso.slice(0, 4)}`

export const test = base.extend<{}, { app: RunningApp; appClock: string; appEnv: Record<string, string> }>({
  /** Extra environment for the app under test (`test.use({ appEnv })` in a spec gives it its own app). */
  appEnv: [{}, { scope: 'worker', option: true }],
  appClock: [process.env.RIBAMBELLE_E2E_CLOCK ?? DEFAULT_APP_CLOCK, { scope: 'worker', option: true }],
  app: [
    async ({ appClock, appEnv }, use) => {
      const app = await startApp(appClock, appEnv)
      await use(app)
      await app.stop()
    },
    { scope: 'worker', timeout: 90_000 }
  ],
  // Every browser context (the built-in one and those tests open with browser.newContext) runs on the app's clock,
  // from its current instant on: the UIs reckon "today", the planning's first month and the default dates in the page.
  browser: [
    async ({ browser, app }, use) => {
      const newContext = browser.newContext.bind(browser)
      browser.newContext = async (options) => {
        const ctx = await newContext(options)
        await ctx.clock.install({ time: app.now() })
        return ctx
      }
      await use(browser)
    },
    { scope: 'worker' }
  ]
})

export { expect }
