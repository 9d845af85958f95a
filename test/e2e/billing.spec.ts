import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import type { Browser, BrowserContext, Page } from '@playwright/test'
import { test, expect, expectAccessible, staffApi, staffLogin, type RunningApp } from './fixtures'

/**
 * Issue #6 and #13 journeys: « pay online » with the demo structure set up as
 * an association (Systempay simulator) and as a public régie (the run sent to
 * the Trésor as a PES V2 ORMC bordereau, the titre paid with the PayFiP
 * simulator); staff see the payment in "Règlements".
 */

/** A family with a portal account and one invoice per given month (each run bills only its adjustment). */
async function familyWithInvoices(app: RunningApp, who: { lastName: string; email: string }, months: [string, string, number][]) {
  const api = await staffApi(app.staffUrl)
  const fam = await api.call('families-create', {
    responsable: { civility: 'M.', lastName: who.lastName, firstName: 'Hugo', email: who.email, phoneMobile: '06 12 34 56 78' },
    address: '5 rue des Écoles',
    postalCode: '31000',
    city: 'Démoville',
    children: [{ lastName: who.lastName, firstName: 'Lina', birthDate: '2020-05-10', sex: 'F' }]
  })
  await api.call('accounts-create-portal', { familyId: fam.familyId, login: who.email })
  const regie = (await api.call('billing-regies-list')).find((r: { isDefault: boolean }) => r.isDefault)
  const runs = []
  for (const [month, label, amountCents] of months) {
    await api.call('billing-adjustment-create', { regieId: regie.id, familyId: fam.familyId, month, label, amountCents })
    runs.push(await api.call('billing-run-issue', { regieId: regie.id, month }))
  }
  expect(runs.map((r) => r.invoiceCount)).toEqual(months.map(() => 1))
  await api.dispose()
  return runs
}

/** The family's first login on the portal (provisional password from the e-mail, then a new one). */
async function familyPortal(app: RunningApp, browser: Browser, email: string): Promise<{ ctx: BrowserContext; portal: Page }> {
  const credentials = await app.waitForMail(email, 'Vos identifiants')
  const provisional = /Mot de passe provisoire : (\S+)/.exec(credentials.text ?? '')![1]
  const ctx = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1280, height: 800 } })
  const portal = await ctx.newPage()
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
  return { ctx, portal }
}

/** Staff see the online payment in Règlements. */
async function staffSeesPayment(app: RunningApp, browser: Browser, lastName: string, amount: string, invoice: string) {
  const staffCtx = await browser.newContext({ viewport: { width: 1280, height: 800 } })
  const staff = await staffCtx.newPage()
  await staffLogin(staff, app.staffUrl, 'compta', 'Règlements')
  await staff.getByRole('link', { name: 'Règlements' }).click()
  const row = staff.getByRole('row').filter({ hasText: lastName.toUpperCase() })
  await expect(row).toContainText('Carte bancaire')
  await expect(row).toContainText(amount)
  await expect(row).toContainText(invoice)
  await staffCtx.close()
}

test('as an association: a family pays two invoices online through the Systempay simulator; staff see the payment @dates', async ({ app, browser }) => {
  const email = 'famille.paiement@exemple.fr'
  const lastName = 'Paiementenligne'
  // Two months long before any demo consumption (the demo's history starts last school year): each run bills only
  // this family's line.
  const y = Number(app.today.slice(0, 4)) - 2
  const [r1, r2] = await familyWithInvoices(app, { lastName, email }, [
    [`${y}-01`, 'Garderie de janvier', 2340],
    [`${y}-02`, 'Garderie de février', 1860]
  ])
  const { ctx: familyCtx, portal } = await familyPortal(app, browser, email)
  await expect(portal.getByTestId('home-balance')).toContainText('42,00')

  await portal.getByRole('link', { name: /Factures et documents/ }).first().click()
  await expect(portal.getByRole('heading', { name: 'Factures et documents', level: 1 })).toBeVisible()
  await expect(portal.getByRole('heading', { name: 'Factures à payer' })).toBeVisible()
  // The demo runs the simulator, and every payment page says so.
  await expect(portal.getByTestId('simulator-notice')).toHaveText(/Démonstration : paiement simulé, aucune somme n’est débitée/)
  await expect(portal.getByTestId('selection-total')).toHaveText(/42,00\s€/)
  await expectAccessible(portal, 'factures')
  // Unticking one updates the total; both are paid together.
  await portal.getByLabel(r1.firstNumber).uncheck()
  await expect(portal.getByTestId('selection-total')).toHaveText(/18,60\s€/)
  await portal.getByLabel(r1.firstNumber).check()
  await portal.getByRole('button', { name: 'Payer' }).click()

  // The payment page (simulator, same protocol as Systempay).
  await expect(portal.getByRole('heading', { name: 'Paiement sécurisé' })).toBeVisible()
  await expect(portal.getByText(/Simulateur de paiement de démonstration/)).toBeVisible()
  await expect(portal.getByText(/42,00\s€/)).toBeVisible()
  await expectAccessible(portal, 'page de paiement')
  await portal.getByRole('button', { name: 'Valider le paiement' }).click()
  await expect(portal.getByRole('heading', { name: 'Paiement accepté' })).toBeVisible()
  await portal.getByRole('link', { name: 'Retourner sur le portail famille' }).click()
  await expect(portal.getByText(/Paiement de 42,00\s€ reçu/)).toBeVisible()
  await expect(portal.getByTestId('simulator-notice')).toBeVisible()
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

  await staffSeesPayment(app, browser, lastName, '42,00', r1.firstNumber)
})

test('the back-office billing screens work in headless mode, exports download as XLSX @dates', async ({ app, browser }) => {
  // Every billing screen in turn, once per dated project: more than the default minute on a busy machine.
  test.setTimeout(120_000)
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
  const [year, month] = app.today.split('-').map(Number)
  const current = `${['janvier', 'février', 'mars', 'avril', 'mai', 'juin', 'juillet', 'août', 'septembre', 'octobre', 'novembre', 'décembre'][month - 1]} ${year}`
  // A month with nothing booked (August, the centre closed) has no invoice to issue: one adjustment makes sure the
  // current month has something to bill, whatever the date.
  const api = await staffApi(app.staffUrl)
  const regie = (await api.call('billing-regies-list')).find((r: { isDefault: boolean }) => r.isDefault)
  const fam = await api.call('families-create', {
    responsable: { civility: 'Mme', lastName: 'Moisencours', firstName: 'Inès', email: 'famille.moisencours@exemple.fr', phoneMobile: '06 12 34 56 79' },
    address: '7 rue des Écoles',
    postalCode: '31000',
    city: 'Démoville',
    children: [{ lastName: 'Moisencours', firstName: 'Tom', birthDate: '2019-04-02', sex: 'M' }]
  })
  await api.call('billing-adjustment-create', { regieId: regie.id, familyId: fam.familyId, month: app.today.slice(0, 7), label: 'Garderie du mois', amountCents: 500 })
  await api.dispose()
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

test('as a public régie: the run goes to the Trésor (PES V2), the family pays its titre with the PayFiP simulator', async ({ app, browser }) => {
  // Two people, three screens and two providers' pages: longer than the default minute on a busy machine.
  test.setTimeout(150_000)
  const email = 'famille.tresor@exemple.fr'
  const lastName = 'Titrepublic'
  // Long before any demo consumption, as above.
  const y = Number(app.today.slice(0, 4)) - 2
  const [run] = await familyWithInvoices(app, { lastName, email }, [[`${y}-03`, 'Garderie de mars', 3120]])

  // The direction sets the structure up as a public régie, in the back-office.
  const staffCtx = await browser.newContext({ viewport: { width: 1280, height: 800 }, acceptDownloads: true })
  const staff = await staffCtx.newPage()
  await staffLogin(staff, app.staffUrl, 'compta', 'Trésor public (PES V2)')
  await staff.getByRole('link', { name: 'Trésor public (PES V2)' }).click()
  await expect(staff.getByRole('heading', { name: 'Trésor public (PES V2)', level: 1 })).toBeVisible()
  await staff.getByLabel('Régie publique : transmettre les lots au Trésor public (PES V2 ORMC)').check()
  await expect(staff.getByLabel('SIRET de la collectivité')).toHaveValue('21319999000002')
  await staff.getByRole('button', { name: 'Enregistrer' }).click()
  await expect(staff.getByText('Paramètres PES V2 enregistrés')).toBeVisible()

  await staff.getByRole('link', { name: 'Tarifs et régies' }).click()
  await staff.getByRole('tab', { name: 'Paiement en ligne et commune' }).click()
  await staff.getByRole('combobox', { name: 'Prestataire' }).click()
  await staff.getByRole('option', { name: 'PayFiP (DGFiP, Trésor public)' }).click()
  await expect(staff.getByLabel('Simulateur intégré à la place du vrai prestataire')).toBeChecked()
  await expect(staff.getByLabel('Numéro client PayFiP')).toHaveValue('123456')
  await staff.getByRole('button', { name: 'Enregistrer' }).click()
  await expect(staff.getByText('Paramètres enregistrés')).toBeVisible()

  // The March run becomes an ORMC bordereau: downloaded, valid for xmllint, then marked sent.
  await staff.getByRole('link', { name: 'Trésor public (PES V2)' }).click()
  const [download] = await Promise.all([staff.waitForEvent('download'), staff.getByRole('button', { name: `Créer le bordereau ORMC du lot de mars ${y}` }).click()])
  expect(download.suggestedFilename()).toMatch(/^PESORMC_21319999000002_\d{4}_\d{7}\.xml$/)
  const xml = readFileSync(await download.path(), 'utf8')
  expect(xml).toContain(`<ObjPce V="Facture ${run.firstNumber} du`)
  const fixtures = resolve('test/fixtures/pes-v2')
  execFileSync('xmllint', ['--noout', '--schema', resolve(fixtures, 'Schemas_PES_v471_072015/PES_V2/Rev0/PES_Aller_recette.xsd'), await download.path() as string], { stdio: 'pipe' })
  const row = staff.getByRole('row').filter({ hasText: `ORMC – mars ${y}` })
  await row.getByRole('button', { name: /^Marquer transmis le bordereau/ }).click()
  await staff.getByRole('button', { name: 'Marquer transmis', exact: true }).click()
  await expect(row).toContainText('Transmis le')
  await expectAccessible(staff, 'Trésor public')
  await staffCtx.close()

  // The family: « titre émis », payable to the Trésor, with PayFiP.
  const { ctx, portal } = await familyPortal(app, browser, email)
  await portal.getByRole('link', { name: /Factures et documents/ }).first().click()
  const line = portal.locator('#a-payer').getByRole('row').filter({ hasText: run.firstNumber })
  await expect(line).toContainText('Titre émis : payable auprès du Trésor public ou en ligne avec PayFiP.')
  await expect(portal.getByTestId('simulator-notice')).toBeVisible()
  await expect(portal.getByRole('button', { name: 'Payer', exact: true })).toHaveCount(0)
  await expectAccessible(portal, 'factures (régie publique)')
  await line.getByRole('button', { name: `Payer la facture ${run.firstNumber} avec PayFiP` }).click()

  await expect(portal.getByRole('heading', { name: 'Paiement sécurisé PayFiP' })).toBeVisible()
  await expect(portal.getByText(/Simulateur PayFiP de démonstration/)).toBeVisible()
  await expect(portal.getByText(/31,20\s€/)).toBeVisible()
  await expectAccessible(portal, 'page PayFiP')
  await portal.getByRole('button', { name: 'Payer', exact: true }).click()
  await expect(portal.getByRole('heading', { name: 'Paiement accepté' })).toBeVisible()
  await portal.getByRole('link', { name: 'Retourner sur le portail famille' }).click()
  await expect(portal.getByText(/Paiement de 31,20\s€ reçu/)).toBeVisible()
  await portal.getByRole('link', { name: 'Retour à mes factures' }).click()
  await expect(portal.locator('#historique').getByRole('row').filter({ hasText: run.firstNumber })).toContainText('Payée')
  await ctx.close()

  await staffSeesPayment(app, browser, lastName, '31,20', run.firstNumber)
})

// The journey above turns the shared demo into a public régie paid with PayFiP: put it back as an association, so the
// specs after this one (same app, same worker) find the demo as it starts.
test.afterAll(async ({ app }) => {
  const api = await staffApi(app.staffUrl)
  const regie = (await api.call('billing-regies-list')).find((r: { isDefault: boolean }) => r.isDefault)
  const pes = await api.call('billing-pes-settings-get', { regieId: regie.id })
  if (pes.enabled) await api.call('billing-pes-settings-save', { ...pes, enabled: false })
  const { hasTestKey, hasProductionKey, ipnUrl, payfipNotifyUrl, simulatorAllowed, ...settings } = await api.call('billing-settings-get', {})
  void [hasTestKey, hasProductionKey, ipnUrl, payfipNotifyUrl, simulatorAllowed]
  if (settings.provider !== 'systempay') await api.call('billing-settings-save', { ...settings, provider: 'systempay' })
  await api.dispose()
})
