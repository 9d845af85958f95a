import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { FastifyInstance } from 'fastify'
import { commitFamilyChanges } from '../../src-main/bookings/commit'
import { staffApply } from '../../src-main/bookings/staff-actions'
import { saveClosure } from '../../src-main/calendar/admin'
import { previewClosureCancellations } from '../../src-main/calendar/closure-bookings'
import { recordClosureJob } from '../../src-main/calendar/closure-job'
import { deliverDueMail } from '../../src-main/mail/outbox'
import { buildStaffApp } from '../../src-main/server/staff-app'
import { auditRows, openTestCore, outboxMails, seedFamily, seedStaff, type SeededFamily, type SeededStaff, type TestCore } from '../helpers/core'
import { client } from '../helpers/http'
import { configureSmtp, startSmtp } from '../helpers/smtp'
import { enrol, firstChild, seedActivity, stateOf, type SeededActivity } from '../helpers/bookings'

const CLOSED = ['2027-01-06', '2027-01-13']
const OPEN_DAY = '2027-01-20'

describe('a new closure cancels the bookings it covers', () => {
  let core: TestCore
  let staff: SeededStaff
  let act: SeededActivity
  let other: SeededActivity
  let unit: number
  let a: SeededFamily
  let b: SeededFamily
  let c: SeededFamily
  let d: SeededFamily
  let childA: number
  let childB: number
  let childC: number
  let childD: number

  const load = (day: string) =>
    (core.db.prepare('SELECT taken FROM booking_load WHERE group_id = ? AND unit_id = ? AND day = ?').get(act.groupId, unit, day) as { taken: number } | undefined)?.taken ?? 0
  const closureMails = async () => (await outboxMails(core)).filter((m) => m.subject.includes('Fermeture exceptionnelle'))

  beforeEach(async () => {
    core = await openTestCore()
    staff = await seedStaff(core, 'direction', { displayName: 'Claire Directrice' })
    act = await seedActivity(core, { validation: 'staff', places: 10 })
    other = await seedActivity(core, { name: 'CL Élémentaire Mercredis', validation: 'staff', places: 10 })
    unit = act.units[0].id
    a = await seedFamily(core, { lastName: 'Martin' })
    b = await seedFamily(core, { lastName: 'Bernard' })
    c = await seedFamily(core, { lastName: 'Petit' })
    d = await seedFamily(core, { lastName: 'Durand' })
    ;[childA, childB, childC, childD] = await Promise.all([a, b, c, d].map((f) => firstChild(core, f.familyId)))
    for (const ch of [childA, childB, childC]) await enrol(core, act, ch)
    await enrol(core, other, childD)

    // A: R on both closed Wednesdays and the next one, then asks to cancel 13/01 (DA, pending with staff validation).
    await staffApply(core, staff.actor, {
      items: [...CLOSED, OPEN_DAY].map((day) => ({ childId: childA, unitId: unit, day, action: 'book' as const })),
      reason: '',
      overrideCapacity: false
    })
    await commitFamilyChanges(core, a.actor, [{ childId: childA, unitId: unit, day: CLOSED[1], op: 'remove' }])
    // B: a pending booking request (DR) on 06/01.
    await commitFamilyChanges(core, b.actor, [{ childId: childB, unitId: unit, day: CLOSED[0], op: 'add' }])
    // C: booked on 06/01 and pointed present that day.
    await staffApply(core, staff.actor, { items: [{ childId: childC, unitId: unit, day: CLOSED[0], action: 'book' }], reason: '', overrideCapacity: false })
    core.clock.set(new Date('2027-01-06T15:00:00Z'))
    await staffApply(core, staff.actor, { items: [{ childId: childC, unitId: unit, day: CLOSED[0], action: 'mark-present' }], reason: '', overrideCapacity: false })
    // D: R on 06/01 in another activity (other facility), which the closure does not cover.
    await staffApply(core, staff.actor, { items: [{ childId: childD, unitId: other.units[0].id, day: CLOSED[0], action: 'book' }], reason: '', overrideCapacity: false })
    // The strike is recorded the day after, for 06/01 (past) to 13/01.
    core.clock.set(new Date('2027-01-07T08:00:00Z'))
  })
  afterEach(() => core.cleanup())

  const strike = () => ({ facilityId: null, activityId: act.activityId, startDate: CLOSED[0], endDate: CLOSED[1], reason: 'Grève du personnel' })

  it('a family without any e-mail address is not counted as told: the desk gets its name and phones to call', async () => {
    // B has neither an active portal account with an e-mail login nor a responsable's e-mail; a mobile and a work phone.
    core.db.prepare(`UPDATE portal_account SET status = 'disabled' WHERE family_id = ?`).run(b.familyId)
    core.db.prepare(`UPDATE person SET email = '', phone_mobile = '06 12 34 56 78', phone_home = '', phone_work = '05 61 00 00 00' WHERE family_id = ? AND role = 'responsable'`).run(b.familyId)
    const mailsBefore = (await closureMails()).length
    const out = await saveClosure(core, staff.actor, strike())
    expect(out).toMatchObject({ cancelledBookings: 3, notifiedFamilies: 1 })
    const number = (core.db.prepare('SELECT number FROM family WHERE id = ?').get(b.familyId) as { number: number }).number
    expect(out.familiesToCall).toEqual([{ familyId: b.familyId, number, name: expect.stringMatching(/^BERNARD /), phones: ['06 12 34 56 78', '05 61 00 00 00'], cancelled: 1 }])
    // Only A was written to; B's booking is cancelled all the same.
    expect((await closureMails()).length - mailsBefore).toBe(1)
    expect(await stateOf(core, childB, unit, CLOSED[0])).toBe('CANCELLED')
  })

  it('cancels R, DR and DA on the closed days, closes their pending lines, audits each booking and mails each family once', async () => {
    expect(await stateOf(core, childA, unit, CLOSED[0])).toBe('R')
    expect(await stateOf(core, childA, unit, CLOSED[1])).toBe('DA')
    expect(await stateOf(core, childB, unit, CLOSED[0])).toBe('DR')
    expect(await stateOf(core, childC, unit, CLOSED[0])).toBe('PRESENT')
    expect(load(CLOSED[0])).toBe(3)
    const mailsBefore = (await outboxMails(core)).length

    expect(await previewClosureCancellations(core, strike())).toEqual({ bookings: 3, families: 2, creditedBookings: 0 })
    const out = await saveClosure(core, staff.actor, strike())
    expect(out).toMatchObject({ reason: 'Grève du personnel', cancelledBookings: 3, notifiedFamilies: 2, creditedBookings: 0, familiesToCall: [] })

    // States: covered DR/R/DA cancelled; PRESENT, other days and other activities untouched.
    expect(await stateOf(core, childA, unit, CLOSED[0])).toBe('CANCELLED')
    expect(await stateOf(core, childA, unit, CLOSED[1])).toBe('CANCELLED')
    expect(await stateOf(core, childB, unit, CLOSED[0])).toBe('CANCELLED')
    expect(await stateOf(core, childC, unit, CLOSED[0])).toBe('PRESENT')
    expect(await stateOf(core, childA, unit, OPEN_DAY)).toBe('R')
    expect(await stateOf(core, childD, other.units[0].id, CLOSED[0])).toBe('R')
    // Places: only C's present child still counts on 06/01; 13/01 is empty.
    expect(load(CLOSED[0])).toBe(1)
    expect(load(CLOSED[1])).toBe(0)
    expect(load(OPEN_DAY)).toBe(1)

    // Pending change lines closed by the staff user, with the closure as the reason; requests closed.
    const lines = core.db
      .prepare(`SELECT c.kind, c.status, c.decided_by AS decidedBy, c.reason, b.child_id AS childId FROM booking_change c JOIN booking b ON b.id = c.booking_id ORDER BY c.id`)
      .all() as { kind: string; status: string; decidedBy: number | null; reason: string; childId: number }[]
    expect(lines.filter((l) => l.status === 'pending')).toEqual([])
    expect(lines.find((l) => l.childId === childA && l.kind === 'cancellation')).toMatchObject({ status: 'accepted', decidedBy: staff.id, reason: 'Fermeture exceptionnelle : Grève du personnel' })
    expect(lines.find((l) => l.childId === childB && l.kind === 'reservation')).toMatchObject({ status: 'refused', decidedBy: staff.id })
    const requests = core.db.prepare(`SELECT status FROM request WHERE family_id IN (?, ?)`).all(a.familyId, b.familyId) as { status: string }[]
    expect(requests.map((r) => r.status).sort()).toEqual(['accepted', 'refused'])

    // One audit row per cancelled booking, naming the staff user and the closure.
    const audits = (await auditRows(core, 'booking-cancel')).filter((r) => r.after?.closureId === out.id)
    expect(audits).toHaveLength(3)
    for (const r of audits) expect(r).toMatchObject({ actorKind: 'staff', actorId: staff.id, actorLabel: 'Claire Directrice' })
    expect(audits.map((r) => r.before.state).sort()).toEqual(['DA', 'DR', 'R'])

    // Exactly one grouped e-mail per affected family, none to C (present) or D (other activity).
    const mails = await closureMails()
    expect((await outboxMails(core)).length - mailsBefore).toBe(2)
    expect(mails.map((m) => m.recipient).sort()).toEqual([a.login, b.login].sort())
    const toA = mails.find((m) => m.recipient === a.login)!
    expect(toA.subject).toContain('Fermeture exceptionnelle : Grève du personnel')
    expect(toA.textBody).toContain('La structure est exceptionnellement fermée du 06/01/2027 au 13/01/2027 (motif : Grève du personnel).')
    expect(toA.textBody).toContain('LÉO – CL Maternel Mercredis – Après-midi SANS repas\n2 réservations annulées (non facturées) les : mer. 06/01, mer. 13/01')
    expect(mails.find((m) => m.recipient === b.login)!.textBody).toContain('1 réservation annulée (non facturée) le : mer. 06/01')

    // They really leave through SMTP.
    const smtp = await startSmtp()
    try {
      await configureSmtp(core, smtp.port)
      await deliverDueMail(core)
      const got = (await smtp.waitFor(2)).filter((m) => m.subject.includes('Fermeture exceptionnelle'))
      expect(got.map((m) => m.to[0]).sort()).toEqual([a.login, b.login].sort())
    } finally {
      await smtp.stop()
    }

    // Saving the same closure again changes nothing and sends nothing more.
    const again = await saveClosure(core, staff.actor, { ...strike(), id: out.id, version: out.version })
    expect(again).toMatchObject({ cancelledBookings: 0, notifiedFamilies: 0 })
    expect(await closureMails()).toHaveLength(2)
  })

  it('widening a closure to the whole structure cancels the other activity too; a closure over no booking sends nothing', async () => {
    const empty = await saveClosure(core, staff.actor, { facilityId: null, activityId: null, startDate: '2027-02-03', endDate: '2027-02-03', reason: 'Travaux' })
    expect(empty).toMatchObject({ cancelledBookings: 0, notifiedFamilies: 0 })
    expect(await closureMails()).toEqual([])
    expect(await auditRows(core, 'booking-cancel')).toEqual([])

    const first = await saveClosure(core, staff.actor, strike())
    expect(first.cancelledBookings).toBe(3)
    expect(await stateOf(core, childD, other.units[0].id, CLOSED[0])).toBe('R')
    const wider = await saveClosure(core, staff.actor, { ...strike(), id: first.id, version: first.version, activityId: null })
    expect(wider).toMatchObject({ cancelledBookings: 1, notifiedFamilies: 1 })
    expect(await stateOf(core, childD, other.units[0].id, CLOSED[0])).toBe('CANCELLED')
    expect((await closureMails()).map((m) => m.recipient).sort()).toEqual([a.login, b.login, d.login].sort())
  })

  it('the staff API previews the count (direction only) and returns the outcome of the save', async () => {
    const app: FastifyInstance = await buildStaffApp(core)
    try {
      const dir = await client(app, 'staff')
      await dir.loginStaff(staff.login, staff.password)
      const preview = await dir.call('closures-preview', strike())
      expect(preview).toMatchObject({ status: 200, body: { bookings: 3, families: 2 } })
      expect(await stateOf(core, childA, unit, CLOSED[0])).toBe('R') // a preview writes nothing

      const desk = await seedStaff(core, 'accueil')
      const acc = await client(app, 'staff')
      await acc.loginStaff(desk.login, desk.password)
      expect((await acc.call('closures-preview', strike())).status).toBe(403)

      const saved = await dir.call('closures-save', strike())
      expect(saved.status).toBe(200)
      expect(saved.body).toMatchObject({ activityId: act.activityId, cancelledBookings: 3, notifiedFamilies: 2 })
      const list = await dir.call('closures-list', {})
      expect(list.body[0]).not.toHaveProperty('cancelledBookings')
    } finally {
      await app.close()
    }
  })
  it('a closure job interrupted after it was recorded is listed, and « Reprendre » (direction only) finishes it', async () => {
    // As a process killed right after the closure's own transaction leaves it: recorded, nothing applied.
    const jobId = await core.tx.run(async () => recordClosureJob(core.db, staff.actor, core.clock.now().toISOString(), strike()))
    const app: FastifyInstance = await buildStaffApp(core)
    try {
      const dir = await client(app, 'staff')
      await dir.loginStaff(staff.login, staff.password)
      expect((await dir.call('bulk-jobs-unfinished', { kind: 'closure' })).body).toMatchObject([{ id: jobId, state: 'interrupted', done: 0, total: 2, createdBy: staff.actor.label }])
      expect(await stateOf(core, childA, unit, CLOSED[0])).toBe('R')
      const desk = await seedStaff(core, 'accueil')
      const acc = await client(app, 'staff')
      await acc.loginStaff(desk.login, desk.password)
      expect((await acc.call('bulk-jobs-resume', { id: jobId! })).status).toBe(403)
      const resumed = await dir.call('bulk-jobs-resume', { id: jobId! })
      expect(resumed).toMatchObject({ status: 200, body: { state: 'done', done: 2, result: { cancelledBookings: 3, notifiedFamilies: 2 } } })
      expect(await stateOf(core, childA, unit, CLOSED[0])).toBe('CANCELLED')
      expect((await auditRows(core, 'bulk-job-resume')).map((r) => r.actorId)).toEqual([staff.id])
      expect((await dir.call('bulk-jobs-unfinished', { kind: 'closure' })).body).toEqual([])
    } finally {
      await app.close()
    }
  })
})
