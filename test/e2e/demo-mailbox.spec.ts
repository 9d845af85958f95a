import { test as base, expect, type Page } from '@playwright/test'
import { DEFAULT_APP_CLOCK, expectAccessible, startApp, staffLogin, type RunningApp } from './fixtures'

/**
 * The demo with its built-in mail catcher (no RIBAMBELLE_DEMO_SMTP_PORT): a
 * family's « Terminer » on the portal sends the recap for real, and the
 * direction reads it in the « Boîte de démonstration » as the family would,
 * then opens the same e-mail from « E-mails envoyés ».
 * The « Terminer » is the portal's own request (`bookings-commit`, sent from
 * the logged-in portal page), so this journey does not depend on the
 * planning grid's layout.
 */
const test = base.extend<{}, { demo: RunningApp & { stop(): Promise<void> } }>({
  demo: [
    async ({}, use) => {
      const app = await startApp(process.env.RIBAMBELLE_E2E_CLOCK ?? DEFAULT_APP_CLOCK, {}, { builtInCatcher: true })
      await use(app)
      await app.stop()
    },
    { scope: 'worker', timeout: 90_000 }
  ]
})

const FAMILY = 'aurelie.gerard0@exemple.fr'
/** The message's own HTML (checked for what it must not do: run scripts), not the back-office's markup. */
const MAIL_FRAME = 'iframe[title^="Contenu de l’e-mail"]'

/** Logs the demo family in, then books the first free bookable cell through the portal's « Terminer » request. */
async function terminerOnPortal(page: Page, portalUrl: string): Promise<void> {
  await page.goto(`${portalUrl}/connexion`)
  await page.getByLabel('Identifiant (adresse e-mail)').fill(FAMILY)
  await page.getByLabel('Mot de passe').fill('demo-famille-2026')
  await page.getByRole('button', { name: 'Se connecter' }).click()
  await expect(page.getByRole('heading', { name: /^Bienvenue / })).toBeVisible()
  const result = await page.evaluate(async () => {
    const post = async (name: string, body: unknown, csrf = '') => {
      const r = await fetch(`/api/portal/${name}`, { method: 'POST', headers: { 'content-type': 'application/json', ...(csrf ? { 'x-csrf-token': csrf } : {}) }, body: JSON.stringify(body) })
      return { status: r.status, body: await r.json() }
    }
    const { csrfToken } = (await post('auth-session', {})).body
    const today = new Date()
    for (let month = 0; month < 6; month++) {
      const from = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth() + month, 1)).toISOString().slice(0, 10)
      const to = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth() + month + 1, 0)).toISOString().slice(0, 10)
      const planning = (await post('bookings-planning', { from, to })).body
      for (const c of planning.children) {
        for (const l of c.lines) {
          const cell = l.cells.find((x: { canAdd: boolean }) => x.canAdd)
          if (cell) return post('bookings-commit', { changes: [{ childId: c.childId, unitId: l.unitId, day: cell.day, op: 'add' }] }, csrfToken)
        }
      }
    }
    return { status: 0, body: 'no free cell' }
  })
  expect(result.status, JSON.stringify(result.body)).toBe(200)
}

test('a « Terminer » on the portal arrives in the Boîte de démonstration, opened as the family reads it', async ({ demo, browser }) => {
  test.setTimeout(240_000)
  const familyCtx = await browser.newContext({ ignoreHTTPSErrors: true })
  await terminerOnPortal(await familyCtx.newPage(), demo.portalUrl)
  await familyCtx.close()

  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } })
  const page = await ctx.newPage()
  const errors: string[] = []
  page.on('pageerror', (e) => errors.push(e.message))
  await staffLogin(page, demo.staffUrl, 'direction', 'Boîte de démonstration')
  await page.getByRole('link', { name: 'Boîte de démonstration' }).click()
  await expect(page.getByRole('heading', { name: 'Boîte de démonstration', level: 1 })).toBeVisible()
  const list = page.getByRole('table', { name: 'E-mails reçus' })
  // The outbox sends every 2 s in the demo and the page refreshes itself.
  const recap = list.getByRole('row').filter({ hasText: FAMILY }).getByRole('button', { name: /Récapitulatif de vos réservations/ })
  await expect(recap).toBeVisible({ timeout: 30_000 })
  await recap.click()

  const reader = page.getByRole('region', { name: 'E-mail ouvert' })
  await expect(reader.getByText(FAMILY)).toBeVisible()
  const frame = reader.locator('iframe')
  // Sandboxed with every capability off: no script can run in a message.
  await expect(frame).toHaveAttribute('sandbox', '')
  const body = page.frameLocator('iframe[title^="Contenu de l’e-mail"]').locator('body')
  await expect(body).toContainText('Récapitulatif de vos réservations')
  await expect(body.locator('table')).toBeVisible()
  await expect(reader.getByRole('heading', { name: 'Pièces jointes (0)' })).toBeVisible()
  await reader.getByRole('button', { name: 'Voir la version texte' }).click()
  await expect(reader.getByLabel(/^Texte de l’e-mail/)).toContainText('Cordialement')
  await expectAccessible(page, 'boîte de démonstration', [MAIL_FRAME])

  // « E-mails envoyés » says where e-mails go, and its row opens the same message.
  await page.getByRole('link', { name: 'E-mails envoyés' }).click()
  await expect(page.getByText('ne sortent pas de cet ordinateur')).toBeVisible()
  await page.getByRole('button', { name: new RegExp(`^Ouvrir l’e-mail « .*Récapitulatif de vos réservations.* » à ${FAMILY}`) }).first().click()
  const dialog = page.getByRole('dialog')
  await expect(dialog.getByText(FAMILY)).toBeVisible()
  await expect(dialog.frameLocator('iframe').locator('body')).toContainText('Récapitulatif de vos réservations')
  await expectAccessible(page, 'e-mail envoyé ouvert', [MAIL_FRAME])
  await page.keyboard.press('Escape')
  await expect(dialog).toHaveCount(0)
  expect(errors).toEqual([])
  await ctx.close()
})
