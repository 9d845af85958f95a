import { test, expect, frDate, staffApi, staffLogin } from './fixtures'

/**
 * Issue #5 leftover: the closure dialog in a real browser. The direction closes
 * "ALAE Soir 2" on a school day months ahead (no other test books it): the
 * dialog asks first with the counts the server previews, cancels, and lists
 * the family that has no e-mail address so the desk can call it.
 */

const plusDays = (iso: string, n: number) => new Date(Date.parse(`${iso}T12:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10)

test('a closure asks before cancelling, then lists the family without e-mail to call', async ({ app, browser }) => {
  const api = await staffApi(app.staffUrl)
  // A family on file with no e-mail address and no portal account, only phones; its child enrolled in ALAE Soir 2,
  // which books every school day of the year.
  const fam = await api.call('families-create', {
    responsable: { civility: 'M.', lastName: 'Sanscourriel', firstName: 'Paul', email: '', phoneMobile: '06 11 22 33 44', phoneWork: '05 61 22 33 44' },
    address: '8 chemin des Prés',
    postalCode: '31000',
    city: 'Démoville',
    children: [{ lastName: 'Sanscourriel', firstName: 'Lina', birthDate: '2018-04-02', sex: 'F' }]
  })
  const tree = await api.call('activities-tree')
  const facility = tree.find((f: any) => f.types.some((t: any) => t.activities.some((a: any) => a.name === 'ALAE Soir 2')))
  const soir = facility.types.flatMap((t: any) => t.activities).find((a: any) => a.name === 'ALAE Soir 2')
  // A school evening about four months ahead that demo families booked (whatever the app's today).
  const occ = await api.call('bookings-occupancy', { from: plusDays(app.today, 100), to: plusDays(app.today, 140), activityId: soir.id })
  const DAY = occ.cells.find((c: any) => c.booked > 0)?.day as string
  expect(DAY, 'an ALAE Soir 2 evening booked by the demo').toBeTruthy()
  const period = soir.periods.find((p: any) => p.startDate <= DAY && DAY <= p.endDate)
  const file = await api.call('families-get', { familyId: fam.familyId })
  const childId = file.children[0].id
  await api.call('enrolments-create', { childId, periodId: period.id, groupId: soir.groups[0].id, ignoreAge: true })
  const scope = { facilityId: null, activityId: soir.id, startDate: DAY, endDate: DAY, reason: 'Réunion des équipes' }
  const preview = await api.call('closures-preview', scope)
  expect(preview.bookings, 'the new child and the demo families are booked that evening').toBeGreaterThan(1)

  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } })
  const page = await ctx.newPage()
  await staffLogin(page, app.staffUrl, 'direction', 'Calendrier')
  await page.getByRole('link', { name: 'Calendrier' }).click()
  await page.getByRole('button', { name: 'Ajouter une fermeture' }).click()
  const dialog = page.getByRole('dialog', { name: 'Nouvelle fermeture' })
  await dialog.getByRole('combobox', { name: 'Concerne' }).click()
  await page.getByRole('option', { name: `Activité : ${facility.name} › ALAE Soir 2` }).click()
  for (const id of ['#closure-start', '#closure-end']) {
    await dialog.locator(id).fill(frDate(DAY))
    // A typed date opens no calendar over the dialog's « Enregistrer » (it opens from its icon, or ↓).
    await expect(page.locator('.p-datepicker-panel')).toHaveCount(0)
    await dialog.locator(id).press('Enter')
  }
  await dialog.getByLabel('Motif').fill(scope.reason)
  await dialog.getByRole('button', { name: 'Enregistrer' }).click()

  // Asked first, with the server's counts.
  const confirm = page.getByRole('alertdialog', { name: 'Annuler les réservations de ces jours ?' })
  await expect(confirm).toContainText(`Cette fermeture annule ${preview.bookings} réservations (non facturées) de ${preview.families} familles`)
  await confirm.getByRole('button', { name: 'Enregistrer et annuler les réservations' }).click()

  await expect(page.getByText('Fermeture enregistrée.')).toBeVisible()
  await expect(page.getByText(/1 famille sans e-mail est à prévenir par téléphone\./)).toBeVisible()
  const toCall = page.getByRole('dialog', { name: 'Familles à prévenir par téléphone' })
  const row = toCall.getByRole('row').filter({ hasText: 'SANSCOURRIEL Paul' })
  await expect(row).toContainText('06 11 22 33 44 · 05 61 22 33 44')
  await expect(row.getByRole('cell').nth(3)).toHaveText('1')
  await toCall.getByRole('button', { name: 'C’est noté' }).click()
  await expect(toCall).toBeHidden()
  // The closure is listed, and saved with its cancellations: nothing is left to cancel.
  await expect(page.getByRole('button', { name: 'Modifier la fermeture Réunion des équipes' })).toBeVisible()
  expect(await api.call('closures-preview', scope)).toMatchObject({ bookings: 0 })
  await api.dispose()
  await ctx.close()
})
