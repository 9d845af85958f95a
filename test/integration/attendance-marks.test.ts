import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { attendanceList, markAttendance } from '../../src-main/bookings/attendance'
import { commitFamilyChanges } from '../../src-main/bookings/commit'
import { auditRows, openTestCore, seedFamily, seedStaff, type SeededStaff, type TestCore } from '../helpers/core'
import { enrol, firstChild, seedActivity, type SeededActivity } from '../helpers/bookings'

/**
 * Attendance marks made on a tablet without network (issue 15 §3) arrive
 * late, maybe twice, maybe after a desk marked the same child: the time the
 * mark was made decides, and the list says who made the mark standing.
 */
const DAY = '2027-01-06'
let core: TestCore
let tablet: SeededStaff
let desk: SeededStaff
let act: SeededActivity
let bookings: number[]

const minutesAgo = (n: number) => new Date(core.clock.now().getTime() - n * 60_000).toISOString()
const row = async (bookingId: number) => (await attendanceList(core, { day: DAY, activityId: act.activityId })).rows.find((r) => r.bookingId === bookingId)!

beforeAll(async () => {
  core = await openTestCore()
  tablet = await seedStaff(core, 'animateur', { displayName: 'Léo Animateur' })
  desk = await seedStaff(core, 'accueil', { displayName: 'Sophie Accueil' })
  act = await seedActivity(core, { validation: 'auto', places: 20 })
  bookings = []
  for (const name of ['Dupont', 'Éluard', 'Martin', 'Petit']) {
    const fam = await seedFamily(core, { lastName: name })
    const childId = await firstChild(core, fam.familyId)
    await enrol(core, act, childId)
    await commitFamilyChanges(core, fam.actor, [{ childId, unitId: act.units[0].id, day: DAY, op: 'add' }])
  }
  bookings = (await attendanceList(core, { day: DAY, activityId: act.activityId })).rows.map((r) => r.bookingId)
})
afterAll(() => core.cleanup())

describe('attendance marks by the time they were made', () => {
  test('a tablet’s older offline mark, arriving after a desk’s later one, changes nothing and says who stands', async () => {
    const b = bookings[0]
    // The desk marks absent at 9:55; the tablet had marked present at 9:50, offline, and sends it at 10:00.
    expect(await markAttendance(core, desk.actor, { bookingId: b, status: 'absent', markedAt: minutesAgo(5) })).toMatchObject({ state: 'ABSENT', applied: true })
    const late = await markAttendance(core, tablet.actor, { bookingId: b, status: 'present', markedAt: minutesAgo(10) })
    expect(late).toMatchObject({ state: 'ABSENT', applied: false, markedBy: 'Sophie Accueil', markedAt: minutesAgo(5) })
    expect(await row(b)).toMatchObject({ state: 'ABSENT', markedBy: 'Sophie Accueil', markedAt: minutesAgo(5) })
  })

  test('a later offline mark wins over an earlier one, whatever order they arrive in; its time is the arrival time', async () => {
    const b = bookings[1]
    expect(await markAttendance(core, desk.actor, { bookingId: b, status: 'absent', markedAt: minutesAgo(20) })).toMatchObject({ applied: true })
    const later = await markAttendance(core, tablet.actor, { bookingId: b, status: 'present', markedAt: minutesAgo(12) })
    expect(later).toMatchObject({ state: 'PRESENT', applied: true, arrivedAt: minutesAgo(12), markedBy: 'Léo Animateur' })
    expect(await row(b)).toMatchObject({ state: 'PRESENT', arrivedAt: minutesAgo(12), markedBy: 'Léo Animateur', markedAt: minutesAgo(12) })
  })

  test('the same mark sent twice (its answer was lost) is recorded once', async () => {
    const b = bookings[2]
    const at = minutesAgo(3)
    const before = (await auditRows(core, 'booking-mark-present')).length
    expect(await markAttendance(core, tablet.actor, { bookingId: b, status: 'present', markedAt: at })).toMatchObject({ applied: true })
    expect(await markAttendance(core, tablet.actor, { bookingId: b, status: 'present', markedAt: at })).toMatchObject({ state: 'PRESENT', applied: false })
    expect((await auditRows(core, 'booking-mark-present')).length).toBe(before + 1)
  })

  test('« parti » records the time of departure, only for a child present; a mark from the future is refused in French', async () => {
    const b = bookings[3]
    await expect(markAttendance(core, tablet.actor, { bookingId: b, status: 'left', markedAt: minutesAgo(1) })).rejects.toThrow('Seul un enfant présent peut être pointé parti.')
    await markAttendance(core, tablet.actor, { bookingId: b, status: 'present', markedAt: minutesAgo(30) })
    expect(await markAttendance(core, tablet.actor, { bookingId: b, status: 'left', markedAt: minutesAgo(2) })).toMatchObject({ state: 'PRESENT', leftAt: minutesAgo(2), applied: true })
    expect((await auditRows(core, 'booking-leave')).at(-1)).toMatchObject({ actorId: tablet.id, after: { leftAt: minutesAgo(2) } })
    const future = new Date(core.clock.now().getTime() + 3_600_000).toISOString()
    await expect(markAttendance(core, tablet.actor, { bookingId: b, status: 'absent', markedAt: future })).rejects.toThrow('vérifiez l’heure de la tablette')
  })
})
