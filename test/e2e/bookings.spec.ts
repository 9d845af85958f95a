import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Page } from '@playwright/test'
import { test, expect, expectAccessible, frDate, staffApi, staffLogin } from './fixtures'

/**
 * Issue #5 journeys on the demo app (on the fixture’s clock; the @dates one is replayed at the school year’s edges,
 * see playwright.config.ts):
 *  1. a family books 4 Wednesdays, sees the recap at 4 × the unit price, clicks Terminer and gets the e-mail; staff
 *     validate and the cells turn R; the family asks to cancel one after the deadline, staff bill it: A Fact.
 *     Tagged @phone: replayed at 390×844 with the one-day phone layout.
 *  2. staff take attendance for a day and print the list; pdftotext finds every child.
 * The deadlines are set for the test (booking until the day before, cancellation 120 days ahead) so that it does
 * not depend on the day it runs.
 */


/**
 * After a (re)load, waits until the planning shows a period and its bookings are in. Checking "Chargement" alone
 * passed before the page had even mounted, and the month loops below then skipped the month they were looking for.
 */
async function planningReady(page: Page) {
  await expect(page.locator('.pcontrols__title')).toHaveText(/\S/)
  await expect(page.getByText('Chargement du planning…')).toHaveCount(0)
}

/** Clicks a planning arrow and waits until the new period is shown and loaded (no count on a stale planning). */
async function go(page: Page, name: 'Mois suivant' | 'Jour suivant') {
  const title = page.locator('.pcontrols__title')
  const before = await title.innerText()
  await page.getByRole('button', { name }).click()
  await expect(title).not.toHaveText(before)
  await expect(page.getByText('Chargement du planning…')).toHaveCount(0)
}

/** The first period of the activity with at least five Wednesdays left after today (this year's, or next year's near its end). */
function periodAhead(periods: { id: number; name: string; startDate: string; endDate: string }[], today: string) {
  const soon = new Date(Date.parse(`${today}T12:00:00Z`) + 35 * 86_400_000).toISOString().slice(0, 10)
  const p = periods.filter((x) => x.endDate >= soon).sort((a, b) => a.startDate.localeCompare(b.startDate))[0]
  expect(p, `a Wednesday period with five weeks left after ${today}`).toBeTruthy()
  return p
}

test('a family books 4 Wednesdays, staff validate, a late cancellation is billed @phone @dates', async ({ app, browser }, testInfo) => {
  test.setTimeout(180_000)
  const phone = testInfo.project.name === 'phone'
  const lastName = phone ? 'Resamobile' : 'Resabureau'
  const first = phone ? 'Maya' : 'Noé'
  const email = `famille.${lastName.toLowerCase()}@exemple.fr`
  const api = await staffApi(app.staffUrl)
  const tree = await api.call('activities-tree')
  const cl = tree.flatMap((f: any) => f.types.flatMap((t: any) => t.activities)).find((a: any) => a.name === 'CL Élémentaire Mercredis')
  const period = periodAhead(cl.periods, app.today)
  const group = cl.groups.find((g: any) => g.name === '6-8 ans')
  // Seven on the period's first day: in the 6-8 group whatever the year.
  const birthDate = `${Number(period.startDate.slice(0, 4)) - 7}-04-12`
  const fam = await api.call('families-create', {
    responsable: { civility: 'Mme', lastName, firstName: 'Sarah', email, phoneMobile: '06 11 22 33 44' },
    children: [{ lastName, firstName: first, birthDate, sex: phone ? 'F' : 'M' }]
  })
  const detail = await api.call('families-get', { familyId: fam.familyId })
  const childId = detail.children[0].id
  await api.call('accounts-create-portal', { familyId: fam.familyId, login: email })
  const credentials = await app.waitForMail(email, 'Vos identifiants')
  const provisional = /Mot de passe provisoire : (\S+)/.exec(credentials.text ?? '')![1]
  await api.call('enrolments-create', { childId, periodId: period.id, groupId: group.id })
  await api.call('bookings-rules-set', {
    activityId: cl.id,
    version: (await api.call('bookings-rules-get', { activityId: cl.id })).version,
    booking: { kind: 'none' },
    cancellation: { kind: 'days-before', days: 120, time: '00:00' },
    familyChanges: true
  })
  await api.dispose()

  // The family logs in (forced password change) and opens the planning.
  const familyCtx = await browser.newContext({ ignoreHTTPSErrors: true, ...testInfo.project.use })
  const portal = await familyCtx.newPage()
  await portal.goto(`${app.portalUrl}/connexion`)
  await portal.getByLabel('Identifiant (adresse e-mail)').fill(email)
  await portal.getByLabel('Mot de passe').fill(provisional)
  await portal.getByRole('button', { name: 'Se connecter' }).click()
  const fresh = 'une phrase de passe pour reserver'
  await portal.getByLabel('Mot de passe actuel').fill(provisional)
  await portal.getByLabel(/^Nouveau mot de passe/).fill(fresh)
  await portal.getByLabel(/^Confirmation/).fill(fresh)
  await portal.getByRole('button', { name: 'Enregistrer le nouveau mot de passe' }).click()
  await expect(portal.getByRole('heading', { name: /^Bienvenue / })).toBeVisible()
  await portal.getByRole('link', { name: /Planning-Réservations/ }).first().click()
  await expect(portal.getByRole('heading', { name: 'Planning-Réservations', level: 1 })).toBeVisible()
  await planningReady(portal)
  await expectAccessible(portal, 'planning')

  // 1. Modifier  2. tick 4 Wednesdays ("Après-midi sans repas", 7,50 €)
  if (!phone) {
    // Near the end of a school year the enrolment is next year's: "Modifier" shows from its first month.
    for (let i = 0; i < 4 && (await portal.getByRole('button', { name: 'Modifier' }).count()) === 0; i++) await go(portal, 'Mois suivant')
  }
  await portal.getByRole('button', { name: 'Modifier' }).click()
  if (!phone) {
    const free = () => portal.getByRole('button', { name: new RegExp(`^${first} – Après-midi sans repas – mercredi .* : Réservation disponible$`) })
    for (let i = 0; i < 6 && (await free().count()) < 4; i++) await go(portal, 'Mois suivant')
    for (let i = 0; i < 4; i++) await free().first().click()
    await expectAccessible(portal, 'planning en modification')
  } else {
    let chosen = 0
    await go(portal, 'Mois suivant')
    for (let i = 0; i < 70 && chosen < 4; i++) {
      const option = portal.getByRole('radio', { name: /^Après-midi sans repas \(Réservation disponible\)$/ })
      if ((await option.count()) === 1 && (await option.isEnabled())) {
        await option.check()
        chosen++
        if (chosen === 1) await expectAccessible(portal, 'planning téléphone')
      }
      await go(portal, 'Jour suivant')
    }
    expect(chosen).toBe(4)
  }
  // 3. Terminer les modifications  4. the recap at 4 × the unit price  5. Terminer
  // Above the planning (the second one, after the grid, is for keyboards: portal-layout.spec.ts).
  await portal.getByRole('button', { name: 'Terminer les modifications (4)' }).first().click()
  await expect(portal.getByRole('heading', { name: 'Validation des modifications' })).toBeVisible()
  const recapTable = portal.getByRole('table', { name: 'Récapitulatif de votre saisie' })
  await expect(recapTable.getByRole('row')).toHaveCount(6)
  // The unit price comes from billing's tariffs (or the unit's price): the total must be 4 times the one line's cost.
  const cost = (await recapTable.getByRole('row').nth(1).getByRole('cell').last().innerText()).trim()
  const cents = Number(cost.replace(/[^\d]/g, ''))
  expect(cents).toBeGreaterThan(0)
  const total = `${Math.floor((4 * cents) / 100)},${String((4 * cents) % 100).padStart(2, '0')} €`
  await expect(portal.getByText(`4 modifications à l’unité : ${total}`)).toBeVisible()
  await expectAccessible(portal, 'récapitulatif')
  await portal.getByRole('button', { name: 'Terminer', exact: true }).click()
  await expect(portal.getByRole('heading', { name: 'Votre réservation est terminée' })).toBeVisible()
  const recap = await app.waitForMail(email, 'Récapitulatif de vos réservations du')
  expect(recap.text).toContain(`Demande de réservation\t${cost.replace(/\s*€$/, '')}`)

  // Staff validate the four requests.
  const staffCtx = await browser.newContext({ viewport: { width: 1280, height: 800 } })
  const staff = await staffCtx.newPage()
  await staffLogin(staff, app.staffUrl, 'accueil', 'Réservations à valider')
  await staff.getByRole('link', { name: 'Réservations à valider' }).click()
  const rows = staff.getByRole('row').filter({ hasText: `${first} ${lastName}` })
  await expect(rows).toHaveCount(4)
  for (let i = 0; i < 4; i++) await rows.nth(i).getByRole('checkbox').check()
  await staff.getByRole('button', { name: 'Accepter', exact: true }).click()
  await expect(staff.getByText('4 demandes traitées')).toBeVisible()
  await app.waitForMail(email, 'Réponse à vos demandes de réservation')

  // The family sees R; asks to cancel one (after the cancellation deadline).
  await portal.getByRole('button', { name: 'Revenir au planning' }).click()
  await portal.reload()
  await planningReady(portal)
  if (!phone) {
    for (let i = 0; i < 6 && (await portal.getByRole('button', { name: /Réservation validée/ }).count()) < 4; i++) await go(portal, 'Mois suivant')
    await expect(portal.getByRole('button', { name: /Réservation validée, annulation hors délai : facturée/ })).toHaveCount(4)
    await portal.getByRole('button', { name: /Réservation validée/ }).first().click()
  } else {
    await go(portal, 'Mois suivant')
    for (let i = 0; i < 40 && (await portal.getByRole('button', { name: /^Demander l’annulation/ }).count()) === 0; i++) await go(portal, 'Jour suivant')
    await portal.getByRole('button', { name: /^Demander l’annulation/ }).first().click()
  }
  const dialog = portal.getByRole('dialog', { name: 'Demander l’annulation' })
  await expect(dialog.getByText(/Le délai d’annulation est dépassé/)).toBeVisible()
  await expect(dialog.getByText('Résultat : Demande d’annulation (hors délai).')).toBeVisible()
  await dialog.getByRole('button', { name: 'Confirmer la demande d’annulation' }).click()
  await expect(portal.getByText(/^Demande d’annulation \(hors délai\) : /)).toBeVisible()

  // Staff bill it.
  await staff.reload()
  await staff.getByRole('combobox', { name: 'Type' }).click()
  await staff.getByRole('option', { name: 'Annulations' }).click()
  const cancelRow = staff.getByRole('row').filter({ hasText: `${first} ${lastName}` })
  await expect(cancelRow).toHaveCount(1)
  await expect(cancelRow).toContainText('Hors délai')
  await cancelRow.getByRole('checkbox').check()
  await staff.getByRole('button', { name: 'Facturer' }).click()
  await expect(staff.getByText('1 demande traitée')).toBeVisible()
  const reply = await app.waitForMail(email, 'Réponse à vos demandes d’annulation')
  expect(reply.text).toMatch(/1 annulation facturée le : \d\d\/\d\d/)
  await staffCtx.close()

  // The cell shows A Fact.
  await portal.reload()
  await planningReady(portal)
  if (!phone) {
    for (let i = 0; i < 6 && (await portal.getByText(/: Absence facturée$/).count()) === 0; i++) await go(portal, 'Mois suivant')
    await expect(portal.getByText(new RegExp(`^${first} – Après-midi sans repas – mercredi .* : Absence facturée$`))).toHaveCount(1)
  } else {
    await go(portal, 'Mois suivant')
    for (let i = 0; i < 40 && (await portal.getByText('Absence facturée', { exact: true }).count()) === 0; i++) await go(portal, 'Jour suivant')
    await expect(portal.getByText('Absence facturée', { exact: true }).first()).toBeVisible()
  }
  await familyCtx.close()
})

test('staff take attendance for a day and print the list: every child is in the PDF', async ({ app, browser }) => {
  test.setTimeout(120_000)
  const api = await staffApi(app.staffUrl)
  const tree = await api.call('activities-tree')
  const matin = tree.flatMap((f: any) => f.types.flatMap((t: any) => t.activities)).find((a: any) => a.name === 'ALAE Matin')
  const today = app.today
  const until = new Date(Date.parse(`${today}T12:00:00Z`) + 40 * 86_400_000).toISOString().slice(0, 10)
  const occ = await api.call('bookings-occupancy', { from: today, to: until, activityId: matin.id })
  const day = occ.cells.find((c: any) => c.booked > 0)?.day as string
  expect(day, 'a day with ALAE Matin bookings in the demo').toBeTruthy()
  const list = await api.call('attendance-list', { day, activityId: matin.id })
  await api.dispose()
  expect(list.rows.length).toBeGreaterThan(0)

  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 }, acceptDownloads: true })
  const page = await ctx.newPage()
  await staffLogin(page, app.staffUrl, 'accueil', 'Réservations à valider')
  await page.getByRole('link', { name: 'Pointage', exact: true }).click()
  await expect(page.getByRole('heading', { name: 'Pointage' })).toBeVisible()
  const dayInput = page.locator('#att-day')
  await dayInput.fill(frDate(day))
  await dayInput.press('Enter')
  await page.getByRole('combobox', { name: 'Activité' }).click()
  await page.getByRole('option', { name: /ALAE Matin$/ }).click()
  const firstRow = list.rows[0]
  const row = page.getByRole('listitem').filter({ hasText: `${firstRow.lastName.toUpperCase()} ${firstRow.firstName}` }).first()
  await row.getByRole('button', { name: 'Présent' }).click()
  await expect(row.getByRole('button', { name: 'Présent' })).toHaveAttribute('aria-pressed', 'true')
  // Keyboard: type a name, Enter marks the only match present.
  const second = list.rows.find((r: any) => r.bookingId !== firstRow.bookingId && list.rows.filter((x: any) => x.lastName === r.lastName && x.firstName === r.firstName).length === 1)
  if (second) {
    await page.getByLabel('Trouver un enfant').fill(`${second.firstName} ${second.lastName}`)
    await page.getByLabel('Trouver un enfant').press('Enter')
    await expect(page.getByRole('listitem').filter({ hasText: `${second.lastName.toUpperCase()} ${second.firstName}` }).getByRole('button', { name: 'Présent' })).toHaveAttribute('aria-pressed', 'true')
  }
  await expectAccessible(page, 'pointage')

  const downloadPromise = page.waitForEvent('download')
  await page.getByRole('button', { name: 'Imprimer la liste (PDF)' }).click()
  const download = await downloadPromise
  const dir = mkdtempSync(join(tmpdir(), 'ribambelle-pdf-'))
  try {
    const file = join(dir, 'pointage.pdf')
    await download.saveAs(file)
    execFileSync('pdftotext', ['-layout', file, join(dir, 'pointage.txt')])
    const text = readFileSync(join(dir, 'pointage.txt'), 'utf8')
    for (const r of list.rows) expect(text, `${r.lastName} ${r.firstName}`).toContain(`${r.lastName.toUpperCase()} ${r.firstName}`)
    // The sign-in and sign-out sheet of the same list, one click away.
    const [sheet] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Feuille d’émargement (PDF)' }).click()])
    expect(sheet.suggestedFilename()).toMatch(/^emargement-alae-matin-\d{4}-\d{2}-\d{2}\.pdf$/)
    const signIn = execFileSync('pdftotext', ['-layout', await sheet.path(), '-'], { encoding: 'utf8' })
    expect(signIn).toContain('Feuille d’émargement – ALAE Matin')
    expect(signIn).toContain(`${firstRow.lastName.toUpperCase()} ${firstRow.firstName}`)
    // The health sheets for an outing: everyone expected is ticked; untick the first child, one page per other child.
    await page.getByRole('button', { name: 'Fiches sanitaires (sortie)' }).click()
    const dialog = page.getByRole('dialog', { name: 'Fiches sanitaires de liaison' })
    const going = [...new Set(list.rows.filter((r: any) => !['ABSENT', 'A_EXC', 'A_FACT'].includes(r.state)).map((r: any) => r.childId))]
    await expect(dialog.getByRole('checkbox', { checked: true })).toHaveCount(going.length)
    await expectAccessible(page, 'fiches sanitaires')
    await dialog.getByRole('checkbox', { name: `${firstRow.lastName.toUpperCase()} ${firstRow.firstName}` }).uncheck()
    const [sheets] = await Promise.all([page.waitForEvent('download'), dialog.getByRole('button', { name: 'Imprimer les fiches (PDF)' }).click()])
    expect(sheets.suggestedFilename()).toMatch(/^fiches-sanitaires-alae-matin-\d{4}-\d{2}-\d{2}\.pdf$/)
    const health = execFileSync('pdftotext', ['-layout', await sheets.path(), '-'], { encoding: 'utf8' })
    expect(health.split('\f').filter((p) => p.includes('Fiche sanitaire de liaison'))).toHaveLength(going.length - 1)
    expect(health).not.toContain(`${firstRow.lastName.toUpperCase()} ${firstRow.firstName}`)
    await expect(dialog).toBeHidden()
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
  await ctx.close()
})

test('the booking pages pass axe with a demo family’s real plannings @phone', async ({ app, page }) => {
  test.setTimeout(120_000)
  await page.goto(`${app.portalUrl}/connexion`)
  await page.getByLabel('Identifiant (adresse e-mail)').fill('aurelie.gerard0@exemple.fr')
  await page.getByLabel('Mot de passe').fill('demo-famille-2026')
  await page.getByRole('button', { name: 'Se connecter' }).click()
  await expect(page.getByRole('heading', { name: /^Bienvenue / })).toBeVisible()
  for (const path of ['/planning-reservations', '/planning-reservations/periode', '/planning-reservations/absence', '/planning-reservations/demandes']) {
    await page.goto(app.portalUrl + path)
    await expect(page.getByRole('heading', { level: 1 })).toBeVisible()
    await page.waitForLoadState('networkidle')
    await expectAccessible(page, path)
  }
  // Quinzaine and Semaine views (desktop only: the phone shows one day).
  if ((page.viewportSize()?.width ?? 0) >= 600) {
    await page.goto(`${app.portalUrl}/planning-reservations`)
    await page.waitForLoadState('networkidle')
    for (const view of ['Quinzaine', 'Semaine']) {
      await page.getByRole('button', { name: view }).click()
      await page.waitForLoadState('networkidle')
      await expect(page.getByRole('table').first()).toBeVisible()
      await expectAccessible(page, view)
    }
  }
  // The absence form shows the certificate field for maladie, and refuses without it.
  await page.goto(`${app.portalUrl}/planning-reservations/absence`)
  await expect(page.getByLabel('Certificat médical')).toBeVisible()
  await page.getByRole('button', { name: 'Déclarer l’absence' }).click()
  await expect(page.getByText('Joignez le certificat médical.')).toBeVisible()
  await expectAccessible(page, 'absence avec erreurs')
})
