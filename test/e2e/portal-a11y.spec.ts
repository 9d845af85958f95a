import { test, expect, expectAccessible } from './fixtures'

/**
 * axe-core on every portal page: the public ones, then every section reached
 * from the home tiles (so a section added by a later issue is checked as
 * soon as its tile exists). Tagged @phone: also run at 390×844.
 */
const PUBLIC_PAGES = ['/connexion', '/creer-un-compte', '/mot-de-passe-oublie', '/reinitialisation?jeton=jeton-invalide-pour-test', '/invitation?jeton=jeton-invalide-pour-test']

test('public portal pages have no serious or critical axe violation @phone', async ({ app, page }) => {
  for (const path of PUBLIC_PAGES) {
    await page.goto(app.portalUrl + path)
    await expect(page.getByRole('heading', { level: 1 })).toBeVisible()
    // Whose portal this is, before anyone logs in (the demo structure's name).
    await expect(page.getByRole('banner')).toContainText("Maison de l'Enfant de Démo")
    await expectAccessible(page, path)
  }
})

test('every section reachable from the home tiles passes axe @phone', async ({ app, page }) => {
  test.setTimeout(180_000)
  await page.goto(`${app.portalUrl}/connexion`)
  await page.getByLabel('Identifiant (adresse e-mail)').fill('aurelie.gerard0@exemple.fr')
  await page.getByLabel('Mot de passe').fill('demo-famille-2026')
  await page.getByRole('button', { name: 'Se connecter' }).click()
  await expect(page.getByRole('heading', { name: /^Bienvenue / })).toBeVisible()
  await expectAccessible(page, 'accueil')
  const tiles = page.getByRole('main').getByRole('link')
  const hrefs = [...new Set(await tiles.evaluateAll((as) => as.map((a) => a.getAttribute('href') ?? '')))].filter(
    (h) => h.startsWith('/') && h !== '/'
  )
  expect(hrefs.length).toBeGreaterThanOrEqual(5)
  for (const href of hrefs) {
    await page.goto(app.portalUrl + href)
    await expect(page.getByRole('heading', { level: 1 })).toBeVisible()
    // Let data-driven sections finish loading before the scan.
    await page.waitForLoadState('networkidle')
    await expectAccessible(page, href)
  }
  // One login per adult (issue 16): the main responsable sees the household's other login in Mon compte…
  await page.goto(`${app.portalUrl}/mon-compte`)
  await expect(page.getByRole('heading', { name: 'Les adultes du foyer' })).toBeVisible()
  await expect(page.locator('[data-login="second-adulte-famille1@exemple.fr"]')).toContainText('Mehdi')
  await expectAccessible(page, 'mon-compte (adultes du foyer)')
  // …and that login, which may book but not pay, is told why « Payer » is off.
  await page.context().clearCookies()
  await page.goto(`${app.portalUrl}/connexion`)
  await page.getByLabel('Identifiant (adresse e-mail)').fill('second-adulte-famille1@exemple.fr')
  await page.getByLabel('Mot de passe').fill('demo-famille-2026')
  await page.getByRole('button', { name: 'Se connecter' }).click()
  await expect(page.getByRole('heading', { name: /^Bienvenue / })).toBeVisible()
  await page.goto(`${app.portalUrl}/factures`)
  await expect(page.locator('[data-right="pay"]')).toContainText('ne permet pas de payer')
  await expectAccessible(page, 'factures (sans droit de payer)')
})
