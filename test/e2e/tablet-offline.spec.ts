import { test, expect, expectAccessible, staffApi, staffLogin } from './fixtures'

/**
 * Pointage on a tablet without WiFi (issue 15 §3): the animateur keeps
 * marking while offline, the tablet says so and counts what waits, and once
 * back online every mark reaches the back-office exactly once. On a tablet
 * the screen opens by group (big tiles), in landscape and portrait, with no
 * horizontal scroll. A mark kept more than a day is sent all the same; one
 * the server refuses stays on the tablet, explained, until someone decides.
 */
type Page = import('@playwright/test').Page
/** The elements that stick out of the viewport on the right (none: no horizontal scroll). */
const overflowing = (p: Page) =>
  p.evaluate(() => {
    const w = document.documentElement.clientWidth
    if (document.documentElement.scrollWidth <= w) return []
    return Array.from(document.querySelectorAll('body *'))
      .filter((e) => e.getBoundingClientRect().right > w + 1)
      .slice(0, 8)
      .map((e) => `${e.tagName.toLowerCase()}.${Array.from(e.classList).join('.')} → ${Math.round(e.getBoundingClientRect().right)}px`)
  })

/** A mark as offline-marks.ts keeps it in IndexedDB, written there as if made on this tablet earlier. */
async function keepMarkOnTablet(p: Page, mark: { userId: number; bookingId: number; status: string; markedAt: string; child: string }) {
  await p.evaluate(
    (m) =>
      new Promise<void>((resolve, reject) => {
        const open = indexedDB.open('ribambelle-pointage', 1)
        open.onerror = () => reject(open.error)
        open.onsuccess = () => {
          const tx = open.result.transaction('marks', 'readwrite')
          tx.objectStore('marks').add(m)
          tx.oncomplete = () => (open.result.close(), resolve())
          tx.onerror = () => reject(tx.error)
        }
      }),
    mark
  )
}
const animateurId = (p: Page) =>
  p.evaluate(() =>
    fetch('/api/staff/auth-session', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })
      .then((r) => r.json())
      .then((b) => b.user.id as number)
  )
test('a tablet goes offline, marks 10 children, comes back: the back-office shows the 10 marks once', async ({ app, browser }) => {
  test.setTimeout(150_000)
  // An activity of today with at least 10 children still to mark.
  const api = await staffApi(app.staffUrl)
  const tree = (await api.call('activities-tree')) as { name: string; types: { activities: { id: number; name: string }[] }[] }[]
  let chosen: { label: string; id: number; rows: { bookingId: number; state: string; lastName: string; firstName: string }[] } | null = null
  for (const f of tree) {
    for (const a of f.types.flatMap((t) => t.activities)) {
      const list = await api.call('attendance-list', { day: app.today, activityId: a.id })
      // Children found by their name on the page: homonyms (the demo has two Zoé André) are left out.
      const name = (r: { firstName: string; lastName: string }) => `${r.firstName} ${r.lastName}`
      const todo = list.rows.filter(
        (r: { state: string; firstName: string; lastName: string }) => r.state === 'R' && list.rows.filter((x: { firstName: string; lastName: string }) => name(x) === name(r)).length === 1
      )
      if (!chosen || todo.length > chosen.rows.length) chosen = { label: `${f.name} › ${a.name}`, id: a.id, rows: todo }
    }
  }
  expect(chosen!.rows.length).toBeGreaterThanOrEqual(10)
  const { label, id: activityId } = chosen!
  const before = await api.call('attendance-list', { day: app.today, activityId })

  // The desk watches the same list (live).
  const deskCtx = await browser.newContext({ viewport: { width: 1280, height: 800 } })
  const desk = await deskCtx.newPage()
  await staffLogin(desk, app.staffUrl, 'direction', 'Pointage')
  await desk.getByRole('link', { name: 'Pointage', exact: true }).click()
  await desk.getByLabel('Activité', { exact: true }).click()
  await desk.getByRole('option', { name: label, exact: true }).click()
  await expect(desk.getByRole('status').filter({ hasText: `${before.counts.present} présent` })).toBeVisible()

  // The tablet: an animateur, landscape, touch.
  const tabletCtx = await browser.newContext({ viewport: { width: 1024, height: 768 }, hasTouch: true, isMobile: true })
  const tablet = await tabletCtx.newPage()
  await tablet.goto(app.staffUrl)
  await tablet.getByLabel('Identifiant').fill('animation')
  await tablet.getByLabel('Mot de passe').fill('demo-animateur-2026')
  await tablet.getByRole('button', { name: 'Se connecter' }).click()
  await tablet.getByRole('link', { name: 'Pointage', exact: true }).click()
  await tablet.getByLabel('Activité', { exact: true }).click()
  await tablet.getByRole('option', { name: label, exact: true }).click()
  // Groups first: one big tile per group of the day, then « Tous les enfants ».
  await expect(tablet.getByRole('heading', { name: 'Choisissez un groupe' })).toBeVisible()
  const tiles = tablet.getByRole('region', { name: 'Choisissez un groupe' }).getByRole('button')
  expect(await tiles.count()).toBeGreaterThanOrEqual(3)
  for (const box of await Promise.all((await tiles.all()).map((t) => t.boundingBox()))) expect(box!.height).toBeGreaterThanOrEqual(48)
  expect(await overflowing(tablet)).toEqual([])
  await expectAccessible(tablet, 'pointage, groupes')
  await tablet.getByRole('button', { name: /^Tous les enfants/ }).click()
  const todo = chosen!.rows.slice(0, 10)
  const group = (r: (typeof todo)[number]) => tablet.getByRole('group', { name: `Pointage de ${r.firstName} ${r.lastName}` })
  await expect(group(todo[0])).toBeVisible()

  // Installed as a web app: its service worker keeps the app's files, so it reopens without network.
  await tablet.evaluate(async () => void (await navigator.serviceWorker.ready))
  const manifest = await (await tablet.request.get(new URL('/manifest.webmanifest', app.staffUrl).href)).json()
  expect(manifest).toMatchObject({ display: 'standalone', start_url: '/#/pointage', lang: 'fr' })

  await tabletCtx.setOffline(true)
  // Reopened in a room without WiFi: the app, the last user and the day's list kept on the tablet.
  await tablet.reload()
  await expect(tablet.getByTestId('network-status')).toContainText('Hors connexion')
  await tablet.getByLabel('Activité', { exact: true }).click()
  await tablet.getByRole('option', { name: label, exact: true }).click()
  await tablet.getByRole('button', { name: /^Tous les enfants/ }).click()
  await expect(tablet.getByTestId('network-status')).toContainText('Liste enregistrée à')
  await expect(group(todo[0])).toBeVisible()
  for (const [i, r] of todo.entries()) {
    await group(r).getByRole('button', { name: 'Présent' }).click()
    await expect(group(r).getByRole('button', { name: 'Présent' })).toHaveAttribute('aria-pressed', 'true')
    await expect(tablet.getByTestId('network-status')).toContainText(`${i + 1} pointage${i ? 's' : ''} en attente d’envoi`)
  }
  await expect(tablet.getByTestId('network-status')).toContainText('Hors connexion')
  await expectAccessible(tablet, 'pointage hors connexion')
  // Nothing reached the server yet.
  expect((await api.call('attendance-list', { day: app.today, activityId })).counts.present).toBe(before.counts.present)

  await tabletCtx.setOffline(false)
  // Ten calls in order, each committed before the next: on a loaded 2-core runner this takes more than the default 10 s.
  await expect(tablet.getByTestId('network-status')).toHaveText('', { timeout: 30_000 })
  // The desk sees the 10 marks without a reload, each with who made it.
  await expect(desk.getByRole('status').filter({ hasText: `${before.counts.present + 10} présents` })).toBeVisible()
  for (const r of todo) await expect(desk.getByRole('listitem').filter({ has: desk.getByRole('group', { name: `Pointage de ${r.firstName} ${r.lastName}` }) })).toContainText('par Léo Animateur')

  // Exactly once: 10 more present, and one audit row per child.
  const after = await api.call('attendance-list', { day: app.today, activityId })
  expect(after.counts.present).toBe(before.counts.present + 10)
  const audit = await api.call('audit-list', { action: 'booking-mark-present', limit: 100 })
  const marked = new Set(todo.map((r) => String(r.bookingId)))
  expect(audit.items.filter((e: { entityId: string }) => marked.has(String(e.entityId)))).toHaveLength(10)

  // Two marks left on the tablet by an earlier day: one made 26 hours ago, one the server will refuse (« parti »
  // for a child never marked present). Reopening Pointage sends the first, by its own time, and keeps the second.
  expect(chosen!.rows.length).toBeGreaterThanOrEqual(12)
  const [late, refused] = chosen!.rows.slice(10, 12)
  const userId = await animateurId(tablet)
  const lateAt = new Date(app.now().getTime() - 26 * 3_600_000).toISOString()
  await keepMarkOnTablet(tablet, { userId, bookingId: late.bookingId, status: 'present', markedAt: lateAt, child: `${late.lastName} ${late.firstName}` })
  await keepMarkOnTablet(tablet, { userId, bookingId: refused.bookingId, status: 'left', markedAt: new Date(app.now().getTime() - 3_600_000).toISOString(), child: `${refused.firstName} ${refused.lastName}` })
  // A photo of the person allowed to pick todo[0] up, set at the desk: the tablet shows it beside « Parti ».
  const row0 = (await api.call('attendance-list', { day: app.today, activityId })).rows.find((r: { bookingId: number }) => r.bookingId === todo[0].bookingId)
  const pickup = row0.pickups[0] as { pickupId: number; name: string }
  const png = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000' + '1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082', 'hex')
  const { uploadId } = await api.call('files-upload', { name: 'photo.png', contentBase64: png.toString('base64') })
  await api.call('pickup-photo-set', { pickupId: pickup.pickupId, uploadId })
  await tablet.reload()
  const held = tablet.getByTestId('held-marks')
  await expect
    .poll(async () => (await api.call('attendance-list', { day: app.today, activityId })).rows.find((r: { bookingId: number }) => r.bookingId === late.bookingId))
    .toMatchObject({ state: 'PRESENT', markedAt: lateAt, markedBy: 'Léo Animateur' })
  await expect(held).toContainText('1 pointage non enregistré par le serveur')
  await expect(held).toContainText(`${refused.firstName} ${refused.lastName} — parti`)
  await expect(held).toContainText('Seul un enfant présent peut être pointé parti.')
  // Kept until a decision: still there after a reload, gone once given up knowingly.
  await tablet.reload()
  await expect(held).toContainText(`${refused.firstName} ${refused.lastName}`)
  await held.getByRole('button', { name: 'Abandonner ces pointages' }).click()
  await tablet.getByRole('alertdialog').getByRole('button', { name: 'Abandonner', exact: true }).click()
  await expect(held).toHaveCount(0)

  // Portrait: the same screen at 768 × 1024, by group, without horizontal scroll.
  await tablet.setViewportSize({ width: 768, height: 1024 })
  await tablet.getByLabel('Activité', { exact: true }).click()
  await tablet.getByRole('option', { name: label, exact: true }).click()
  await expect(tablet.getByRole('heading', { name: 'Choisissez un groupe' })).toBeVisible()
  expect(await overflowing(tablet)).toEqual([])
  await tablet.getByRole('button', { name: /^Tous les enfants/ }).click()
  await expect(tablet.getByRole('button', { name: 'Groupes' })).toBeVisible()
  const photo = group(todo[0]).getByRole('img', { name: `Photo de ${pickup.name}` })
  await expect(photo).toBeVisible()
  expect(await photo.evaluate((i: HTMLImageElement) => i.naturalWidth)).toBe(1)
  expect(await overflowing(tablet)).toEqual([])
  await expectAccessible(tablet, 'pointage portrait, un groupe')

  await tabletCtx.close()
  await deskCtx.close()
  await api.dispose()
})
