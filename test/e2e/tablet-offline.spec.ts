import { test, expect, expectAccessible, staffApi, staffLogin } from './fixtures'

/**
 * Pointage on a tablet without WiFi (issue 15 §3): the animateur keeps
 * marking while offline, the tablet says so and counts what waits, and once
 * back online every mark reaches the back-office exactly once.
 */
test('a tablet goes offline, marks 10 children, comes back: the back-office shows the 10 marks once', async ({ app, browser }) => {
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
  await expect(tablet.getByTestId('network-status')).toHaveText('')
  // The desk sees the 10 marks without a reload, each with who made it.
  await expect(desk.getByRole('status').filter({ hasText: `${before.counts.present + 10} présents` })).toBeVisible()
  for (const r of todo) await expect(desk.getByRole('listitem').filter({ has: desk.getByRole('group', { name: `Pointage de ${r.firstName} ${r.lastName}` }) })).toContainText('par Léo Animateur')

  // Exactly once: 10 more present, and one audit row per child.
  const after = await api.call('attendance-list', { day: app.today, activityId })
  expect(after.counts.present).toBe(before.counts.present + 10)
  const audit = await api.call('audit-list', { action: 'booking-mark-present', limit: 100 })
  const marked = new Set(todo.map((r) => String(r.bookingId)))
  expect(audit.items.filter((e: { entityId: string }) => marked.has(String(e.entityId)))).toHaveLength(10)

  await tabletCtx.close()
  await deskCtx.close()
  await api.dispose()
})
