import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test as base, expect, request as playwrightRequest, type Page } from '@playwright/test'
import AxeBuilder from '@axe-core/playwright'
import { simpleParser, type ParsedMail } from 'mailparser'
import { SMTPServer } from 'smtp-server'

export interface RunningApp {
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
 * Starts the built headless app on a fresh demo database, with e-mails going to a loopback SMTP server of the test
 * (`mails`), or, with `builtInCatcher`, to the demo's own catcher (the « Boîte de démonstration »; `mails` stays empty).
 */
export async function startApp(opts: { builtInCatcher?: boolean } = {}): Promise<RunningApp & { stop(): Promise<void> }> {
  const mails: ParsedMail[] = []
  const smtp = opts.builtInCatcher ? null : await startSmtp(mails)
  const dataDir = mkdtempSync(join(tmpdir(), 'ribambelle-e2e-'))
  const child: ChildProcess = spawn(process.execPath, ['out/main/headless.js', '--demo'], {
    env: {
      ...process.env,
      RIBAMBELLE_DATA_DIR: dataDir,
      RIBAMBELLE_STAFF_PORT: '0',
      RIBAMBELLE_PORTAL_PORT: '0',
      RIBAMBELLE_PORTAL_HOST: '127.0.0.1',
      RIBAMBELLE_DEMO_SMTP_PORT: smtp ? String(smtp.port) : '',
      RIBAMBELLE_MAIL_INTERVAL_MS: '300'
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
  return {
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

/** Fails on any serious or critical axe-core violation, listing them. */
export async function expectAccessible(page: Page, context = ''): Promise<void> {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze()
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
  await expect(page.getByRole('link', { name: menuLink, exact: true })).toBeVisible()
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

export const test = base.extend<{}, { app: RunningApp }>({
  app: [
    async ({}, use) => {
      const app = await startApp()
      await use(app)
      await app.stop()
    },
    { scope: 'worker', timeout: 90_000 }
  ]
})

export { expect }
