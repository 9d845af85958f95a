import type { Page } from '@playwright/test'
import { test, expect, expectAccessible, familyLogin, staffLogin, DEMO_FAMILY as FAMILY } from './fixtures'

/**
 * Issue 18, the family portal: the month planning's labelled columns and « Tout cocher », pages that reflow at
 * 320 × 740 (logged out and in), a keyboard-only journey that never leaves focus on <body>, and the Contact page
 * built from Paramètres. One app for the file (the worker's); each test logs in once. Nothing here depends on the
 * day it runs: the planning opens on its first bookable month, whatever that is.
 */
/** The planning has chosen where to open (first bookable day) and loaded it. */
async function planningReady(page: Page) {
  await expect(page.locator('.pcontrols__title')).not.toHaveText('')
  await expect(page.getByText('Chargement du planning…')).toHaveCount(0)
}

async function openPlanning(page: Page, portalUrl: string) {
  await page.goto(`${portalUrl}/planning-reservations`)
  await expect(page.getByRole('heading', { name: 'Planning-Réservations', level: 1 })).toBeVisible()
  await planningReady(page)
}

/** The page is no wider than the screen (RGAA 10.11: reflow at 320 CSS px). */
async function expectNoSideScroll(page: Page, what: string) {
  const r = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }))
  expect(r.scroll, `${what}: ${r.scroll} px wide on a ${r.client} px screen`).toBeLessThanOrEqual(r.client)
}

/** What has focus, and a cheap name for it (aria-label, else its label, else its text). */
async function focused(page: Page) {
  return page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null
    const input = el as HTMLInputElement | null
    const name = el?.getAttribute('aria-label') ?? input?.labels?.[0]?.textContent ?? el?.textContent ?? ''
    return { tag: el?.tagName ?? 'BODY', name: name.replace(/\s+/g, ' ').trim() }
  })
}

/** Presses Tab (or Shift+Tab) until the focused element's name matches; focus must never fall on <body> meanwhile. */
async function tabTo(page: Page, name: RegExp, back = false) {
  for (let i = 0; i < 250; i++) {
    await page.keyboard.press(back ? 'Shift+Tab' : 'Tab')
    const f = await focused(page)
    expect(f.tag, `focus fell on <body> while looking for ${name}`).not.toBe('BODY')
    if (name.test(f.name)) return
  }
  throw new Error(`nothing named ${name} within 250 presses`)
}

/** After a step: focus is on an element with an accessible name, never on <body> (RGAA 7.1). */
async function expectNamedFocus(page: Page, name?: string | RegExp) {
  expect((await focused(page)).tag, 'focus on <body>').not.toBe('BODY')
  await expect(page.locator(':focus')).toHaveAccessibleName(name ?? /\S/)
}

test('month planning: a labelled column per moment, aligned across children and days; « Tout cocher » per child and unit; years where the view crosses them', async ({ app, page }) => {
  test.setTimeout(120_000)
  await familyLogin(page, app.portalUrl)
  await openPlanning(page, app.portalUrl)
  await expect(page.locator('table.pmonth')).toBeVisible()

  // Every box of a moment sits exactly under that moment's heading of its weekday, for every child and every day.
  const grid = await page.evaluate(() => {
    const all = (root: ParentNode, selector: string) => Array.from(root.querySelectorAll(selector)) as HTMLElement[]
    const heads = all(document, 'table.pmonth thead th')
    const misplaced: string[] = []
    let checked = 0
    const labels = all(heads[0], '.pmonth__head').map((h) => h.textContent?.trim())
    for (const row of all(document, 'table.pmonth tbody tr')) {
      all(row, ':scope > td').forEach((td, i) => {
        for (const slot of all(td, '.pmonth__slot:not(.pmonth__slot--journee)')) {
          const head = heads[i].querySelector(`.pmonth__head[data-slot="${slot.dataset.slot}"]`) as HTMLElement | null
          const a = slot.getBoundingClientRect()
          const b = head?.getBoundingClientRect()
          if (!b || Math.abs(a.left - b.left) > 0.5 || Math.abs(a.width - b.width) > 0.5) misplaced.push(`${td.textContent?.slice(0, 12)} ${slot.dataset.slot}`)
          // The unit in a column is of that moment (« Matin 7h30-8h20 » under « Matin »).
          for (const cell of all(slot, '.bcell')) {
            if (!(cell.getAttribute('title') ?? '').includes(` – ${head?.textContent?.trim()}`)) misplaced.push(`${cell.getAttribute('title')} under ${head?.textContent}`)
            checked++
          }
        }
      })
    }
    return { labels, misplaced, checked }
  })
  expect(grid.labels).toEqual(['Matin', 'Midi', 'Soir'])
  expect(grid.checked, 'boxes checked').toBeGreaterThan(40)
  expect(grid.misplaced).toEqual([])

  // « Modifier » is replaced: focus goes to the mode banner, not to <body>.
  await page.getByRole('button', { name: 'Modifier' }).click()
  await expect(page.locator('#mode-modification')).toBeFocused()
  const tick = page.getByRole('button', { name: /^Tout cocher : / }).first()
  const [, child, unit] = /^Tout cocher : (.+) – (.+)$/.exec(((await tick.textContent()) ?? '').replace(/\s+/g, ' ').trim())!
  const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  const cells = (state: string) => page.getByRole('button', { name: new RegExp(`^${esc(child)} – ${esc(unit)} – .* : ${esc(state)}$`) })
  const free = await cells('Réservation disponible').count()
  expect(free, `free days of ${child} – ${unit}`).toBeGreaterThan(0)
  await tick.click()
  await expect(tick).toHaveAttribute('aria-pressed', 'true')
  await expect(cells('Demande de réservation (ajout en cours de saisie)')).toHaveCount(free)
  await expect(cells('Réservation disponible')).toHaveCount(0)
  await expect(page.getByRole('button', { name: `Terminer les modifications (${free})` })).toHaveCount(2)
  await expect(page.getByTestId('annonce')).toHaveText(`${child} – ${unit} : ${free} jour${free > 1 ? 's' : ''} coché${free > 1 ? 's' : ''}. ${free} modification${free > 1 ? 's' : ''} en cours.`)
  await expectAccessible(page, 'planning, tout cocher')
  // Pressed again, it unticks them.
  await tick.click()
  await expect(tick).toHaveAttribute('aria-pressed', 'false')
  await expect(cells('Réservation disponible')).toHaveCount(free)
  await expect(page.getByRole('button', { name: 'Terminer les modifications (0)' })).toHaveCount(2)
  await page.getByRole('button', { name: 'Annuler la saisie' }).first().click()
  await expect(page.getByRole('button', { name: 'Modifier' })).toBeFocused()

  // A fortnight across New Year: each day's name says its year.
  await page.getByRole('button', { name: 'Quinzaine' }).click()
  const title = page.locator('.pcontrols__title')
  for (let i = 0; i < 30 && !/\/(\d{4}) au .*\/(?!\1)\d{4}$/.test(await title.innerText()); i++) await page.getByRole('button', { name: 'Période suivante' }).click()
  await expect(title).toHaveText(/\/(\d{4}) au .*\/(?!\1)\d{4}$/)
  await expect(page.getByText('Chargement du planning…')).toHaveCount(0)
  const names = await page.locator('.ptable .bcell[title], .ptable abbr[title]').evaluateAll((els) => els.map((e) => e.getAttribute('title') ?? ''))
  expect(names.some((n) => / \d{4} : /.test(n)), 'a cell of the fortnight').toBe(true)
  for (const n of names) expect(n).toMatch(/^(.+ – .+ – \S+ \d+ \S+ \d{4} : .+|\S+ \d+ \S+ \d{4})$/)
})

test('a keyboard-only journey: log in, book two days, Terminer, then Factures and Payer; focus is never left on <body>', async ({ app, page }) => {
  test.setTimeout(180_000)
  await page.goto(`${app.portalUrl}/connexion`)
  await tabTo(page, /^Identifiant/)
  await page.keyboard.type(FAMILY.login)
  await tabTo(page, /^Mot de passe/)
  await page.keyboard.type(FAMILY.password)
  await page.keyboard.press('Enter')
  await expect(page.getByRole('heading', { name: /^Bienvenue / })).toBeVisible()
  await expectNamedFocus(page, /^Bienvenue /)

  // The tabs come before the page's content: back up to them.
  await tabTo(page, /^Planning$/, true)
  await page.keyboard.press('Enter')
  await expect(page.getByRole('heading', { name: 'Planning-Réservations', level: 1 })).toBeFocused()
  await planningReady(page)
  await expect(page.getByRole('button', { name: 'Modifier' })).toBeVisible()
  await tabTo(page, /^Modifier$/)
  await page.keyboard.press('Enter')
  await expectNamedFocus(page, 'Mode modification')

  for (const n of [1, 2]) {
    await tabTo(page, /: Réservation disponible$/)
    await page.keyboard.press('Space')
    await expectNamedFocus(page, /\(ajout en cours de saisie\)$/)
    await expect(page.getByTestId('annonce')).toHaveText(new RegExp(`\\(ajout en cours de saisie\\)\\. ${n} modifications? en cours\\.$`))
  }
  // The « Terminer » after the grid: no tabbing back over every cell.
  await tabTo(page, /^Terminer les modifications \(2\)$/)
  expect(await page.evaluate(() => document.activeElement?.id)).toBe('terminer-bas')
  await page.keyboard.press('Enter')
  await expectNamedFocus(page, 'Validation des modifications')
  await tabTo(page, /^Terminer$/)
  await page.keyboard.press('Enter')
  await expectNamedFocus(page, /Votre réservation est terminée/)

  await tabTo(page, /^Factures$/, true)
  await page.keyboard.press('Enter')
  await expect(page.getByRole('heading', { name: 'Factures et documents', level: 1 })).toBeFocused()
  // As a keyboard user would, wait for the invoices to be on screen before moving on (the table replaces its
  // placeholder when they arrive, and focus inside a replaced part would fall to <body>).
  await expect(page.getByRole('button', { name: 'Payer', exact: true })).toBeVisible()
  await tabTo(page, /^Payer$/)
  await expectNamedFocus(page, 'Payer')
  await page.keyboard.press('Enter')
  await expect(page.getByRole('heading', { name: 'Paiement sécurisé' })).toBeVisible()
})

test('the Contact page shows what Paramètres says, checked in French there; the file picker speaks French', async ({ app, browser, page }) => {
  test.setTimeout(120_000)
  const staff = await browser.newPage({ viewport: { width: 1280, height: 800 } })
  await staffLogin(staff, app.staffUrl, 'direction', 'Paramètres')
  await staff.getByRole('link', { name: 'Paramètres' }).click()
  await expect(staff.getByText('Contact sur le portail')).toBeVisible()
  await expect(staff.getByText('Aucun fichier choisi')).toBeVisible()
  await expect(staff.getByText('Choisir un logo')).toBeVisible()
  await staff.getByRole('button', { name: 'Ajouter un numéro' }).click()
  await staff.getByLabel('Libellé 3', { exact: true }).fill('Relais petite enfance')
  await staff.getByLabel('Numéro 3', { exact: true }).fill('05 61')
  await staff.getByRole('button', { name: 'Enregistrer' }).click()
  await expect(staff.locator('#st-phone-number-2-error')).toHaveText(/Numéro de téléphone invalide\./)
  await staff.getByLabel('Numéro 3', { exact: true }).fill('05 61 00 00 03')
  await staff.getByRole('button', { name: 'Enregistrer' }).click()
  await expect(staff.getByText('Informations de la structure enregistrées')).toBeVisible()
  await staff.close()

  // Logged out: the footer's Contact link.
  await page.goto(`${app.portalUrl}/connexion`)
  await page.getByRole('contentinfo').getByRole('link', { name: 'Contact et horaires' }).click()
  await expect(page.getByRole('heading', { name: 'Contact', level: 1 })).toBeVisible()
  await expect(page.getByText('Accueil administratif')).toBeVisible()
  await expect(page.getByRole('link', { name: '05 61 00 00 03' })).toHaveAttribute('href', 'tel:0561000003')
  await expect(page.getByRole('link', { name: /Voir l’adresse sur une carte/ })).toHaveAttribute('href', /^https:\/\/www\.openstreetmap\.org\/search\?query=/)
  await expect(page.getByRole('link', { name: 'Se connecter pour écrire à la structure' })).toBeVisible()
  await expectAccessible(page, 'contact')
})

test.describe('at 320 × 740', () => {
  test.use({ viewport: { width: 320, height: 740 }, isMobile: true, hasTouch: true })

  test('no portal page scrolls sideways, logged out or in; tables become cards; the bottom bar and its menu', async ({ app, page }) => {
    test.setTimeout(240_000)
    const links = async (scope: string) =>
      [...new Set(await page.locator(scope).evaluateAll((as) => as.map((a) => a.getAttribute('href') ?? '')))].filter((h) => h.startsWith('/') && !h.startsWith('/api/'))
    const visitAll = async (hrefs: string[], who: string) => {
      for (const href of hrefs) {
        await page.goto(app.portalUrl + href)
        await expect(page.getByRole('heading', { level: 1 })).toBeVisible()
        await page.waitForLoadState('networkidle')
        await expectNoSideScroll(page, `${who} ${href}`)
      }
    }

    await page.goto(`${app.portalUrl}/connexion`)
    await expect(page.getByRole('link', { name: /Mot de passe oublié/ })).toBeVisible()
    const guest = await links('header a, footer a, main a')
    expect(guest).toEqual(expect.arrayContaining(['/connexion', '/creer-un-compte', '/contact', '/mot-de-passe-oublie']))
    await visitAll(guest, 'sans session')
    await expectAccessible(page, 'dernière page sans session')

    await familyLogin(page, app.portalUrl)
    await expect(page.getByRole('heading', { name: 'Mes services' })).toBeVisible()
    // The home's counters are links.
    await expect(page.getByRole('main').getByRole('link', { name: /demandes? en attente/ })).toHaveAttribute('href', '/mes-demandes')
    await expect(page.getByRole('main').getByRole('link', { name: /nouveaux? messages?/ })).toHaveAttribute('href', '/messagerie')
    const bar = page.getByRole('navigation', { name: 'Rubriques' })
    await expect(bar.getByRole('link', { name: 'Planning' })).toBeVisible()
    await bar.getByRole('button', { name: 'Menu' }).click()
    await expect(bar.getByRole('button', { name: 'Menu' })).toHaveAttribute('aria-expanded', 'true')
    await expect(bar.getByRole('link', { name: 'Mon dossier' })).toBeVisible()
    await page.keyboard.press('Escape')
    await expect(bar.getByRole('button', { name: 'Menu' })).toBeFocused()
    const member = await links('nav a, main a')
    expect(member.length).toBeGreaterThanOrEqual(12)
    await visitAll(member, 'connecté')

    // Factures: the invoice table is cards, « Payer avant » inside the screen.
    await page.goto(`${app.portalUrl}/factures`)
    const due = page.locator('td[data-label="Payer avant"]').first()
    await expect(due).toBeVisible()
    const box = (await due.boundingBox())!
    expect(box.x + box.width).toBeLessThanOrEqual(320)
    await expectAccessible(page, 'factures 320')
    // Téléchargements has the menus the news promises.
    await page.goto(`${app.portalUrl}/telechargements`)
    await expect(page.getByRole('link', { name: /^Menus (de |d’)/ }).first()).toBeVisible()

    // The planning in « Modifier », phone layout, still 320 px wide; the deadlines fold into one line.
    await openPlanning(page, app.portalUrl)
    await expectNoSideScroll(page, 'planning')
    await page.getByRole('button', { name: 'Modifier' }).click()
    await expect(page.locator('#mode-modification')).toBeFocused()
    await expectNoSideScroll(page, 'planning en modification')
    await expectAccessible(page, 'planning 320 en modification')
  })
})
