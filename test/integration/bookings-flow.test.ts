import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { commitFamilyChanges, commitPeriod, previewFamilyChanges } from '../../src-main/bookings/commit'
import { decideChanges, listQueue } from '../../src-main/bookings/decisions'
import { declareAbsence } from '../../src-main/bookings/absences'
import { staffApply } from '../../src-main/bookings/staff-actions'
import { familyPlanning } from '../../src-main/bookings/planning'
import type { DomainError } from '../../src-main/core/errors'
import { auditRows, openTestCore, outboxMails, seedFamily, seedStaff, type SeededFamily, type SeededStaff, type TestCore } from '../helpers/core'
import { enrol, firstChild, seedActivity, seedChild, stateOf, type SeededActivity } from '../helpers/bookings'

// January 2027: school weeks (Toussaint and Christmas holidays of zone B are loaded by the calendar).
const WEDNESDAYS = ['2027-01-06', '2027-01-13', '2027-01-20', '2027-01-27']

async function refusal(p: Promise<unknown>): Promise<DomainError> {
  try {
    await p
  } catch (e) {
    return e as DomainError
  }
  throw new Error('expected a refusal')
}

function requestRow(core: TestCore, id: number) {
  return core.db.prepare('SELECT * FROM request WHERE id = ?').get(id) as { status: string; type: string; decided_by: number | null }
}

describe('family bookings against rules', () => {
  let core: TestCore
  let fam: SeededFamily
  let staff: SeededStaff
  let child: number

  beforeEach(async () => {
    core = await openTestCore()
    fam = await seedFamily(core, { lastName: 'Martin' })
    staff = await seedStaff(core, 'accueil')
    child = await firstChild(core, fam.familyId)
  })
  afterEach(() => core.cleanup())

  it('books 4 Wednesdays with automatic validation: R at once, recap at 4 × the unit price, e-mail and audit', async () => {
    const act = await seedActivity(core, { validation: 'auto' })
    await enrol(core, act, child)
    const unit = act.units[0].id
    const intents = WEDNESDAYS.map((day) => ({ childId: child, unitId: unit, day, op: 'add' as const }))
    const preview = await previewFamilyChanges(core, fam.actor, intents)
    expect(preview.summary).toBe('4 modifications à l’unité : 20,80\u00a0€')
    expect(preview.errors).toEqual([])
    expect(await stateOf(core, child, unit, WEDNESDAYS[0])).toBe('-') // a preview writes nothing

    const r = await commitFamilyChanges(core, fam.actor, intents)
    expect(r.totalCents).toBe(2080)
    expect(r.lines.map((l) => l.label)).toEqual(['Réservation', 'Réservation', 'Réservation', 'Réservation'])
    for (const d of WEDNESDAYS) expect(await stateOf(core, child, unit, d)).toBe('R')

    const mails = await outboxMails(core)
    const recap = mails.find((m) => m.subject.includes('Récapitulatif de vos réservations du 07/09/2026 à 10h00'))!
    expect(recap.recipient).toBe(fam.login)
    expect(recap.textBody).toContain('Mer. 06/01/2027\tLÉO\tCL Maternel Mercredis – Après-midi SANS repas\tRéservation\t5,20')
    expect(recap.htmlBody).toContain('<table')

    const audits = await auditRows(core, 'booking-request')
    expect(audits).toHaveLength(4)
    expect(audits[0].actorKind).toBe('family')
    expect(audits[0].after).toMatchObject({ state: 'R', automatic: 'accept', day: '2027-01-06' })
    const req = core.db.prepare(`SELECT status, type FROM request WHERE family_id = ?`).all(fam.familyId)
    expect(req).toEqual([{ status: 'accepted', type: 'reservation' }])
  })

  it('waits for staff with staff validation: DR, then the queue accepts in bulk and the cells turn R', async () => {
    const act = await seedActivity(core, { validation: 'staff' })
    await enrol(core, act, child)
    const unit = act.units[0].id
    const r = await commitFamilyChanges(core, fam.actor, WEDNESDAYS.map((day) => ({ childId: child, unitId: unit, day, op: 'add' as const })))
    expect(r.pending).toBe(4)
    expect(r.lines[0].label).toBe('Demande de réservation')
    for (const d of WEDNESDAYS) expect(await stateOf(core, child, unit, d)).toBe('DR')

    const q = await listQueue(core, { activityId: act.activityId, kind: 'reservation', limit: 50, offset: 0 })
    expect(q.total).toBe(4)
    expect(q.items[0]).toMatchObject({ day: '2027-01-06', childName: 'Léo Martin', activityName: 'CL Maternel Mercredis', suggestion: 'accept' })
    // Filters: date range and child.
    expect((await listQueue(core, { from: '2027-01-10', to: '2027-01-22', limit: 50, offset: 0 })).total).toBe(2)
    expect((await listQueue(core, { childId: child + 999, limit: 50, offset: 0 })).total).toBe(0)

    const out = await decideChanges(core, staff.actor, { changeIds: q.items.map((i) => i.changeId), decision: 'accept', reason: '' })
    expect(out).toEqual({ decided: 4, mails: 1 })
    for (const d of WEDNESDAYS) expect(await stateOf(core, child, unit, d)).toBe('R')
    const reqId = q.items[0].requestId!
    expect(requestRow(core, reqId)).toMatchObject({ status: 'accepted', decided_by: staff.id })
    const reply = (await outboxMails(core)).find((m) => m.subject.includes('Réponse à vos demandes de réservation'))!
    expect(reply.textBody).toContain('LÉO – CL Maternel Mercredis – Après-midi SANS repas\n4 réservations acceptées les : 06/01, 13/01, 20/01, 27/01')
    // Deciding twice is refused clearly.
    const again = await refusal(decideChanges(core, staff.actor, { changeIds: [q.items[0].changeId], decision: 'refuse', reason: 'x' }))
    expect(again.message).toBe(`Demande déjà traitée par ${staff.actor.label}. Rechargez la liste.`)
    // "Traitées": the decided lines, with totals that agree with the filters (the count joins only what they read).
    expect((await listQueue(core, { status: 'pending', limit: 50, offset: 0 })).total).toBe(0)
    const decided = await listQueue(core, { status: 'decided', limit: 3, offset: 0 })
    expect(decided.total).toBe(4)
    expect(decided.items).toHaveLength(3)
    expect(decided.items.every((i) => i.status === 'accepted')).toBe(true)
    expect((await listQueue(core, { status: 'decided', activityId: act.activityId, from: '2027-01-10', to: '2027-01-22', limit: 50, offset: 0 })).total).toBe(2)
    expect((await listQueue(core, { status: 'decided', activityId: act.activityId + 999, limit: 50, offset: 0 })).total).toBe(0)
    expect((await listQueue(core, { status: 'decided', childId: child, kind: 'reservation', limit: 50, offset: 0 })).total).toBe(4)
  })

  it('refuses a booking after the deadline (the 20th, Paris midnight, winter time) and writes nothing', async () => {
    const act = await seedActivity(core, { validation: 'auto' })
    await enrol(core, act, child)
    const unit = act.units[0].id
    core.clock.set(new Date('2026-12-20T22:59:59Z')) // 23:59:59 on the 20th in Paris
    const ok = await previewFamilyChanges(core, fam.actor, [{ childId: child, unitId: unit, day: '2027-01-06', op: 'add' }])
    expect(ok.errors).toEqual([])
    core.clock.set(new Date('2026-12-20T23:00:00Z')) // 00:00 on the 21st
    const e = await refusal(commitFamilyChanges(core, fam.actor, [
      { childId: child, unitId: unit, day: '2027-01-06', op: 'add' },
      { childId: child, unitId: unit, day: '2027-02-03', op: 'add' }
    ]))
    expect(e.code).toBe('booking_refused')
    expect(e.message).toContain('La date limite est passée : les modifications pour janvier 2027 étaient possibles jusqu’au 20/12/2026 inclus.')
    expect(e.fields).toHaveProperty(`${child}:${unit}:2027-01-06`)
    expect(await stateOf(core, child, unit, '2027-02-03')).toBe('-') // all or nothing
  })

  it('cancels in time for free, and late with billing (automatic validation)', async () => {
    const act = await seedActivity(core, { validation: 'auto' })
    await enrol(core, act, child)
    const unit = act.units[0].id
    await commitFamilyChanges(core, fam.actor, WEDNESDAYS.map((day) => ({ childId: child, unitId: unit, day, op: 'add' as const })))
    const inTime = await commitFamilyChanges(core, fam.actor, [{ childId: child, unitId: unit, day: '2027-01-06', op: 'remove' }])
    expect(inTime.lines[0]).toMatchObject({ label: 'Annulation', signedCents: -520, status: 'accepted' })
    expect(await stateOf(core, child, unit, '2027-01-06')).toBe('CANCELLED')

    core.clock.set(new Date('2027-01-02T08:00:00Z'))
    const late = await commitFamilyChanges(core, fam.actor, [{ childId: child, unitId: unit, day: '2027-01-13', op: 'remove' }])
    expect(late.lines[0]).toMatchObject({ label: 'Annulation hors délai (facturée)', late: true, status: 'billed', signedCents: 0 })
    expect(await stateOf(core, child, unit, '2027-01-13')).toBe('A_FACT')
    // Staff may excuse it afterwards.
    await staffApply(core, staff.actor, { items: [{ childId: child, unitId: unit, day: '2027-01-13', action: 'excuse' }], reason: 'Geste commercial', overrideCapacity: false })
    expect(await stateOf(core, child, unit, '2027-01-13')).toBe('A_EXC')
  })

  it('late cancellation with staff validation: DA, then staff bill it or excuse it, with one grouped e-mail', async () => {
    const act = await seedActivity(core, { validation: 'staff', units: [{ name: 'Journée complète', start: '08:00', end: '18:00', priceCents: 1500 }] })
    await enrol(core, act, child)
    const unit = act.units[0].id
    const q0 = await commitFamilyChanges(core, fam.actor, WEDNESDAYS.map((day) => ({ childId: child, unitId: unit, day, op: 'add' as const })))
    expect(q0.pending).toBe(4)
    const pending = await listQueue(core, { limit: 50, offset: 0 })
    await decideChanges(core, staff.actor, { changeIds: pending.items.map((i) => i.changeId), decision: 'accept', reason: '' })

    core.clock.set(new Date('2027-01-02T08:00:00Z')) // after the deadline for January
    const r = await commitFamilyChanges(core, fam.actor, WEDNESDAYS.slice(0, 3).map((day) => ({ childId: child, unitId: unit, day, op: 'remove' as const })))
    expect(r.lines.map((l) => l.label)).toEqual(Array(3).fill('Demande d’annulation (hors délai)'))
    expect(await stateOf(core, child, unit, '2027-01-06')).toBe('DA')
    const q = await listQueue(core, { kind: 'cancellation', limit: 50, offset: 0 })
    expect(q.items.map((i) => i.suggestion)).toEqual(['bill', 'bill', 'bill'])
    const [a, b, c] = q.items
    await decideChanges(core, staff.actor, { changeIds: [a.changeId, b.changeId], decision: 'excuse', reason: '' })
    await decideChanges(core, staff.actor, { changeIds: [c.changeId], decision: 'bill', reason: '' })
    expect(await stateOf(core, child, unit, '2027-01-06')).toBe('A_EXC')
    expect(await stateOf(core, child, unit, '2027-01-20')).toBe('A_FACT')
    const mails = (await outboxMails(core)).filter((m) => m.subject.includes('Réponse à vos demandes d’annulation'))
    expect(mails[0].textBody).toContain('2 annulations excusées les : 06/01, 13/01')
    expect(mails[1].textBody).toContain('1 annulation facturée le : 20/01')
  })

  it('refuses a request with a reason and lets the family ask again', async () => {
    const act = await seedActivity(core, { validation: 'staff' })
    await enrol(core, act, child)
    const unit = act.units[0].id
    await commitFamilyChanges(core, fam.actor, [{ childId: child, unitId: unit, day: '2027-01-06', op: 'add' }])
    const q = await listQueue(core, { limit: 5, offset: 0 })
    const noReason = await refusal(decideChanges(core, staff.actor, { changeIds: [q.items[0].changeId], decision: 'refuse', reason: ' ' }))
    expect(noReason.fields).toEqual({ reason: 'Motif obligatoire.' })
    await decideChanges(core, staff.actor, { changeIds: [q.items[0].changeId], decision: 'refuse', reason: 'Sortie réservée aux 6 ans et plus' })
    expect(await stateOf(core, child, unit, '2027-01-06')).toBe('REFUSED')
    const mail = (await outboxMails(core)).at(-1)!
    expect(mail.textBody).toContain('1 réservation refusée le : 06/01\nMotif : Sortie réservée aux 6 ans et plus')
    await commitFamilyChanges(core, fam.actor, [{ childId: child, unitId: unit, day: '2027-01-06', op: 'add' }])
    expect(await stateOf(core, child, unit, '2027-01-06')).toBe('DR')
  })

  it('withdraws a pending request, which closes it', async () => {
    const act = await seedActivity(core, { validation: 'staff' })
    await enrol(core, act, child)
    const unit = act.units[0].id
    await commitFamilyChanges(core, fam.actor, [{ childId: child, unitId: unit, day: '2027-01-06', op: 'add' }])
    const r = await commitFamilyChanges(core, fam.actor, [{ childId: child, unitId: unit, day: '2027-01-06', op: 'remove' }])
    expect(r.lines[0].label).toBe('Retrait de la demande de réservation')
    expect(await stateOf(core, child, unit, '2027-01-06')).toBe('CANCELLED')
    expect(core.db.prepare(`SELECT status FROM request WHERE family_id = ?`).all(fam.familyId)).toEqual([{ status: 'cancelled' }])
    expect((await listQueue(core, { limit: 5, offset: 0 })).total).toBe(0)
  })

  it('never books exclusive units the same day, nor another family’s child, nor outside the enrolment', async () => {
    const act = await seedActivity(core, {
      validation: 'auto',
      exclusive: true,
      units: [
        { name: 'Après-midi AVEC repas', start: '11:30', end: '18:30', priceCents: 1040 },
        { name: 'Après-midi SANS repas', start: '13:30', end: '18:30', priceCents: 520 }
      ]
    })
    await enrol(core, act, child)
    const [avec, sans] = act.units.map((u) => u.id)
    const e = await refusal(commitFamilyChanges(core, fam.actor, [
      { childId: child, unitId: avec, day: '2027-01-06', op: 'add' },
      { childId: child, unitId: sans, day: '2027-01-06', op: 'add' }
    ]))
    expect(e.message).toContain('incompatible avec « Après-midi AVEC repas »')
    // Swapping in one commit works: the untick is judged first.
    await commitFamilyChanges(core, fam.actor, [{ childId: child, unitId: avec, day: '2027-01-06', op: 'add' }])
    await commitFamilyChanges(core, fam.actor, [
      { childId: child, unitId: sans, day: '2027-01-06', op: 'add' },
      { childId: child, unitId: avec, day: '2027-01-06', op: 'remove' }
    ])
    expect(await stateOf(core, child, sans, '2027-01-06')).toBe('R')

    const other = await seedFamily(core)
    const e2 = await refusal(commitFamilyChanges(core, other.actor, [{ childId: child, unitId: avec, day: '2027-01-13', op: 'add' }]))
    expect(e2.code).toBe('not_found')
    const sibling = await seedChild(core, fam.familyId, 'Emma')
    const e3 = await refusal(commitFamilyChanges(core, fam.actor, [{ childId: sibling, unitId: avec, day: '2027-01-13', op: 'add' }]))
    expect(e3.message).toContain('Emma n’est pas inscrit(e) à cette activité')
    const e4 = await refusal(commitFamilyChanges(core, fam.actor, [{ childId: child, unitId: avec, day: '2027-01-07', op: 'add' }]))
    expect(e4.message).toContain('n’est pas ouvert ce jour-là') // a Thursday
  })

  it('books a period: every even-week Wednesday, skipping what is past the deadline', async () => {
    const act = await seedActivity(core, { validation: 'staff' })
    await enrol(core, act, child)
    const unit = act.units[0].id
    core.clock.set(new Date('2026-11-25T08:00:00Z')) // December is closed, January open
    const r = await commitPeriod(core, fam.actor, { childId: child, activityId: act.activityId, from: '2026-12-01', to: '2027-01-31', weekType: 'even', slots: [{ weekday: 3, unitId: unit }] })
    // Even ISO weeks: 09/12 (50), 13/01 (2), 27/01 (4); the Christmas holidays are closed; December is past its deadline.
    expect(r.lines.map((l) => l.day)).toEqual(['2027-01-13', '2027-01-27'])
    expect(r.errors.map((e) => e.day)).toEqual(['2026-12-09'])
    expect(await stateOf(core, child, unit, '2027-01-13')).toBe('DR')
    expect(await stateOf(core, child, unit, '2027-01-20')).toBe('-')
  })

  it('shows the planning with libre, complet, DR and the deadline sentence', async () => {
    const act = await seedActivity(core, { validation: 'staff', places: 1 })
    await enrol(core, act, child)
    const sibling = await seedChild(core, fam.familyId, 'Emma')
    await enrol(core, act, sibling)
    const unit = act.units[0].id
    await commitFamilyChanges(core, fam.actor, [{ childId: child, unitId: unit, day: '2027-01-06', op: 'add' }])
    const p = await familyPlanning(core, fam.familyId, '2027-01-01', '2027-01-31')
    expect(p.children.map((c) => c.firstName)).toEqual(['Léo', 'Emma'])
    const leo = p.children[0].lines[0].cells
    expect(leo.map((c) => c.day)).toEqual(WEDNESDAYS)
    expect(leo[0]).toMatchObject({ cell: 'DR', canRemove: true })
    expect(leo[1]).toMatchObject({ cell: 'libre', canAdd: true, priceCents: 520 })
    expect(p.children[1].lines[0].cells[0]).toMatchObject({ cell: 'complet', canAdd: false })
    expect(p.activities[0]).toMatchObject({ modifiable: true, reason: 'Modifications possibles jusqu’au 20/12/2026 inclus.' })
    core.clock.set(new Date('2026-12-21T08:00:00Z'))
    const late = await familyPlanning(core, fam.familyId, '2027-01-01', '2027-01-31')
    expect(late.activities[0].modifiable).toBe(false)
    expect(late.activities[0].reason).toContain('La date limite est passée')
    expect(late.children[0].lines[0].cells[1].cell).toBe('indisponible')
    expect(late.children[0].lines[0].cells[0]).toMatchObject({ cell: 'DR', canRemove: false })
  })
})

describe('absences', () => {
  let core: TestCore
  let fam: SeededFamily
  let staff: SeededStaff
  let child: number
  let act: SeededActivity
  let unit: number

  async function certificate(): Promise<number> {
    const now = core.clock.now().toISOString()
    const f = core.db
      .prepare(`INSERT INTO stored_file (storage_name, name, mime, size, sha256, owner_family_id, uploaded_by_kind, uploaded_by_id, staged, created_at) VALUES (?, 'certificat.pdf', 'application/pdf', 10, 'x', ?, 'family', NULL, 0, ?)`)
      .run(`t-${Math.random()}`, fam.familyId, now)
    return Number(
      core.db
        .prepare(`INSERT INTO family_document (family_id, child_id, file_id, origin, doc_type, title, status, status_reason, created_at) VALUES (?, ?, ?, 'family', 'certificat-medical', 'Certificat', 'received', '', ?)`)
        .run(fam.familyId, child, f.lastInsertRowid, now).lastInsertRowid
    )
  }

  async function setup(validation: 'auto' | 'staff') {
    act = await seedActivity(core, { validation })
    await enrol(core, act, child)
    unit = act.units[0].id
    await staffApply(core, staff.actor, { items: WEDNESDAYS.map((day) => ({ childId: child, unitId: unit, day, action: 'book' as const })), reason: '', overrideCapacity: false })
  }

  beforeEach(async () => {
    core = await openTestCore()
    fam = await seedFamily(core)
    staff = await seedStaff(core, 'accueil')
    child = await firstChild(core, fam.familyId)
  })
  afterEach(() => core.cleanup())

  it('asks a certificate for maladie, and excuses a medical absence even late', async () => {
    await setup('auto')
    core.clock.set(new Date('2027-01-05T06:00:00Z'))
    const e = await refusal(declareAbsence(core, fam.actor, { childId: child, from: '2027-01-05', to: '2027-01-15', reason: 'maladie', comment: '', certificateDocumentId: null }))
    expect(e.fields).toEqual({ certificate: 'Certificat médical obligatoire.' })
    const doc = await certificate()
    const r = await declareAbsence(core, fam.actor, { childId: child, from: '2027-01-05', to: '2027-01-15', reason: 'maladie', comment: 'Varicelle', certificateDocumentId: doc })
    expect(r.lines.map((l) => [l.day, l.label])).toEqual([
      ['2027-01-06', 'Absence excusée'],
      ['2027-01-13', 'Absence excusée']
    ])
    expect(await stateOf(core, child, unit, '2027-01-06')).toBe('A_EXC')
    expect(await stateOf(core, child, unit, '2027-01-20')).toBe('R')
  })

  it('bills a late absence for convenance, excuses one in time', async () => {
    await setup('auto')
    core.clock.set(new Date('2027-01-05T06:00:00Z'))
    const late = await declareAbsence(core, fam.actor, { childId: child, from: '2027-01-06', to: '2027-01-06', reason: 'convenance', comment: '', certificateDocumentId: null })
    expect(late.lines[0]).toMatchObject({ label: 'Absence facturée', late: true })
    core.clock.set(new Date('2026-12-10T06:00:00Z'))
    const inTime = await declareAbsence(core, fam.actor, { childId: child, from: '2027-01-13', to: '2027-01-13', reason: 'autre', comment: 'Voyage', certificateDocumentId: null })
    expect(inTime.lines[0]).toMatchObject({ label: 'Absence excusée', late: false })
    const none = await refusal(declareAbsence(core, fam.actor, { childId: child, from: '2027-01-07', to: '2027-01-08', reason: 'autre', comment: '', certificateDocumentId: null }))
    expect(none.code).toBe('nothing_reserved')
  })

  it('with staff validation, waits in the queue and "accept" applies the rules', async () => {
    await setup('staff')
    core.clock.set(new Date('2027-01-05T06:00:00Z'))
    const doc = await certificate()
    await declareAbsence(core, fam.actor, { childId: child, from: '2027-01-06', to: '2027-01-06', reason: 'maladie', comment: '', certificateDocumentId: doc })
    await declareAbsence(core, fam.actor, { childId: child, from: '2027-01-13', to: '2027-01-13', reason: 'convenance', comment: '', certificateDocumentId: null })
    expect(await stateOf(core, child, unit, '2027-01-06')).toBe('DA')
    const q = await listQueue(core, { kind: 'absence', limit: 10, offset: 0 })
    expect(q.items.map((i) => [i.day, i.suggestion, i.absenceReason])).toEqual([
      ['2027-01-06', 'excuse', 'maladie'],
      ['2027-01-13', 'bill', 'convenance']
    ])
    await decideChanges(core, staff.actor, { changeIds: q.items.map((i) => i.changeId), decision: 'accept', reason: '' })
    expect(await stateOf(core, child, unit, '2027-01-06')).toBe('A_EXC')
    expect(await stateOf(core, child, unit, '2027-01-13')).toBe('A_FACT')
    const mail = (await outboxMails(core)).at(-1)!
    expect(mail.subject).toContain('Réponse à vos déclarations d’absence')
    expect(mail.textBody).toContain('1 absence excusée le : 06/01\n1 absence facturée le : 13/01')
  })
})

describe('staff overrides', () => {
  let core: TestCore
  afterEach(() => core.cleanup())

  it('books past the deadline and over capacity only when asked, and audits the override', async () => {
    core = await openTestCore({ now: new Date('2026-10-05T08:00:00Z') })
    const fam = await seedFamily(core)
    const fam2 = await seedFamily(core)
    const staff = await seedStaff(core, 'direction')
    const act = await seedActivity(core, { validation: 'staff', places: 1 })
    const c1 = await firstChild(core, fam.familyId)
    const c2 = await firstChild(core, fam2.familyId)
    await enrol(core, act, c1)
    await enrol(core, act, c2)
    const unit = act.units[0].id
    await staffApply(core, staff.actor, { items: [{ childId: c1, unitId: unit, day: '2026-10-07', action: 'book' }], reason: 'Demande au guichet', overrideCapacity: false })
    const audit = (await auditRows(core, 'booking-book'))[0]
    expect(audit.after).toMatchObject({ state: 'R', deadlineOverride: true, reason: 'Demande au guichet' })
    const full = await refusal(staffApply(core, staff.actor, { items: [{ childId: c2, unitId: unit, day: '2026-10-07', action: 'book' }], reason: '', overrideCapacity: false }))
    expect(full.code).toBe('complet')
    await staffApply(core, staff.actor, { items: [{ childId: c2, unitId: unit, day: '2026-10-07', action: 'book' }], reason: 'Accord direction', overrideCapacity: true })
    expect((await auditRows(core, 'booking-book'))[1].after).toMatchObject({ capacityOverride: true })
    const bad = await refusal(staffApply(core, staff.actor, { items: [{ childId: c2, unitId: unit, day: '2026-10-07', action: 'accept' }], reason: '', overrideCapacity: false }))
    expect(bad.code).toBe('invalid_transition')
  })
})
