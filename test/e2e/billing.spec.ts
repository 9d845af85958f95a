import { test, expect, expectAccessible, staffApi, staffLogin } from './fixtures'

/**
 * Issue #6 journey: a family pays two invoices online through the built-in
 * payment simulator (Systempay protocol), sees them paid, finds the receipt
 * in its documents; staff see the payment in "Règlements".
 */

test('a family pays two invoices online through the simulator; staff see the payment @dates', async ({ app, browser }) => {
  const email = 'famille.paiement@exemple.fr'
  const lastName = 'Paiementenligne'
  const api = await staffApi(app.staffUrl)
  const fam = await api.call('families-create', {
    responsable: { civility: 'M.', lastName, firstName: 'Hugo', email, phoneMobile: '06 12 34 56 78' },
    address: '5 rue des Écoles',
    postalCode: '31000',
    city: 'Démoville',
    children: [{ lastName, firstName: 'Lina', birthDate: '2020-05-10', sex: 'F' }]
  })
  await api.call('accounts-create-portal', { familyId: fam.familyId, login: email })
  const regie = (await api.call('billing-regies-list')).find((r: { isDefault: boolean }) => r.isDefault)
  // Two months long before any demo consumption (the demo's history starts last school year): each run bills only
  // this family's line.
  const y = Number(app.today.slice(0, 4)) - 2
  await api.call('billing-adjustment-create', { regieId: regie.id, familyId: fam.familyId, month: `${y}-01`, label: 'Garderie de janvier', amountCents: 2340 })
  await api.call('billing-adjustment-create', { regieId: regie.id, familyId: fam.familyId, month: `${y}-02`, label: 'Garderie de février', amountCents: 1860 })
  const r1 = await api.call('billing-run-issue', { regieId: regie.id, month: `${y}-01` })
  const r2 = await api.call('billing-run-issue', { regieId: regie.id, month: `${y}-02` })
  expect([r1.invoiceCount, r2.invoiceCount]).toEqual([1, 1])
  await api.dispose()
  const credentials = await app.waitForMail(email, 'Vos identifiants')
  const provisional = /Mot de passe provisoire : (\S+)/.exec(credentials.text ?? '')![1]

  const familyCtx = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1280, height: 800 } })
  const portal = await familyCtx.newPage()
  await portal.goto(`${app.portalUrl}/connexion`)
  await portal.getByLabel('Identifiant (adresse e-mail)').fill(email)
  await portal.getByLabel('Mot de passe').fill(provisional)
  await portal.getByRole('button', { name: 'Se connecter' }).click()
  const fresh = 'une phrase de passe pour payer en ligne'
  await portal.getByLabel('Mot de passe actuel').fill(provisional)
  await portal.getByLabel(/^Nouveau mot de passe/).fill(fresh)
  await portal.getByLabel(/^Confirmation/).fill(fresh)
  await portal.getByRole('button', { name: 'Enregistrer le nouveau mot de passe' }).click()
  await expect(portal.getByRole('heading', { name: /^Bienvenue / })).toBeVisible()
  await expect(portal.getByTestId('home-balance')).toContainText('42,00')

  await portal.getByRole('link', { name: /Factures et documents/ }).first().click()
  await expect(portal.getByRole('heading', { name: 'Factures et documents', level: 1 })).toBeVisible()
  await expect(portal.getByRole('heading', { name: 'Factures à payer' })).toBeVisible()
  await expect(portal.getByTestId('selection-total')).toHaveText(/42,00\s€/)
  await expectAccessible(portal, 'factures')
  // Unticking one updates the total; both are paid together.
  await portal.getByLabel(r1.firstNumber).uncheck()
  await expect(portal.getByTestId('selection-total')).toHaveText(/18,60\s€/)
  await portal.getByLabel(r1.firstNumber).check()
  await portal.getByRole('button', { name: 'Payer' }).click()

  // The payment page (simulator, same protocol as Systempay).
  await expect(portal.getByRole('heading', { name: 'Paiement sécurisé' })).toBeVisible()
  await expect(portal.getByText(/42,00\s€/)).toBeVisible()
  await expectAccessible(portal, 'page de paiement')
  await portal.getByRole('button', { name: 'Valider le paiement' }).click()
  await expect(portal.getByRole('heading', { name: 'Paiement accepté' })).toBeVisible()
  await portal.getByRole('link', { name: 'Retourner sur le portail famille' }).click()
  await expect(portal.getByText(/Paiement de 42,00\s€ reçu/)).toBeVisible()
  await expectAccessible(portal, 'retour de paiement')

  await portal.getByRole('link', { name: 'Retour à mes factures' }).click()
  await expect(portal.getByText('Aucune facture à payer.')).toBeVisible()
  const history = portal.locator('#historique')
  await expect(history.getByRole('row').filter({ hasText: r1.firstNumber })).toContainText('Payée')
  await expect(history.getByRole('row').filter({ hasText: r2.firstNumber })).toContainText('Payée')
  await expect(portal.getByTestId('balance')).toContainText('0,00')
  // The receipt is in the family's documents.
  const docs = (await portal.evaluate(async () => (await fetch('/api/portal/documents-mine', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).json())) as { docType: string; title: string }[]
  expect(docs.some((d: { docType: string; title: string }) => d.docType === 'recu' && /^Reçu /.test(d.title))).toBe(true)
  await familyCtx.close()

  // The desk sees it.
  const staffCtx = await browser.newContext({ viewport: { width: 1280, height: 800 } })
  const staff = await staffCtx.newPage()
  await staffLogin(staff, app.staffUrl, 'compta', 'Règlements')
  await staff.getByRole('link', { name: 'Règlements' }).click()
  const row = staff.getByRole('row').filter({ hasText: lastName.toUpperCase() })
  await expect(row).toContainText('Carte bancaire')
  await expect(row).toContainText('42,00')
  await expect(row).toContainText(r1.firstNumber)
  await staffCtx.close()
})

test('the back-office billing screens work in headless mode, exports download as XLSX @dates', async ({ app, browser }) => {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 }, acceptDownloads: true })
  const page = await ctx.newPage()
  const errors: string[] = []
  page.on('pageerror', (e) => errors.push(String(e)))
  await staffLogin(page, app.staffUrl, 'compta', 'Facturation')

  await page.getByRole('link', { name: 'Facturation', exact: true }).click()
  await expect(page.getByRole('heading', { name: 'Facturation', level: 1 })).toBeVisible()
  await page.getByRole('button', { name: 'Aperçu' }).click()
  await expect(page.getByRole('heading', { name: /^Aperçu – / })).toBeVisible()
  await expect(page.getByTestId('unfinished-month')).toHaveCount(0)
  // The current month is not over: the preview warns, and issuing asks for a confirmation that says why.
  const now = new Date()
  const current = `${['janvier', 'février', 'mars', 'avril', 'mai', 'juin', 'juillet', 'août', 'septembre', 'octobre', 'novembre', 'décembre'][now.getMonth()]} ${now.getFullYear()}`
  await page.getByLabel('Mois facturé').click()
  await page.getByRole('option', { name: current, exact: true }).click()
  await page.getByRole('button', { name: 'Aperçu' }).click()
  await expect(page.getByRole('heading', { name: `Aperçu – ${current}` })).toBeVisible()
  await expect(page.getByTestId('unfinished-month')).toContainText(`Le mois de ${current} n’est pas terminé`)
  await page.getByRole('button', { name: /^Émettre les \d+ factures$/ }).click()
  const dialog = page.getByRole('alertdialog').or(page.getByRole('dialog'))
  await expect(dialog).toContainText('Mois non terminé')
  await expect(dialog).toContainText('demandera un avoir')
  await expect(dialog.getByRole('button', { name: 'Émettre quand même' })).toBeVisible()
  await dialog.getByRole('button', { name: 'Annuler' }).click()
  await expect(dialog).toHaveCount(0)

  for (const [link, heading] of [
    ['Factures', 'Factures'],
    ['Règlements', 'Règlements'],
    ['Impayés et relances', 'Impayés et relances'],
    ['Prélèvements SEPA', 'Prélèvements SEPA'],
    ['Tarifs et régies', 'Tarifs et régies']
  ]) {
    await page.getByRole('link', { name: link, exact: true }).click()
    await expect(page.getByRole('heading', { name: heading, level: 1 })).toBeVisible()
  }
  await expect(page.getByRole('row').filter({ hasText: 'ALAE Matin' }).first()).toBeVisible()

  await page.getByRole('link', { name: 'Exports comptables' }).click()
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Télécharger : Journal des factures' }).click()])
  // The previous month, whole: « journal-des-factures-2026-11.xlsx ».
  expect(download.suggestedFilename()).toMatch(/^journal-des-factures-\d{4}-\d{2}\.xlsx$/)
  const path = await download.path()
  const { readFileSync } = await import('node:fs')
  expect(readFileSync(path).subarray(0, 2).toString()).toBe('PK')
  expect(errors).toEqual([])
  await ctx.close()
})
