import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import { SYSTEM } from '../../src-main/core/actor'
import { saveCapacity } from '../../src-main/activities/config'
import { acceptEnrolments, changeEnrolment, endEnrolment, requestEnrolment } from '../../src-main/activities/enrolment'
import { openingDays } from '../../src-main/calendar/calendar'
import { auditRows, openTestCore, outboxMails, seedFamily, seedStaff, type SeededFamily, type SeededStaff, type TestCore } from '../helpers/core'
import { seedActivities, type ActivitiesFixture } from '../helpers/activities'
import { firstChild, stateOf } from '../helpers/bookings'

/**
 * Auto-booking (ALAE Matin, every school day) against dated capacity
 * exceptions: a day whose places are all taken is skipped and reported, the
 * other days are booked as before. Test clock: Monday 7 September 2026.
 */
const OUTING = '2026-10-13' // a Tuesday, school day
const OTHER = '2026-10-15'

let core: TestCore
let fx: ActivitiesFixture
let desk: SeededStaff
let famA: SeededFamily
let famB: SeededFamily
let leoA: number
let leoB: number

beforeEach(async () => {
  core = await openTestCore()
  fx = await seedActivities(core)
  desk = await seedStaff(core, 'accueil')
  famA = await seedFamily(core, { lastName: 'Dupont' })
  famB = await seedFamily(core, { lastName: 'Bernard' })
  leoA = await firstChild(core, famA.familyId)
  leoB = await firstChild(core, famB.familyId)
})
afterEach(() => core.cleanup())

async function request(fam: SeededFamily, childId: number): Promise<number> {
  const r = await requestEnrolment(core, fam.actor, { childId, periodId: fx.alae.periodId, groupId: fx.alae.elementaire, typicalWeek: [], memo: '', siblingIds: [] })
  return r.created[0].enrolmentId
}

const capacity = (places: number, day: string | null) => saveCapacity(core, SYSTEM, { groupId: fx.alae.elementaire, unitId: fx.alae.unitId, places, day })

const bookedDays = (childId: number) =>
  (core.db.prepare(`SELECT day FROM booking WHERE child_id = ? AND state = 'R' ORDER BY day`).all(childId) as { day: string }[]).map((r) => r.day)

/** booking_load rows above their places (dated exception, else default); must always be empty. */
const overbooked = () =>
  core.db
    .prepare(
      `SELECT l.day, l.taken, COALESCE(d.places, g.places) AS places FROM booking_load l
       LEFT JOIN capacity d ON d.group_id = l.group_id AND d.unit_id = l.unit_id AND d.day = l.day
       LEFT JOIN capacity g ON g.group_id = l.group_id AND g.unit_id = l.unit_id AND g.day IS NULL
       WHERE COALESCE(d.places, g.places) IS NOT NULL AND l.taken > COALESCE(d.places, g.places)`
    )
    .all()

const loadOn = (day: string) =>
  (core.db.prepare('SELECT taken FROM booking_load WHERE group_id = ? AND unit_id = ? AND day = ?').get(fx.alae.elementaire, fx.alae.unitId, day) as { taken: number } | undefined)?.taken ?? 0

const lastMailTo = async (login: string) => (await outboxMails(core)).filter((m) => m.recipient === login).at(-1)!

describe('auto-booking and dated capacity exceptions', () => {
  test('one place on an outing day, two children validated together: the first gets it, the second is told; other days booked for both', async () => {
    await capacity(1, OUTING)
    const a = await request(famA, leoA)
    const b = await request(famB, leoB)
    const all = await openingDays(core, fx.alae.activityId, '2026-09-07', '2027-07-02')
    expect(all).toContain(OUTING)

    const [oa, ob] = await acceptEnrolments(core, desk.actor, [a, b], false)
    expect(oa).toMatchObject({ outcome: 'validated', bookings: all.length, message: `Validée, ${all.length} réservations créées.` })
    expect(oa.fullSlots).toBeUndefined()
    const notice = `Réservations automatiques : ${all.length - 1} jours réservés ; complet le mar. 13/10 (Matin) — réservez un autre jour ou contactez la structure.`
    expect(ob).toMatchObject({ outcome: 'validated', bookings: all.length - 1, fullSlots: 1, message: `Validée. ${notice}` })

    expect(bookedDays(leoA)).toEqual(all)
    expect(bookedDays(leoB)).toEqual(all.filter((d) => d !== OUTING))
    expect(await stateOf(core, leoB, fx.alae.unitId, OUTING)).toBe('-')
    expect(loadOn(OUTING)).toBe(1)
    expect(loadOn(OTHER)).toBe(2)
    expect(overbooked()).toEqual([])

    // The family of the second child reads the same sentence; the first family's e-mail is unchanged.
    expect((await lastMailTo(famB.login)).textBody).toContain(notice)
    expect((await lastMailTo(famA.login)).textBody).toContain(`Les ${all.length} réservations de la période ont été faites automatiquement.`)
    const audit = (await auditRows(core, 'enrolment-autobook')).find((r) => r.entityId === String(b))!
    expect(audit.after).toMatchObject({ created: all.length - 1, full: [`${OUTING} Matin`] })
  })

  test('validated in two concurrent transactions, only one child gets the last place', async () => {
    await capacity(1, OUTING)
    const a = await request(famA, leoA)
    const b = await request(famB, leoB)
    const desk2 = await seedStaff(core, 'direction')
    const [[oa], [ob]] = await Promise.all([acceptEnrolments(core, desk.actor, [a], false), acceptEnrolments(core, desk2.actor, [b], false)])
    expect([oa.outcome, ob.outcome]).toEqual(['validated', 'validated'])
    expect([oa.fullSlots ?? 0, ob.fullSlots ?? 0].sort()).toEqual([0, 1])
    const holders = [leoA, leoB].filter((c) => bookedDays(c).includes(OUTING))
    expect(holders).toHaveLength(1)
    expect(loadOn(OUTING)).toBe(1)
    expect(overbooked()).toEqual([])
  })

  test('the dated exception wins over the group default; a freed place is booked at the next sync, and the holder is not told it is full', async () => {
    await capacity(2, null)
    await capacity(1, OUTING)
    const a = await request(famA, leoA)
    const b = await request(famB, leoB)
    const [oa, ob] = await acceptEnrolments(core, desk.actor, [a, b], false)
    expect(oa.fullSlots).toBeUndefined()
    expect(ob.fullSlots).toBe(1)
    expect(loadOn(OTHER)).toBe(2) // the default (2) applies elsewhere
    expect(loadOn(OUTING)).toBe(1)

    // Re-syncing the holder does not report its own day as full.
    const auditsBefore = (await auditRows(core, 'enrolment-autobook')).length
    await changeEnrolment(core, desk.actor, a, { memo: 'Allergie arachide' })
    expect((await auditRows(core, 'enrolment-autobook')).length).toBe(auditsBefore)

    // The first child leaves at the end of September: the next sync of the second books the outing day.
    await endEnrolment(core, desk.actor, a, '2026-09-30')
    expect(loadOn(OUTING)).toBe(0)
    const synced = await changeEnrolment(core, desk.actor, b, { memo: 'Sortie possible' })
    expect(synced.bookingsCreated).toBe(1)
    expect(await stateOf(core, leoB, fx.alae.unitId, OUTING)).toBe('R')
    expect(loadOn(OUTING)).toBe(1)
    expect(overbooked()).toEqual([])
  })

  test('without capacity exceptions nothing changes: every opening day for both children, usual messages', async () => {
    const a = await request(famA, leoA)
    const b = await request(famB, leoB)
    const all = await openingDays(core, fx.alae.activityId, '2026-09-07', '2027-07-02')
    const out = await acceptEnrolments(core, desk.actor, [a, b], false)
    for (const o of out) {
      expect(o).toMatchObject({ outcome: 'validated', bookings: all.length, message: `Validée, ${all.length} réservations créées.` })
      expect(o.fullSlots).toBeUndefined()
    }
    expect(bookedDays(leoA)).toEqual(all)
    expect(bookedDays(leoB)).toEqual(all)
    expect((await lastMailTo(famB.login)).textBody).not.toContain('complet')
  })
})
