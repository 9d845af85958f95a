import { join } from 'node:path'
import Database from 'better-sqlite3'
import { test, expect, staffLogin, expectAccessible } from './fixtures'

/**
 * « État du système »: the dashboard lists what needs attention (here an
 * e-mail that failed for good, written straight into the database as the
 * sender would have), the panel shows the five checks with the direction's
 * links, and reads the same to the accueil without them.
 */
test('État du système: dashboard warnings, the panel for the direction and, read-only, for the accueil', async ({ app, browser }) => {
  const dbFile = join(app.dataDir, 'demo', 'ribambelle.sqlite')
  const db = new Database(dbFile)
  db.pragma('busy_timeout = 5000')
  const now = new Date().toISOString()
  const failedId = db
    .prepare(`INSERT INTO outbox_mail (recipient, subject, text_body, status, attempts, next_attempt_at, last_error, created_at) VALUES (?, ?, ?, 'failed', 9, ?, ?, ?)`)
    .run('famille@exemple.fr', 'Essai en échec', 'Bonjour', now, 'Connexion refusée', now).lastInsertRowid
  try {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } })
    const page = await ctx.newPage()
    const errors: string[] = []
    page.on('pageerror', (e) => errors.push(e.message))
    await staffLogin(page, app.staffUrl, 'direction', 'État du système')

    const warnings = page.getByTestId('health-warnings')
    await expect(warnings.getByRole('heading', { name: 'À surveiller' })).toBeVisible()
    const mailLine = warnings.locator('[data-check="outbox"]')
    await expect(mailLine).toContainText('1 e-mail n’a pas pu être envoyé après plusieurs essais.')
    await expect(mailLine.getByRole('link', { name: 'E-mails envoyés' })).toBeVisible()

    await warnings.getByRole('link', { name: 'Voir l’état du système' }).click()
    await expect(page.getByRole('heading', { name: 'État du système', level: 1 })).toBeVisible()
    const checks = page.getByRole('list', { name: 'Points vérifiés' })
    await expect(checks.getByRole('listitem')).toHaveCount(5)
    for (const title of ['Espace disque', 'Sauvegardes', 'E-mails', 'Certificat du portail', 'Base de données']) await expect(checks).toContainText(title)
    await expect(checks.locator('[data-check="disk"]')).toContainText(/libres sur/)
    await expect(checks.locator('[data-check="certificate"]')).toContainText(/Valide jusqu’au \d\d\/\d\d\/\d{4} \(certificat auto-signé\)\./)
    await expect(checks.locator('[data-check="backup"]')).toContainText('Dernière sauvegarde vérifiée le')
    await expect(page.getByText(join(app.dataDir, 'demo'), { exact: true })).toBeVisible()
    await expectAccessible(page, 'État du système')

    // The accueil reads the same panel, without the direction's links.
    const desk = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage()
    await staffLogin(desk, app.staffUrl, 'accueil', 'État du système')
    await expect(desk.getByTestId('health-warnings')).toContainText('1 e-mail n’a pas pu être envoyé')
    await desk.getByRole('link', { name: 'État du système', exact: true }).click()
    const deskChecks = desk.getByRole('list', { name: 'Points vérifiés' })
    await expect(deskChecks.locator('[data-check="outbox"]')).toContainText('1 e-mail n’a pas pu être envoyé')
    await expect(deskChecks.getByRole('link')).toHaveCount(0)

    // Dealt with, the line is back to OK.
    db.prepare('DELETE FROM outbox_mail WHERE id = ?').run(failedId)
    await page.getByRole('button', { name: 'Actualiser' }).click()
    await expect(checks.locator('[data-check="outbox"]')).toContainText('OK')
    expect(errors).toEqual([])
  } finally {
    db.prepare('DELETE FROM outbox_mail WHERE id = ?').run(failedId)
    db.close()
  }
})
