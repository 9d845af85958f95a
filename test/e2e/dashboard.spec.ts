import { execFileSync } from 'node:child_process'
import type { Locator } from '@playwright/test'
import { formatEuro } from '../../src-shared/billing/money'
import { test, expect, expectAccessible, staffApi, staffLogin } from './fixtures'

/**
 * The back-office home (#18, the desk's day) on the demo data: every chart
 * is drawn (its canvas is not blank) and named, its « Voir les données »
 * table shows the figures the API returns, the tiles link to their lists,
 * and money stays hidden from the accueil. The figures themselves are
 * checked against the rows in test/integration/desk-day.test.ts.
 */

/** True when the canvas holds at least one non-transparent pixel: Chart.js drew something. */
async function drawn(canvas: Locator): Promise<boolean> {
  return canvas.evaluate((c: HTMLCanvasElement) => {
    const px = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data
    for (let i = 3; i < px.length; i += 4) if (px[i] !== 0) return true
    return false
  })
}

/** The rows of a chart's data table (opened first), as trimmed cell texts with spaces normalised. */
async function chartTable(tile: Locator, caption: RegExp): Promise<string[][]> {
  const details = tile.locator('details.chart-data').filter({ has: tile.page().locator('caption', { hasText: caption }) })
  await details.locator('summary').click()
  const table = details.getByRole('table', { name: caption })
  await expect(table).toBeVisible()
  return table.locator('tr').evaluateAll((trs) => trs.map((tr) => Array.from(tr.children).map((c) => (c.textContent ?? '').replace(/\s+/g, ' ').trim())))
}

const norm = (s: string) => s.replace(/\s+/g, ' ')

async function expectChart(tile: Locator, name: RegExp): Promise<void> {
  const canvas = tile.getByRole('img', { name })
  await expect(canvas).toBeVisible()
  await expect.poll(() => drawn(canvas)).toBe(true)
}

test('the home shows the desk’s day from the demo data, each chart drawn and given as a table', async ({ app, page }) => {
  test.setTimeout(120_000)
  const api = await staffApi(app.staffUrl)
  const [today, meals, week, money, queues] = await Promise.all(['dashboard-today', 'dashboard-meals', 'dashboard-week', 'dashboard-money', 'dashboard-queues'].map((n) => api.call(n)))
  await api.dispose()
  const errors: string[] = []
  page.on('pageerror', (e) => errors.push(e.message))
  await staffLogin(page, app.staffUrl, 'direction', "Journal d'audit")
  await expect(page.getByRole('heading', { name: /^Bonjour / })).toBeVisible()

  // Today: the headline totals, and a chart when children are expected (none on a Sunday).
  const todayTile = page.getByTestId('tile-today')
  if (today.units.length) {
    await expect(todayTile).toContainText(`${today.totals.present} présent`)
    await expect(todayTile).toContainText(`sur ${today.totals.expected} attendu`)
    await expectChart(todayTile, /^Enfants attendus et présents aujourd’hui/)
    const rows = await chartTable(todayTile, /^Enfants attendus et présents/)
    expect(rows[1]).toEqual(['Attendus', ...today.units.map((u: { expected: number }) => String(u.expected))])
    expect(rows[2]).toEqual(['Présents', ...today.units.map((u: { present: number }) => String(u.present))])
    // Live: a child marked present on another desk counts here within a second or two, without reloading the page.
    const live = await staffApi(app.staffUrl)
    const unit = today.units.find((u: { expected: number; present: number }) => u.expected > u.present)
    if (unit) {
      const list = await live.call('attendance-list', { day: today.day, activityId: unit.activityId, unitId: unit.unitId })
      const booking = list.rows.find((r: { state: string }) => r.state === 'R')
      await live.call('attendance-mark', { bookingId: booking.bookingId, status: 'present' })
      await expect(todayTile.locator('.headline')).toHaveText(new RegExp(`^${today.totals.present + 1} présents? sur ${today.totals.expected} `))
      await live.call('attendance-mark', { bookingId: booking.bookingId, status: 'reset' })
      await expect(todayTile.locator('.headline')).toHaveText(new RegExp(`^${today.totals.present} présents? sur ${today.totals.expected} `))
    }
    await live.dispose()
  } else {
    await expect(todayTile).toContainText('Aucun enfant attendu aujourd’hui.')
  }

  // Meals of the next day with meals: the count per diet, PAI children named.
  const mealsTile = page.getByTestId('tile-meals')
  const [m] = meals
  expect(m.total).toBeGreaterThan(0)
  await expect(mealsTile.locator('.headline')).toContainText(`${m.total} repas`)
  await expectChart(mealsTile, /^Repas à servir le .*, par régime/)
  const dietRows = await chartTable(mealsTile, /par régime/)
  expect(dietRows[0].slice(1)).toEqual(['Standard', 'Sans porc', 'Végétarien', 'Sans viande', 'PAI (panier repas ou menu adapté)'])
  expect(dietRows[1].slice(1)).toEqual(['standard', 'sans-porc', 'vegetarien', 'sans-viande', 'pai'].map((d) => String(m.counts[d])))
  for (const p of m.pai) await expect(mealsTile.getByText(p.name)).toBeVisible()
  // One click prints the kitchen sheet of that day: pdftotext finds the total and every PAI child.
  const [download] = await Promise.all([page.waitForEvent('download'), mealsTile.getByRole('button', { name: 'Fiche cuisine (PDF)' }).click()])
  expect(download.suggestedFilename()).toBe(`fiche-cuisine-${m.day}.pdf`)
  const sheet = execFileSync('pdftotext', ['-layout', await download.path(), '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ')
  expect(sheet).toContain(`${m.total} repas`)
  for (const p of m.pai) expect(sheet).toContain(p.name)

  // This week: occupancy rate per activity and day, the exact places in the table.
  const weekTile = page.getByTestId('tile-week')
  await expectChart(weekTile, /^Taux de remplissage du/)
  const weekRows = await chartTable(weekTile, /^Taux de remplissage/)
  expect(weekRows.slice(1).map((r) => r[0])).toEqual(week.activities.map((a: { name: string }) => a.name))
  week.activities.forEach((a: { cells: ({ taken: number; capacity: number | null } | null)[] }, i: number) => {
    a.cells.forEach((c, j) => {
      const text = weekRows[i + 1][j + 1]
      if (!c) expect(text).toBe('fermé')
      else if (c.capacity !== null) expect(text.startsWith(`${c.taken} / ${c.capacity} places`), text).toBe(true)
    })
  })
  const waitingTotal = week.waiting.reduce((n: number, w: { count: number }) => n + w.count, 0)
  await expect(weekTile.getByRole('heading', { name: `Listes d’attente (${waitingTotal})` })).toBeVisible()

  // Money: the unpaid total, the aged balance and the school year's months, the next debit.
  const moneyTile = page.getByTestId('tile-money')
  await expect(moneyTile.locator('.headline').first()).toContainText(norm(formatEuro(money.aged.total)))
  await expectChart(moneyTile, /^Impayés par ancienneté/)
  await expectChart(moneyTile, /^Facturé et encaissé par mois/)
  const agedRows = await chartTable(moneyTile, /^Impayés par ancienneté/)
  expect(agedRows[1].slice(1)).toEqual(['notDue', 'd30', 'd60', 'd90', 'older'].map((k) => norm(formatEuro(money.aged[k]))))
  const monthRows = await chartTable(moneyTile, /^Facturé et encaissé par mois/)
  expect(monthRows[1].slice(1)).toEqual(money.months.map((x: { invoicedCents: number }) => norm(formatEuro(x.invoicedCents))))
  if (money.nextDebit) await expect(page.getByTestId('next-debit')).toContainText(norm(formatEuro(money.nextDebit.amountCents)))

  // What waits: pending requests by kind, failed e-mails (direction).
  const queuesTile = page.getByTestId('tile-queues')
  const pending = queues.requests.reduce((n: number, r: { count: number }) => n + r.count, 0)
  await expect(page.getByTestId('pending-requests-count')).toHaveText(String(pending))
  if (pending) await expectChart(queuesTile, /^Demandes en attente par type/)
  await expect(page.getByTestId('failed-mails')).toContainText(`${queues.mails.failed} e-mail`)

  await expectAccessible(page, 'accueil du back-office')

  // Each tile leads to its list: the waiting lists open on their tab.
  await weekTile.getByRole('link', { name: 'Listes d’attente' }).click()
  await expect(page.getByRole('tab', { name: 'Liste d’attente' })).toHaveAttribute('aria-selected', 'true')
  await page.goBack()
  await queuesTile.getByRole('link', { name: 'Ouvrir la file de validation' }).click()
  await expect(page.getByRole('table', { name: 'Demandes en attente' })).toBeVisible()
  expect(errors).toEqual([])
})

test('the accueil’s home has no money and no e-mail figures', async ({ app, page }) => {
  await staffLogin(page, app.staffUrl, 'accueil', 'File de validation')
  await expect(page.getByTestId('tile-meals').locator('.headline')).toContainText('repas')
  await expect(page.getByTestId('tile-queues').getByTestId('pending-requests-count')).toBeVisible()
  await expect(page.getByTestId('tile-money')).toHaveCount(0)
  await expect(page.getByTestId('failed-mails')).toHaveCount(0)
})

test('Ctrl+K finds a family and an invoice by a fragment and opens them, from the keyboard alone', async ({ app, page }) => {
  const api = await staffApi(app.staffUrl)
  const families = await api.call('families-search', { status: 'active', limit: 1, offset: 0, query: '' })
  const family = families.items[0]
  const invoices = await api.call('billing-invoices-list', { query: '', unpaidOnly: false, limit: 1, offset: 0 })
  const invoice = invoices.items[0]
  await api.dispose()
  await staffLogin(page, app.staffUrl, 'direction', "Journal d'audit")

  await page.keyboard.press('Control+k')
  const box = page.getByRole('combobox', { name: /Rechercher une famille/ })
  await expect(box).toBeFocused()
  await page.keyboard.type(family.responsable.split(' ')[0].slice(0, 5))
  const option = page.getByRole('option').filter({ hasText: `Famille n° ${family.number}` })
  await expect(option).toBeVisible()
  await expect(page.getByRole('status').filter({ hasText: /résultat/ })).toContainText('Entrée pour ouvrir')
  await expectAccessible(page, 'recherche')
  // The arrows move the active option (aria-activedescendant) until the family's: Entrée opens it.
  const id = await option.getAttribute('id')
  for (let i = 0; i < 20 && (await box.getAttribute('aria-activedescendant')) !== id; i++) await page.keyboard.press('ArrowDown')
  await expect(option).toHaveAttribute('aria-selected', 'true')
  await page.keyboard.press('Enter')
  await expect(page.getByRole('heading', { level: 1, name: `Famille N° ${family.number} — ${family.responsable}` })).toBeVisible()

  // An invoice by the end of its number: its detail opens over the invoice list.
  await page.keyboard.press('Control+k')
  await expect(box).toBeFocused()
  await page.keyboard.type(invoice.number.slice(-6))
  await expect(page.getByRole('option').filter({ hasText: `Facture ${invoice.number}` })).toBeVisible()
  for (let i = 0; i < 20 && !(await page.getByRole('option', { selected: true }).innerText()).includes(invoice.number); i++) await page.keyboard.press('ArrowDown')
  await page.keyboard.press('Enter')
  await expect(page.getByRole('dialog', { name: `Facture ${invoice.number}` })).toBeVisible()
})
