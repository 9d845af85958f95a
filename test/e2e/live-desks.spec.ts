import { request as playwrightRequest, type Browser, type Page } from '@playwright/test'
import { test, expect, staffLogin, type RunningApp, STAFF_PASSWORDS } from './fixtures'

/**
 * Live updates between desks (issue 15 §2): two browser contexts are two
 * desks on the same server; what one does shows on the other within a
 * second, with no reload.
 */

/** Files registration requests through the portal API, as families on their phones would. */
async function registrations(app: RunningApp, tag: string, n: number): Promise<string[]> {
  const ctx = await playwrightRequest.newContext({ baseURL: app.portalUrl, ignoreHTTPSErrors: true })
  const emails: string[] = []
  for (let i = 0; i < n; i++) {
    const session = await (await ctx.post('/api/portal/auth-session', { data: {} })).json()
    const email = `live.${tag}.${i}@exemple.fr`
    const r = await ctx.post('/api/portal/auth-register', {
      data: {
        civility: 'Mme', lastName: `Direct${tag}`, firstName: `Camille${i}`, birthDate: '1985-07-14', phoneMobile: '06 12 34 56 78', phoneHome: '',
        email, address: '3 rue des Écoles', postalCode: '31000', city: 'Démoville', password: 'une phrase de passe assez longue'
      },
      headers: { 'x-csrf-token': session.csrfToken }
    })
    expect(r.status(), await r.text()).toBe(200)
    emails.push(email)
  }
  await ctx.dispose()
  return emails
}

async function desk(browser: Browser, app: RunningApp, who: keyof typeof STAFF_PASSWORDS): Promise<Page> {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } })
  const page = await ctx.newPage()
  await staffLogin(page, app.staffUrl, who, 'File de validation')
  return page
}

const queueBadge = (page: Page) => page.getByTestId('badge-/validation')

test('one desk accepts a request: the other desk’s counter, queue and home drop without a reload', async ({ app, browser }) => {
  const [first, second] = await registrations(app, 'a', 2)
  const accueil = await desk(browser, app, 'accueil')
  const direction = await desk(browser, app, 'direction')
  await direction.getByRole('link', { name: 'File de validation', exact: true }).click()
  await expect(direction.getByRole('row').filter({ hasText: second })).toBeVisible()
  const before = Number(await queueBadge(direction).innerText().then((t) => t.replace(/\D+/g, '')))
  expect(before).toBeGreaterThanOrEqual(2)
  // The count describes the menu link without renaming it.
  await expect(direction.getByRole('link', { name: 'File de validation', exact: true })).toHaveAccessibleDescription(`${before} en attente`)

  await accueil.getByRole('link', { name: 'File de validation', exact: true }).click()
  const row = accueil.getByRole('row').filter({ hasText: first })
  await row.getByRole('button', { name: 'Accepter' }).click()
  await accueil.getByLabel('Créer une nouvelle famille').check()
  await accueil.getByRole('button', { name: "Confirmer l'acceptation" }).click()
  await expect(accueil.getByRole('row').filter({ hasText: first })).toHaveCount(0)
  const acceptedAt = Date.now()

  // The other desk never reloads: its badge, its tab counter and its list follow.
  await expect(queueBadge(direction)).toHaveText(new RegExp(`^${before - 1}(?!\\d)`))
  const delay = Date.now() - acceptedAt
  await expect(direction.getByRole('row').filter({ hasText: first })).toHaveCount(0)
  await expect(direction.getByRole('tab', { name: `En attente (${before - 1})` })).toBeVisible()
  await expect(direction.getByRole('row').filter({ hasText: second })).toBeVisible()
  // A family's new request shows on both desks the same way.
  await registrations(app, 'b', 1)
  await expect(queueBadge(accueil)).toHaveText(new RegExp(`^${before}(?!\\d)`))
  await expect(direction.getByRole('row').filter({ hasText: 'live.b.0@exemple.fr' })).toBeVisible()
  console.log(`live-desks: the other desk's badge updated ${delay} ms after the accepting desk saw its row go`)
  await accueil.context().close()
  await direction.context().close()
})

test('two staff open the same request: the second sees « déjà traitée par Claire Directrice » and cannot decide it again', async ({ app, browser }) => {
  const [email] = await registrations(app, 'c', 1)
  const accueil = await desk(browser, app, 'accueil')
  const direction = await desk(browser, app, 'direction')
  for (const page of [accueil, direction]) {
    await page.getByRole('link', { name: 'File de validation', exact: true }).click()
    await page.getByRole('row').filter({ hasText: email }).getByRole('button', { name: 'Détails' }).click()
  }
  // Sophie has the refusal dialog open, typing a reason, when Claire accepts.
  await accueil.getByRole('row').filter({ hasText: email }).getByRole('button', { name: 'Refuser' }).click()
  await expect(accueil.getByRole('dialog')).toBeVisible()

  await direction.getByRole('row').filter({ hasText: email }).getByRole('button', { name: 'Accepter' }).click()
  await direction.getByLabel('Créer une nouvelle famille').check()
  await direction.getByRole('button', { name: "Confirmer l'acceptation" }).click()
  await expect(direction.getByRole('row').filter({ hasText: email })).toHaveCount(0)

  // Sophie's screen: the dialog is gone, the request with it, and she is told who decided it.
  await expect(accueil.getByRole('alert').filter({ hasText: 'déjà traitée par Claire Directrice' })).toBeVisible()
  await expect(accueil.getByRole('dialog')).toHaveCount(0)
  await expect(accueil.getByRole('row').filter({ hasText: email })).toHaveCount(0)
  await accueil.context().close()
  await direction.context().close()
})
