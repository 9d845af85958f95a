import type { Page } from '@playwright/test'
import ICAL from 'ical.js'
import { test, expect, expectAccessible, familyLogin } from './fixtures'

/**
 * Issue 18, « Agenda des réservations » in Mon compte: the family turns its iCalendar link on, the link answers
 * with the children's booked days, and « Générer un nouveau lien » replaces it (the old one then answers 404).
 * Desktop, then 320 × 740 (no side scroll). axe-clean in each state.
 */
async function openAccount(page: Page, portalUrl: string) {
  await familyLogin(page, portalUrl)
  await page.goto(`${portalUrl}/mon-compte`)
  await expect(page.getByRole('heading', { name: 'Agenda des réservations', level: 2 })).toBeVisible()
}

/** The feed's events (with the calendar app's eyes: no cookie), or the HTTP status when it is not a 200. */
async function readFeed(page: Page, url: string): Promise<{ status: number; events: string[] }> {
  const res = await page.request.fetch(url, { headers: { cookie: '' } })
  if (res.status() !== 200) return { status: res.status(), events: [] }
  expect(res.headers()['content-type']).toBe('text/calendar; charset=utf-8')
  const cal = new ICAL.Component(ICAL.parse(await res.text()))
  return { status: 200, events: cal.getAllSubcomponents('vevent').map((e) => String(e.getFirstPropertyValue('summary'))) }
}

const linkField = (page: Page) => page.getByLabel('Votre lien d’agenda personnel')

async function turnOnOrRead(page: Page): Promise<string> {
  const on = page.getByRole('button', { name: 'Activer le lien d’agenda' })
  // The section renders once its state is loaded: wait for one of its two forms before asking which one it is.
  await expect(on.or(linkField(page))).toBeVisible()
  if (await on.isVisible()) {
    await on.click()
    await expect(page.getByRole('status')).toContainText('Votre lien d’agenda est prêt')
  }
  await expect(linkField(page)).toHaveValue(/\/agenda\/[A-Za-z0-9_-]{43}\.ics$/)
  return linkField(page).inputValue()
}

async function regenerate(page: Page, old: string): Promise<string> {
  await page.getByRole('button', { name: 'Générer un nouveau lien' }).click()
  await expect(page.getByText('L’ancien lien cessera de fonctionner immédiatement')).toBeVisible()
  await expectAccessible(page, 'agenda: confirmation')
  await page.getByRole('button', { name: 'Oui, générer un nouveau lien' }).click()
  await expect(page.getByRole('status')).toContainText('Un nouveau lien a été créé')
  await expect(linkField(page)).not.toHaveValue(old)
  // Focus goes to the new link, not to <body>.
  await expect(linkField(page)).toBeFocused()
  return linkField(page).inputValue()
}

test('the family turns the agenda link on, reads its booked days from it, and replaces it', async ({ app, page }) => {
  await openAccount(page, app.portalUrl)
  const url = await turnOnOrRead(page)
  expect(url.startsWith(app.portalUrl)).toBe(true)
  await expect(page.getByRole('link', { name: 'S’abonner avec l’application d’agenda de cet appareil' })).toHaveAttribute('href', url.replace(/^https:/, 'webcal:'))
  const feed = await readFeed(page, url)
  expect(feed.status).toBe(200)
  expect(feed.events.length).toBeGreaterThan(0)
  // First names only: never the family's last name.
  expect(feed.events.join('\n')).not.toMatch(/g[ée]rard/i)
  await page.getByText(/Comment ajouter le lien à mon agenda/).click()
  await expect(page.getByText('S’abonner à partir du web')).toBeVisible()
  await expectAccessible(page, 'agenda: lien actif')

  const renewed = await regenerate(page, url)
  expect((await readFeed(page, url)).status).toBe(404)
  expect((await readFeed(page, renewed)).status).toBe(200)
})

test.describe('at 320 × 740', () => {
  test.use({ viewport: { width: 320, height: 740 }, isMobile: true, hasTouch: true })
  test('the agenda section fits the screen and regenerating works', async ({ app, page }) => {
    await openAccount(page, app.portalUrl)
    const url = await turnOnOrRead(page)
    await page.getByText(/Comment ajouter le lien à mon agenda/).click()
    const r = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }))
    expect(r.scroll, `${r.scroll} px wide on a ${r.client} px screen`).toBeLessThanOrEqual(r.client)
    await expectAccessible(page, 'agenda 320')
    const renewed = await regenerate(page, url)
    expect((await readFeed(page, url)).status).toBe(404)
    expect((await readFeed(page, renewed)).status).toBe(200)
  })
})
