import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test, expect, expectAccessible, staffLogin } from './fixtures'

const SAMPLE = join(__dirname, '..', 'fixtures', 'noethys', 'Exemple_DATA.dat')

/**
 * #14: the direction imports the shared Noethys sample (preview, commit),
 * finds an imported family by name, then undoes the batch and the family is
 * gone. Second journey: the CSV template, downloaded from the screen, is
 * imported as is and its families are invited to the portal.
 */
test('import the Noethys sample: preview, commit, find a family, undo the batch', async ({ app, page }) => {
  test.setTimeout(120_000)
  const errors: string[] = []
  page.on('pageerror', (e) => errors.push(e.message))
  await staffLogin(page, app.staffUrl, 'direction', 'Imports')
  await page.getByRole('link', { name: 'Imports', exact: true }).click()
  await page.getByRole('link', { name: 'Importer un fichier' }).click()
  await page.getByLabel('Fichier à importer').setInputFiles({ name: 'Exemple_DATA.dat', mimeType: 'application/octet-stream', buffer: readFileSync(SAMPLE) })
  await expect(page.getByTestId('import-format')).toHaveText('Fichier de données Noethys')
  await expect(page.getByLabel('Reprendre les mandats de prélèvement SEPA actifs')).toBeChecked()
  await page.getByRole('button', { name: 'Voir l’aperçu' }).click()

  await expect(page.getByTestId('count-families')).toHaveText('5 Familles')
  await expect(page.getByTestId('count-children')).toHaveText('7 Enfants')
  await expect(page.getByText('version 1.3.4.2, créé le 25/08/2025')).toBeVisible()
  await expect(page.getByRole('cell', { name: 'individus de catégorie Enfant' })).toBeVisible()
  await expect(page.getByText('Aucune ligne refusée.')).toBeVisible()
  await expect(page.getByRole('cell', { name: 'MARTIN Pierre et Sophie' })).toBeVisible()
  await expectAccessible(page, 'aperçu Noethys')
  await page.getByRole('button', { name: 'Importer 5 familles' }).click()
  const done = page.getByRole('status').filter({ hasText: /Import n° \d+ enregistré : 5 familles créées\./ })
  await expect(done).toBeVisible()
  const batchId = /Import n° (\d+)/.exec((await done.textContent())!)![1]

  // The family is found by its name in the family search, with the « informations importées ».
  await page.getByRole('link', { name: 'Familles', exact: true }).click()
  await page.getByLabel('Rechercher une famille').fill('Dubois Nicolas')
  // The search has settled (the list keeps it in the address) before the family is opened.
  await expect(page.getByText(/^1 famille trouvée\.$/)).toBeVisible()
  const row = page.getByRole('row').filter({ hasText: 'nicolas.dubois@example.org' })
  await row.getByRole('link').first().click()
  await expect(page).toHaveURL(/#\/familles\/\d+/)
  await expect(page.getByText(/^Informations importées \(Noethys, fichier « Exemple_DATA\.dat », lot n° \d+/)).toBeVisible()
  await expect(page.getByText('Mandat RUM-F000004-01 : Mandat fictif', { exact: false })).toBeVisible()

  // Undo: nothing was built on it, so it goes, and the family with it.
  await page.getByRole('link', { name: 'Imports', exact: true }).click()
  await page.getByRole('link', { name: `Détails du lot n° ${batchId}` }).click()
  await expect(page.getByRole('heading', { name: `Lot d’import n° ${batchId}` })).toBeVisible()
  await page.getByRole('button', { name: 'Annuler cet import' }).click()
  await page.getByRole('alertdialog', { name: `Annuler l’import n° ${batchId} ?` }).getByRole('button', { name: 'Annuler l’import' }).click()
  await expect(page.getByText('Annulé', { exact: true })).toBeVisible()
  await page.getByRole('link', { name: 'Familles', exact: true }).click()
  await page.getByLabel('Rechercher une famille').fill('Dubois Nicolas')
  await expect(page.getByText(/^Aucune famille trouvée\.$/)).toBeVisible()
  await expect(page.getByRole('row').filter({ hasText: 'nicolas.dubois@example.org' })).toHaveCount(0)
  expect(errors).toEqual([])
})

test('import the CSV template and invite its families to the portal', async ({ app, page }) => {
  test.setTimeout(120_000)
  await staffLogin(page, app.staffUrl, 'direction', 'Imports')
  await page.getByRole('link', { name: 'Imports', exact: true }).click()
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Modèle CSV' }).click()])
  expect(download.suggestedFilename()).toBe('modele-import-familles.csv')
  const csv = readFileSync((await download.path())!)
  expect(csv.toString('utf8')).toContain('Nom de l’enfant')

  await page.getByRole('link', { name: 'Importer un fichier' }).click()
  await page.getByLabel('Fichier à importer').setInputFiles({ name: 'modele-import-familles.csv', mimeType: 'text/csv', buffer: csv })
  await expect(page.getByTestId('import-format')).toHaveText('Tableur CSV')
  await expect(page.getByText('point-virgule (;)')).toBeVisible()
  // Every column was recognised from its title.
  await expect(page.getByRole('combobox', { name: 'Champ pour la colonne « Mail du responsable »' })).toHaveText('E-mail (responsable 1)')
  await expect(page.getByRole('combobox', { name: 'Champ pour la colonne « Date de naissance de l’enfant »' })).toHaveText('Date de naissance')
  await page.getByRole('button', { name: 'Voir l’aperçu' }).click()
  await expect(page.getByTestId('count-families')).toHaveText('2 Familles')
  await expect(page.getByTestId('count-children')).toHaveText('3 Enfants')
  await page.getByRole('button', { name: 'Importer 2 familles' }).click()
  await page.getByRole('link', { name: 'Voir le lot, inviter les familles au portail ou l’annuler' }).click()

  await page.getByRole('button', { name: 'Inviter 2 familles au portail' }).click()
  await expect(page.getByTestId('invite-progress')).toContainText('E-mails d’invitation : 2 envoyés sur 2.')
  const mail = await app.waitForMail('claire.exemple@example.org', 'Votre espace sur le portail famille')
  const link = /(https:\/\/\S+\/reinitialisation\?jeton=[\w-]+)/.exec(mail.text!)![1]

  // The family chooses its password with the link, then logs in.
  const portal = await page.context().newPage()
  await portal.goto(link)
  await portal.getByLabel('Nouveau mot de passe', { exact: true }).fill('Des-girafes-qui-chantent-42')
  await portal.getByLabel('Confirmation du nouveau mot de passe').fill('Des-girafes-qui-chantent-42')
  await portal.getByRole('button', { name: 'Enregistrer le mot de passe' }).click()
  await expect(portal.getByText('Votre mot de passe a été modifié. Vous pouvez vous connecter.')).toBeVisible()

  // Built on: the batch can no longer be undone, and the screen says why.
  await page.reload()
  await expect(page.getByTestId('undo-blockers')).toContainText('1 famille déjà connectée au portail')
})
