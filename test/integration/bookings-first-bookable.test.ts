import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { firstBookableDay } from '../../src-main/bookings/planning'
import { buildPortalApp } from '../../src-main/server/portal-app'
import { openTestCore, seedFamily, type SeededFamily, type TestCore } from '../helpers/core'
import { client } from '../helpers/http'
import { enrol, firstChild, seedActivity } from '../helpers/bookings'

// The planning opens on the first month with something to book (issue 18: it opened on today's month on a phone, where
// every deadline had passed). TEST_NOW is Monday 7 September 2026.
describe('the first bookable day', () => {
  let core: TestCore
  let fam: SeededFamily
  beforeEach(async () => {
    core = await openTestCore()
    fam = await seedFamily(core, { lastName: 'Premier' })
  })
  afterEach(() => core.cleanup())

  it('is the first Wednesday of October under « avant le 20 du mois précédent » (September is closed since 20 August)', async () => {
    const act = await seedActivity(core, { booking: { kind: 'monthly', day: 20, time: '24:00' } })
    await enrol(core, act, await firstChild(core, fam.familyId))
    expect(await firstBookableDay(core, fam.familyId)).toBe('2026-10-07')
    // After the 20th, October closes too: the first bookable day moves to November.
    core.clock.set(new Date('2026-09-21T08:00:00Z'))
    expect(await firstBookableDay(core, fam.familyId)).toBe('2026-11-04')
  })

  it('is null when nothing can be booked (the window closed), and the portal answers for the caller’s family only', async () => {
    const act = await seedActivity(core, { booking: { kind: 'window' }, period: { start: '2026-09-01', end: '2027-07-03', windowStart: '2026-03-10', windowEnd: '2026-08-20' } })
    await enrol(core, act, await firstChild(core, fam.familyId))
    expect(await firstBookableDay(core, fam.familyId)).toBeNull()

    const open = await seedFamily(core, { lastName: 'Ouverte' })
    const monthly = await seedActivity(core, { name: 'Restauration', booking: { kind: 'monthly', day: 20, time: '24:00' } })
    await enrol(core, monthly, await firstChild(core, open.familyId))
    const app = await buildPortalApp(core)
    try {
      for (const [f, day] of [[fam, null], [open, '2026-10-07']] as const) {
        const c = await client(app, 'portal')
        await c.loginPortal(f.login, f.password)
        const r = await c.call('bookings-first-bookable', {})
        expect(r.status).toBe(200)
        expect(r.body).toEqual({ day })
      }
    } finally {
      await app.close()
    }
  })
})
