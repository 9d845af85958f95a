import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test, expect, expectAccessible, staffApi, staffLogin } from './fixtures'

/**
 * Issue #13 journey: the accountant opens « Prélèvements SEPA » on the demo
 * structure (months already invoiced and sent, six families on direct
 * debit), sees one debit per mandate on the proposed date, creates the
 * pain.008 file (checked with xmllint against the official XSD), and sees
 * the debits « en cours » until their collection date; the family sees it on
 * the portal, with nothing to pay.
 */
test('the accountant exports a direct-debit file from the back-office and sees the debits in flight; the family sees it on the portal', async ({ app, browser }) => {
  test.setTimeout(120_000)
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 }, acceptDownloads: true })
  const page = await ctx.newPage()
  const errors: string[] = []
  page.on('pageerror', (e) => errors.push(String(e)))
  await staffLogin(page, app.staffUrl, 'compta', 'Prélèvements SEPA')
  await page.getByRole('navigation', { name: 'Menu principal' }).getByRole('link', { name: 'Prélèvements SEPA', exact: true }).click()
  await expect(page.getByRole('heading', { name: 'Prélèvements SEPA', level: 1 })).toBeVisible()

  // The plan on the proposed date: one debit per mandate, all first collections.
  await expect(page.getByTestId('sepa-plan-info')).toContainText('Date proposée')
  await expect(page.getByTestId('sepa-plan-info')).toContainText('pain.008.001.08')
  const debits = page.getByRole('table', { name: 'Prélèvements du fichier' }).locator('tbody tr')
  await expect(debits.first()).toContainText('Premier prélèvement (FRST)')
  const rows = await debits.count()
  expect(rows).toBeGreaterThan(0)
  const rums = await debits.locator('td:nth-child(2)').allTextContents()
  expect(new Set(rums).size).toBe(rows)
  const total = (await page.getByTestId('sepa-plan-total').textContent())!

  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Créer le fichier de prélèvement' }).click()])
  // A French file name: « prelevements-sepa-AL-PRLV-20261221-0001.xml ».
  expect(download.suggestedFilename()).toMatch(/^prelevements-sepa-AL-PRLV-\d{8}-0001\.xml$/)
  const file = await download.path()
  const xml = readFileSync(file, 'utf8')
  // The bank's own check: the official XSD (throws with xmllint's message if the file does not validate).
  execFileSync('xmllint', ['--noout', '--schema', join(__dirname, '..', 'fixtures', 'billing', 'pain.008.001.08.xsd'), file], { stdio: 'pipe' })
  expect(xml.match(/<DrctDbtTxInf>/g)).toHaveLength(rows)
  expect(xml.match(/<SeqTp>FRST<\/SeqTp>/g)).toHaveLength(1)
  expect(xml).not.toContain('<SeqTp>RCUR')
  await expect(page.getByRole('status').filter({ hasText: /Fichier AL-PRLV-\d{8}-0001/ })).toContainText('en cours')

  // Sent, not collected: « Prélèvement en cours », and the next file would hold nothing.
  const sent = page.getByRole('table', { name: 'Prélèvements envoyés' }).locator('tbody tr')
  await expect(sent).toHaveCount(rows)
  for (let i = 0; i < rows; i++) await expect(sent.nth(i)).toContainText('Prélèvement en cours')
  // What is in flight is what the file holds.
  const amount = (s: string) => /(\d[\d\s\u00a0\u202f]*,\d{2})\s€/.exec(s)?.[1]
  expect(amount((await page.getByTestId('sepa-inflight-total').textContent())!)).toBe(amount(total))
  await expect(page.getByRole('table', { name: 'Prélèvements du fichier' })).toContainText('Aucune facture à prélever à cette date.')

  // The invoices list says so too.
  await page.getByRole('link', { name: 'Factures', exact: true }).click()
  await expect(page.getByRole('heading', { name: 'Factures', level: 1 })).toBeVisible()
  await expect(page.getByText('Prélèvement en cours').first()).toBeVisible()
  expect(errors).toEqual([])
  await ctx.close()

  // The family of the first debit, on the portal.
  const api = await staffApi(app.staffUrl)
  const [first] = await api.call('billing-sepa-collections', { inFlight: true })
  const email = 'famille.prelevee@exemple.fr'
  await api.call('accounts-create-portal', { familyId: first.familyId, login: email })
  await api.dispose()
  const credentials = await app.waitForMail(email, 'Vos identifiants')
  const provisional = /Mot de passe provisoire : (\S+)/.exec(credentials.text ?? '')![1]
  const familyCtx = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 390, height: 844 } })
  const portal = await familyCtx.newPage()
  await portal.goto(`${app.portalUrl}/connexion`)
  await portal.getByLabel('Identifiant (adresse e-mail)').fill(email)
  await portal.getByLabel('Mot de passe').fill(provisional)
  await portal.getByRole('button', { name: 'Se connecter' }).click()
  const fresh = 'une phrase de passe pour le prélèvement'
  await portal.getByLabel('Mot de passe actuel').fill(provisional)
  await portal.getByLabel(/^Nouveau mot de passe/).fill(fresh)
  await portal.getByLabel(/^Confirmation/).fill(fresh)
  await portal.getByRole('button', { name: 'Enregistrer le nouveau mot de passe' }).click()
  await expect(portal.getByRole('heading', { name: /^Bienvenue / })).toBeVisible()
  await portal.getByRole('link', { name: /Factures et documents/ }).first().click()
  await expect(portal.getByRole('heading', { name: 'Factures et documents', level: 1 })).toBeVisible()
  await expect(portal.getByTestId('debit-in-flight')).toContainText('Prélèvement en cours')
  await expect(portal.getByText('Aucune facture à payer.')).toBeVisible()
  await expect(portal.getByRole('region', { name: 'Tableau de l’historique des factures' })).toContainText('Prélèvement en cours (le ')
  await expect(portal.getByRole('region', { name: 'Tableau des règlements' })).toContainText('Après le prélèvement')
  await expectAccessible(portal, 'factures avec prélèvement en cours')
  await familyCtx.close()
})
