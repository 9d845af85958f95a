import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test, expect, staffApi, staffLogin } from './fixtures'

/**
 * Paramètres → Sauvegardes: the last automatic backup is shown (the app
 * made the daily one at start), a bad folder is refused on its field in
 * French, an encrypted copy to a second folder is set up with a confirmed
 * passphrase, the passphrase can be checked, and a manual backup says
 * where its encrypted copy went.
 */
test('the direction sets up an encrypted copy of the backups to a second folder', async ({ app, page }) => {
  test.setTimeout(120_000)
  const usb = mkdtempSync(join(tmpdir(), 'ribambelle-e2e-usb-'))
  const errors: string[] = []
  page.on('pageerror', (e) => errors.push(e.message))
  try {
    await staffLogin(page, app.staffUrl, 'direction', 'Paramètres')
    await page.getByRole('link', { name: 'Paramètres' }).click()
    await page.getByRole('tab', { name: 'Sauvegardes' }).click()
    await expect(page.getByTestId('backup-last-run')).toContainText(/Quotidienne : Sauvegarde faite et vérifiée\. \(ribambelle-\d{8}-\d{6}-\d{3}-quotidienne\.sqlite\)/)
    await expect(page.getByLabel('Heure de la sauvegarde quotidienne')).toHaveValue('12:30')

    await page.getByLabel('Second dossier').fill(join(usb, 'absent'))
    await page.getByRole('button', { name: 'Enregistrer' }).click()
    await expect(page.getByText(/^Dossier introuvable : .*absent\. Branchez le support/).last()).toBeVisible()
    await expect(page.getByLabel('Second dossier')).toHaveAttribute('aria-invalid', 'true')

    await page.getByLabel('Second dossier').fill(usb)
    await page.getByLabel('Chiffrer la copie').check()
    await page.getByLabel('Phrase de passe', { exact: true }).fill('trois chats gris sur le toit')
    await page.getByLabel('Confirmer la phrase de passe').fill('trois chats gris sur le toi')
    await page.getByRole('button', { name: 'Enregistrer' }).click()
    await expect(page.getByText('Les deux phrases de passe ne sont pas identiques.').last()).toBeVisible()
    await page.getByLabel('Confirmer la phrase de passe').fill('trois chats gris sur le toit')
    await page.getByRole('button', { name: 'Enregistrer' }).click()
    await expect(page.getByText('Réglages des sauvegardes enregistrés')).toBeVisible()
    await expect(page.getByTestId('backup-key-status')).toContainText(/Phrase de passe définie le .* \(empreinte de la clé : [0-9a-f]{4} /)

    await page.getByLabel('Phrase de passe à vérifier').fill('trois chats gris sur le toit')
    await page.getByRole('button', { name: 'Vérifier' }).click()
    await expect(page.getByTestId('backup-check-result')).toHaveText('C’est la bonne phrase de passe : elle ouvre les copies chiffrées.')

    await page.getByRole('link', { name: 'Sauvegardes', exact: true }).click()
    await page.getByRole('button', { name: 'Créer une sauvegarde maintenant' }).click()
    await expect(page.getByTestId('backup-copy-result')).toHaveText(`Copie chiffrée faite dans ${usb}.`)
    expect(readdirSync(usb)).toEqual([expect.stringMatching(/^ribambelle-\d{8}-\d{6}-\d{3}-manuelle\.sqlite\.enc$/)])
    await expect(page.getByRole('cell', { name: 'Manuelle', exact: true })).toBeVisible()
    expect(errors).toEqual([])
  } finally {
    // The app is shared by the other specs: no second folder for them.
    const api = await staffApi(app.staffUrl)
    const { version } = await api.call('backups-settings-get', {})
    await api.call('backups-settings-update', { daily: true, dailyTime: '12:30', atQuit: true, copyDir: '', encrypt: false, passphrase: '', version })
    await api.dispose()
    rmSync(usb, { recursive: true, force: true })
  }
})
