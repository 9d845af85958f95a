import type { Browser, Page, TestInfo } from '@playwright/test'
import { test, expect, expectAccessible, frDate, staffApi, staffLogin } from './fixtures'

/**
 * Issue 16 on the demo: the separated parents of a shared child (alternate weeks, seeded by
 * src-main/demo/seed-households.ts) each book a day of their own week on a phone, see the other parent's days as
 * « Chez l’autre parent » and nothing of them, and staff see both bookings in the child's month; once the month is
 * invoiced (with a fixed split), each parent sees their own invoice and not the other's. Phone only: the
 * grid view of the same planning is covered by the integration tests (test/integration/households.test.ts).
 */
const PASSWORD = 'demo-famille-2026'
const FATHER = 'thomas.pere-separe@exemple.fr'
const MONTHS = ['janvier', 'février', 'mars', 'avril', 'mai', 'juin', 'juillet', 'août', 'septembre', 'octobre', 'novembre', 'décembre']
const dayTitle = (day: string) => new RegExp(`\\b${Number(day.slice(8, 10))} ${MONTHS[Number(day.slice(5, 7)) - 1]} ${day.slice(0, 4)}$`, 'i')
const addDays = (day: string, n: number) => new Date(Date.parse(`${day}T12:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10)

async function portalLogin(browser: Browser, testInfo: TestInfo, portalUrl: string, login: string): Promise<Page> {
  const ctx = await browser.newContext({ ignoreHTTPSErrors: true, ...testInfo.project.use })
  const page = await ctx.newPage()
  await page.goto(`${portalUrl}/connexion`)
  await page.getByLabel('Identifiant (adresse e-mail)').fill(login)
  await page.getByLabel('Mot de passe').fill(PASSWORD)
  await page.getByRole('button', { name: 'Se connecter' }).click()
  await expect(page.getByRole('heading', { name: /^Bienvenue / })).toBeVisible()
  return page
}

async function openPlanning(browser: Browser, testInfo: TestInfo, portalUrl: string, login: string): Promise<Page> {
  const page = await portalLogin(browser, testInfo, portalUrl, login)
  await page.getByRole('link', { name: /Planning-Réservations/ }).first().click()
  await expect(page.locator('.pcontrols__title')).toHaveText(/\S/)
  await expect(page.getByText('Chargement du planning…')).toHaveCount(0)
  return page
}

/** The ISO day a phone planning title (« mercredi 25 novembre 2026 ») shows. */
function titleDay(text: string): string {
  const m = /(\d+) (\S+) (\d{4})\s*$/.exec(text.toLowerCase())!
  return `${m[3]}-${String(MONTHS.indexOf(m[2]) + 1).padStart(2, '0')}-${m[1].padStart(2, '0')}`
}

/** Moves the one-day phone planning to `day` (it opens on the household's first bookable day, before or after). */
async function goToDay(page: Page, day: string) {
  const title = page.locator('.pcontrols__title')
  for (let i = 0; i < 45; i++) {
    const before = await title.innerText()
    const shown = titleDay(before)
    if (shown === day) break
    await page.getByRole('button', { name: shown < day ? 'Jour suivant' : 'Jour précédent' }).click()
    await expect(title).not.toHaveText(before)
    await expect(page.getByText('Chargement du planning…')).toHaveCount(0)
  }
  await expect(title).toHaveText(dayTitle(day))
}

/** The shared child's card of the day (a household may have other children). */
const childCard = (page: Page, firstName: string) => page.locator('.pday__child').filter({ has: page.getByRole('heading', { name: firstName, exact: true }) })

test('the separated parents of a shared child book their own weeks on a phone; staff see the whole month @phone', async ({ app, browser }, testInfo) => {
  test.skip(testInfo.project.name !== 'phone', 'phone-sized screens only (CI time)')
  test.setTimeout(180_000)
  const api = await staffApi(app.staffUrl)
  const fatherId = (await api.call('families-search', { query: 'pere-separe', limit: 5 })).items[0].id
  const fatherFile = await api.call('family-file-get', { familyId: fatherId })
  const child = fatherFile.children.find((c: any) => c.household.shared)
  const motherId = child.household.other.familyId
  // The child's next bookable days, and whose week each one is.
  const from = addDays(app.today, 1)
  const to = addDays(app.today, 27)
  let planning = await api.call('bookings-child-planning', { childId: child.id, from, to })
  for (const activityId of new Set<number>(planning.children[0].lines.map((l: any) => l.activityId))) {
    await api.call('bookings-rules-set', {
      activityId,
      version: (await api.call('bookings-rules-get', { activityId })).version,
      booking: { kind: 'none' },
      cancellation: { kind: 'none' },
      familyChanges: true
    })
  }
  const custody = new Map<string, number | null>()
  for (const month of new Set([from.slice(0, 7), to.slice(0, 7)])) {
    for (const d of (await api.call('custody-get', { childId: child.id, month })).days) custody.set(d.day, d.familyId)
  }
  // The demo books the child on every school day: the desk cancels one day of each parent's week, for them to rebook.
  planning = await api.call('bookings-child-planning', { childId: child.id, from, to })
  for (const familyId of [motherId, fatherId]) {
    const cellsOf = (day: string) => planning.children[0].lines.map((l: any) => ({ unitId: l.unitId, cell: l.cells.find((c: any) => c.day === day)?.cell }))
    const day = [...custody.keys()].find((d) => d >= from && d <= to && custody.get(d) === familyId && cellsOf(d).some((c: any) => c.cell === 'R'))
    if (!day) continue
    const items = cellsOf(day).filter((c: any) => c.cell === 'R').map((c: any) => ({ childId: child.id, unitId: c.unitId, day, action: 'cancel' }))
    await api.call('bookings-staff-apply', { items, reason: 'Jour libéré pour le test' })
  }
  planning = await api.call('bookings-child-planning', { childId: child.id, from, to })
  const lines = planning.children[0].lines
  // A day of the household's week with nothing booked yet (no other unit of the day excluding the one ticked).
  const untouched = (day: string) => lines.every((l: any) => ['libre', 'indisponible', 'complet', undefined].includes(l.cells.find((c: any) => c.day === day)?.cell))
  const free = (familyId: number) => {
    for (const line of lines) {
      const cell = line.cells.find((c: any) => c.cell === 'libre' && c.canAdd && custody.get(c.day) === familyId && untouched(c.day))
      if (cell) return { day: cell.day as string, unitName: line.unitName as string, unitId: line.unitId as number }
    }
    throw new Error(`no free day for household ${familyId}`)
  }
  const motherDay = free(motherId)
  const fatherDay = free(fatherId)
  const motherLogin = (await api.call('families-get', { familyId: motherId })).accounts[0].login

  for (const [login, mine, theirs] of [
    [motherLogin, motherDay, fatherDay],
    [FATHER, fatherDay, motherDay]
  ] as const) {
    const page = await openPlanning(browser, testInfo, app.portalUrl, login)
    // The other parent's day: « Chez l’autre parent », nothing to tick.
    await goToDay(page, theirs.day < mine.day ? theirs.day : mine.day)
    const first = theirs.day < mine.day ? 'theirs' : 'mine'
    if (first === 'theirs') {
      await expect(childCard(page, child.identity.firstName).getByText('Chez l’autre parent').first()).toBeVisible()
      if (login === FATHER) await expectAccessible(page, 'jour chez l’autre parent')
    }
    await page.getByRole('button', { name: 'Modifier' }).click()
    await goToDay(page, mine.day)
    const card = childCard(page, child.identity.firstName)
    const option = card.getByRole('radio', { name: new RegExp(`^${mine.unitName} \\(Réservation disponible\\)$`) }).or(card.getByRole('checkbox', { name: mine.unitName }))
    await option.first().check()
    await page.getByRole('button', { name: 'Terminer les modifications (1)' }).first().click()
    await expect(page.getByRole('heading', { name: 'Validation des modifications' })).toBeVisible()
    await page.getByRole('button', { name: 'Terminer', exact: true }).click()
    await expect(page.getByRole('heading', { name: 'Votre réservation est terminée' })).toBeVisible()
    await page.getByRole('button', { name: 'Revenir au planning' }).click()
    if (first === 'mine') {
      await goToDay(page, theirs.day)
      await expect(childCard(page, child.identity.firstName).getByText('Chez l’autre parent').first()).toBeVisible()
      if (login === FATHER) await expectAccessible(page, 'jour chez l’autre parent')
    }
    if (login === FATHER) {
      // « Je suis l'autre parent »: the form of the request, reachable from « Mon dossier », on a phone.
      await page.goto(`${app.portalUrl}/mon-dossier`)
      await page.getByRole('link', { name: 'Je suis l’autre parent' }).click()
      await expect(page.getByRole('heading', { name: 'Je suis l’autre parent' })).toBeVisible()
      await expectAccessible(page, 'demande « je suis l’autre parent »')
    }
    await page.context().close()
  }

  // Staff see the whole month: the child's card names both households and shows whose day each one is.
  const staffCtx = await browser.newContext({ viewport: { width: 1280, height: 800 } })
  const staff = await staffCtx.newPage()
  await staffLogin(staff, app.staffUrl, 'direction', 'Familles')
  await staff.goto(`${app.staffUrl}/#/familles/${fatherId}/dossier`)
  await staff.getByRole('tab', { name: /Enfants/ }).click()
  const foyers = staff.getByRole('region', { name: 'Foyers de l’enfant' }).first()
  await expect(foyers).toContainText('Premier foyer')
  await expect(staff.getByLabel('Foyer des semaines impaires').first()).toBeVisible()
  const month = staff.getByRole('table', { name: /Foyer de l’enfant chaque jour du mois/ }).first()
  const shown = await staff.getByLabel('Mois affiché').first().inputValue()
  await expect(month.getByRole('row')).toHaveCount(1 + new Date(Date.UTC(Number(shown.slice(0, 4)), Number(shown.slice(5, 7)), 0)).getUTCDate())
  // The direction sets a fixed split (a court decision): 60 % for the first household, from a date.
  const billing = staff.getByRole('region', { name: 'Facturation de l’enfant' }).first()
  await billing.getByLabel('Mode', { exact: true }).selectOption('fixed')
  await billing.getByLabel(/^Part du foyer N° \d+ .* \(%\)$/).fill('60')
  await expect(billing).toContainText(' : 40 %.')
  await billing.getByRole('button', { name: 'Enregistrer le mode de facturation' }).click()
  await expect(staff.getByText('Mode de facturation enregistré')).toBeVisible()
  expect((await api.call('billing-split-get', { childId: child.id })).split).toMatchObject({ mode: 'fixed', firstSharePercent: 60 })
  await expectAccessible(staff, 'dossier d’un enfant partagé')
  // A message about the child to one household or both, from its card: each gets its own copy.
  await staff.getByRole('button', { name: 'Écrire aux foyers de l’enfant' }).first().click()
  await expect(staff.getByRole('radio', { name: 'Foyer 2' })).toBeVisible()
  await expect(staff.getByRole('status').filter({ hasText: /Les deux foyers : 2 famille/ })).toBeVisible()
  await staff.getByRole('radio', { name: 'Foyer 2' }).check()
  await expect(staff.getByRole('status').filter({ hasText: /Foyer 2 : 1 famille/ })).toBeVisible()
  await staff.keyboard.press('Escape')
  // The pointage of a day the father's household booked: the child's row says « Foyer 2 », in words.
  const month2 = await api.call('bookings-child-planning', { childId: child.id, from, to })
  const fathers = month2.children[0].lines.flatMap((l: any) => l.cells.filter((c: any) => c.household === 2 && c.cell === 'R').map((c: any) => ({ day: c.day as string, activityId: l.activityId as number })))[0]
  expect(fathers, 'a day booked by the father’s household').toBeTruthy()
  await staff.goto(`${app.staffUrl}/#/pointage?activite=${fathers.activityId}`)
  await staff.locator('#att-day').fill(frDate(fathers.day))
  await staff.locator('#att-day').press('Enter')
  await staff.getByRole('button', { name: /^Tous les enfants/ }).click()
  const childRow = staff.getByRole('listitem').filter({ hasText: `${child.identity.lastName.toUpperCase()} ${child.identity.firstName}` }).first()
  await expect(childRow.getByText('Foyer 2', { exact: true })).toBeVisible()
  await expectAccessible(staff, 'pointage d’un enfant partagé')
  await staffCtx.close()
  // And both parents' bookings of the child, each recorded for its household.
  const after = await api.call('bookings-child-planning', { childId: child.id, from, to })
  const stateOf = (b: { day: string; unitId: number }) => after.children[0].lines.find((l: any) => l.unitId === b.unitId).cells.find((c: any) => c.day === b.day).cell
  expect(['R', 'DR']).toContain(stateOf(motherDay))
  expect(['R', 'DR']).toContain(stateOf(fatherDay))

  // The month is invoiced with the split set above: each household gets its own invoice, and on the portal each
  // parent sees theirs and not the other's.
  const regie = (await api.call('billing-regies-list')).find((r: { isDefault: boolean }) => r.isDefault)
  const run = await api.call('billing-run-issue', { regieId: regie.id, month: app.today.slice(0, 7), confirmUnfinishedMonth: true })
  const numberOf = async (familyId: number) => {
    const items = (await api.call('billing-invoices-list', { runId: run.runId, familyId, limit: 5 })).items
    expect(items).toHaveLength(1)
    return items[0].number as string
  }
  const invoices = [
    { login: motherLogin, mine: await numberOf(motherId), theirs: await numberOf(fatherId) },
    { login: FATHER, mine: await numberOf(fatherId), theirs: await numberOf(motherId) }
  ]
  for (const { login, mine, theirs } of invoices) {
    const page = await portalLogin(browser, testInfo, app.portalUrl, login)
    await page.goto(`${app.portalUrl}/factures`)
    await expect(page.getByRole('heading', { name: 'Factures et documents' })).toBeVisible()
    await expect(page.getByText(mine, { exact: true }).first()).toBeVisible()
    await expect(page.getByText(theirs)).toHaveCount(0)
    await page.context().close()
  }
  await api.dispose()
})
