import { test, expect, staffLogin } from './fixtures'

/**
 * The server-paged lists of the back-office (usePagedList): journal, e-mails,
 * families, validation queue and enrolments page with the French report,
 * go back to page 1 when a filter changes, and load without a page error;
 * a loaded list (ListTable) shows its failure, retries and filters.
 */
test('server-paged back-office lists page, filter and report in French', async ({ app, browser }) => {
  test.setTimeout(120_000)
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } })
  const page = await ctx.newPage()
  const errors: string[] = []
  page.on('pageerror', (e) => errors.push(e.message))
  await staffLogin(page, app.staffUrl, 'direction', "Journal d'audit")

  // Journal: the demo seeding wrote far more than one page of 50.
  await page.getByRole('link', { name: "Journal d'audit" }).click()
  const report = page.getByText(/^\d+ à \d+ sur \d+$/)
  await expect(report).toHaveText(/^1 à 50 sur \d+$/)
  const total = Number((await report.innerText()).split(' sur ')[1])
  expect(total).toBeGreaterThan(50)
  await page.getByRole('button', { name: 'Page suivante' }).click()
  await expect(report).toHaveText(`51 à ${Math.min(100, total)} sur ${total}`)
  // A filter restarts at page 1, with fewer rows.
  await page.getByRole('combobox', { name: 'Élément concerné' }).click()
  await page.getByRole('option', { name: 'Famille', exact: true }).click()
  await expect(report).toHaveText(/^1 à \d+ sur \d+$/)
  expect(Number((await report.innerText()).split(' sur ')[1])).toBeLessThan(total)

  // E-mails envoyés, families (search count), validation queue, enrolments.
  await page.getByRole('link', { name: 'E-mails envoyés' }).click()
  await expect(page.getByRole('heading', { name: 'E-mails envoyés' })).toBeVisible()
  await expect(page.getByRole('table', { name: 'E-mails' })).toBeVisible()
  await page.getByRole('link', { name: 'Familles', exact: true }).click()
  await expect(page.getByText(/^\d+ familles trouvées\.$/)).toBeVisible()
  await page.getByRole('link', { name: 'File de validation' }).click()
  await expect(page.getByRole('table', { name: 'Demandes en attente' })).toBeVisible()
  await page.getByRole('tab', { name: /Traitées/ }).click()
  await expect(page.getByRole('table', { name: 'Demandes traitées' })).toBeVisible()
  await page.getByRole('link', { name: 'Inscriptions' }).click()
  await expect(page.getByRole('table', { name: 'Inscriptions : À valider' })).toBeVisible()

  // Loaded lists (one shared ListTable): a list that cannot load says so in French, never « Aucun… », and « Réessayer » loads it.
  await page.route('**/api/staff/billing-unpaid-list', (r) => r.abort())
  await page.getByRole('link', { name: 'Impayés et relances' }).click()
  const unpaid = page.getByRole('table', { name: 'Factures impayées' })
  await expect(page.getByRole('alert')).toContainText('Le serveur Ribambelle ne répond pas')
  await expect(unpaid).toContainText('La liste n’a pas pu être chargée.')
  await expect(unpaid).not.toContainText('Aucun impayé échu.')
  await page.unroute('**/api/staff/billing-unpaid-list')
  await page.getByRole('button', { name: 'Réessayer' }).click()
  await expect(page.getByRole('alert')).toHaveCount(0)
  const unpaidRows = unpaid.locator('tbody tr')
  await expect(unpaidRows.first()).not.toContainText('La liste n’a pas pu être chargée.')
  // « Filtrer la liste »: a family's name keeps its invoices only, and the count is announced.
  const firstFamily = (await unpaidRows.first().locator('td').nth(2).innerText()).split(' – ')[1].trim()
  const all = await unpaidRows.count()
  await page.getByLabel('Filtrer la liste').fill(firstFamily)
  await expect(page.getByRole('status').filter({ hasText: / sur \d+$/ })).toHaveText(new RegExp(`^\\d+ lignes? sur \\d+$`))
  for (const cell of await unpaidRows.locator('td:nth-child(3)').allInnerTexts()) expect(cell).toContain(firstFamily)
  await page.getByLabel('Filtrer la liste').fill('zzzz-introuvable')
  await expect(unpaid).toContainText('Aucune ligne ne correspond au filtre.')
  expect(all).toBeGreaterThan(0)
  expect(errors).toEqual([])
  await ctx.close()
})
