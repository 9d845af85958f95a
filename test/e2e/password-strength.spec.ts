import { test, expect, expectAccessible, staffLogin } from './fixtures'

/**
 * A guessable password is refused with zxcvbn's reasons in French, shown
 * under the field: in the portal (the client check, which is the server's own
 * policy) and in the back-office (the server's answer).
 */
const WHY = /Ce mot de passe est trop facile à deviner\. Les lignes droites de touches de votre clavier sont faciles à deviner\./

test('the portal password change explains in French why azertyuiopqs is refused @phone', async ({ app, page, browser }) => {
  await page.goto(`${app.portalUrl}/connexion`)
  await page.getByLabel('Identifiant (adresse e-mail)').fill('aurelie.gerard0@exemple.fr')
  await page.getByLabel('Mot de passe').fill('demo-famille-2026')
  await page.getByRole('button', { name: 'Se connecter' }).click()
  await expect(page.getByRole('heading', { name: /^Bienvenue / })).toBeVisible()
  await page.goto(`${app.portalUrl}/mon-compte`)
  await page.getByLabel('Mot de passe actuel').fill('demo-famille-2026')
  await page.getByLabel('Nouveau mot de passe', { exact: true }).fill('azertyuiopqs')
  await page.getByLabel('Confirmation du nouveau mot de passe').fill('azertyuiopqs')
  await page.getByRole('button', { name: 'Modifier le mot de passe' }).click()
  const field = page.getByLabel('Nouveau mot de passe', { exact: true })
  // Next to the field, announced with it (aria-describedby), and the field is focused for correction.
  await expect(field).toHaveAccessibleDescription(WHY)
  await expect(field).toHaveAttribute('aria-invalid', 'true')
  await expect(field).toBeFocused()
  await expect(page.locator('.field--invalid')).toContainText('Ajoutez des mots moins courants.')
  await expectAccessible(page, 'mon-compte, mot de passe refusé')
  // Nothing was changed: the demo password still logs in elsewhere.
  const other = await browser.newPage()
  await other.goto(`${app.portalUrl}/connexion`)
  await other.getByLabel('Identifiant (adresse e-mail)').fill('aurelie.gerard0@exemple.fr')
  await other.getByLabel('Mot de passe').fill('demo-famille-2026')
  await other.getByRole('button', { name: 'Se connecter' }).click()
  await expect(other.getByRole('heading', { name: /^Bienvenue / })).toBeVisible()
  await other.close()
})

test('the back-office password change shows the server’s French explanation next to the field', async ({ app, page }) => {
  await staffLogin(page, app.staffUrl, 'direction', "Journal d'audit")
  await page.getByRole('link', { name: 'Mot de passe' }).click()
  await page.getByLabel('Mot de passe actuel').fill('demo-direction-2026')
  await page.getByLabel('Nouveau mot de passe').fill('azertyuiopqs')
  await page.getByLabel('Confirmation du mot de passe').fill('azertyuiopqs')
  await page.getByRole('button', { name: 'Enregistrer le mot de passe' }).click()
  await expect(page.getByLabel('Nouveau mot de passe')).toHaveAccessibleDescription(WHY)
})
