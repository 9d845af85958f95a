import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { attendanceList, markAttendance, walkIn, walkInCandidates } from '../../src-main/bookings/attendance'
import { attendancePdf } from '../../src-main/bookings/attendance-pdf'
import { commitFamilyChanges } from '../../src-main/bookings/commit'
import { occupancy } from '../../src-main/bookings/occupancy'
import { staffApply } from '../../src-main/bookings/staff-actions'
import { pdfText } from '../helpers/billing-tools'
import { parisTime } from '../../src-main/core/clock'
import { personName } from '@shared/names'
import { auditRows, openTestCore, seedFamily, seedStaff, type SeededStaff, type TestCore } from '../helpers/core'
import { enrol, firstChild, seedActivity, seedChild, stateOf, type SeededActivity } from '../helpers/bookings'

const DAY = '2027-01-06'

describe('attendance, walk-ins, printable list and occupancy', () => {
  let core: TestCore
  let staff: SeededStaff
  let act: SeededActivity
  let unit: number
  let kids: { childId: number; familyId: number }[]

  beforeEach(async () => {
    core = await openTestCore()
    staff = await seedStaff(core, 'animateur')
    act = await seedActivity(core, { validation: 'auto', places: 20 })
    unit = act.units[0].id
    kids = []
    for (const name of ['Dupont', 'Éluard', 'Martin']) {
      const fam = await seedFamily(core, { lastName: name })
      const childId = await firstChild(core, fam.familyId)
      await enrol(core, act, childId)
      await commitFamilyChanges(core, fam.actor, [{ childId, unitId: unit, day: DAY, op: 'add' }])
      kids.push({ childId, familyId: fam.familyId })
    }
    // Health flags and pick-up people, as #3's family file stores them.
    const now = core.clock.now().toISOString()
    core.db
      .prepare(`INSERT INTO child_file (child_id, allergies, allergy_notes, pai, diet_notes, meal_type, vaccines, updated_at) VALUES (?, 1, 'arachide', 1, 'sans gluten', 'sans-porc', '[]', ?)`)
      .run(kids[0].childId, now)
    core.db.prepare(`INSERT INTO pickup_person (child_id, name, relationship, phone, emergency, position) VALUES (?, 'Mamie Jeanne', 'grand-mère', '06 98 76 54 32', 1, 0)`).run(kids[0].childId)
  })
  afterEach(() => core.cleanup())

  it('lists expected children with flags, pick-up people and phones; one click marks present or absent', async () => {
    const list = await attendanceList(core, { day: DAY, activityId: act.activityId })
    expect(list.rows.map((r) => r.lastName)).toEqual(['Dupont', 'Éluard', 'Martin'])
    const d = list.rows[0]
    expect(d).toMatchObject({ state: 'R', initials: 'LD', allergies: true, allergyNotes: 'arachide', pai: true, diet: 'sans gluten', mealType: 'sans-porc' })
    expect(d.pickups).toEqual([{ pickupId: expect.any(Number), name: 'Mamie Jeanne', relationship: 'grand-mère', phone: '06 98 76 54 32', emergency: true, hasPhoto: false }])
    expect(d.emergencyPhones.map((p) => p.phone)).toEqual(['06 12 34 56 78', '06 98 76 54 32'])
    expect(list.counts).toMatchObject({ expected: 3, present: 0, pending: 3 })

    expect(await markAttendance(core, staff.actor, { bookingId: d.bookingId, status: 'present' })).toMatchObject({ state: 'PRESENT', applied: true })
    expect(await markAttendance(core, staff.actor, { bookingId: list.rows[1].bookingId, status: 'absent' })).toMatchObject({ state: 'ABSENT', applied: true })
    expect(await markAttendance(core, staff.actor, { bookingId: d.bookingId, status: 'reset' })).toMatchObject({ state: 'R', applied: true })
    expect(await markAttendance(core, staff.actor, { bookingId: d.bookingId, status: 'present' })).toMatchObject({ state: 'PRESENT', applied: true })
    const arrived = core.db.prepare('SELECT arrived_at FROM booking WHERE id = ?').get(d.bookingId) as { arrived_at: string }
    expect(arrived.arrived_at).toBe(core.clock.now().toISOString())
    const audits = await auditRows(core, 'booking-mark-present')
    expect(audits.at(-1)).toMatchObject({ actorKind: 'staff', before: { state: 'R' }, after: { state: 'PRESENT' } })
  })

  it('adds a walk-in (présent sans réservation), even without enrolment, and undoes it', async () => {
    const fam = await seedFamily(core, { lastName: 'Surprise' })
    const childId = await firstChild(core, fam.familyId)
    const candidates = await walkInCandidates(core, { activityId: act.activityId, day: DAY, query: 'surp' })
    expect(candidates.map((c) => c.lastName)).toEqual(['Surprise'])
    expect(candidates[0].enrolled).toBe(false)
    const { bookingId } = await walkIn(core, staff.actor, { childId, unitId: unit, day: DAY })
    expect(await stateOf(core, childId, unit, DAY)).toBe('PRESENT')
    const row = (await attendanceList(core, { day: DAY, activityId: act.activityId })).rows.find((r) => r.bookingId === bookingId)!
    expect(row.walkIn).toBe(true)
    expect(await markAttendance(core, staff.actor, { bookingId, status: 'reset' })).toMatchObject({ state: 'CANCELLED', applied: true })
  })

  it('prints a large-type PDF where pdftotext finds every child', async () => {
    const sibling = await seedChild(core, kids[2].familyId, 'Zoé')
    await enrol(core, act, sibling)
    await staffApply(core, (await seedStaff(core, 'accueil')).actor, { items: [{ childId: sibling, unitId: unit, day: DAY, action: 'book' }], reason: '', overrideCapacity: false })
    const pdf = await attendancePdf(core, { day: DAY, activityId: act.activityId })
    expect(pdf.fileName).toBe(`pointage-cl-maternel-mercredis-${DAY}.pdf`)
    const dir = mkdtempSync(join(tmpdir(), 'pdf-'))
    try {
      writeFileSync(join(dir, 'a.pdf'), Buffer.from(pdf.pdfBase64, 'base64'))
      execFileSync('pdftotext', ['-layout', join(dir, 'a.pdf'), join(dir, 'a.txt')])
      const text = readFileSync(join(dir, 'a.txt'), 'utf8')
      for (const name of ['DUPONT Léo', 'ÉLUARD Léo', 'MARTIN Léo', 'TEST Zoé']) expect(text).toContain(name)
      expect(text).toContain('Pointage – CL Maternel Mercredis')
      expect(text).toContain('PAI')
      expect(text).toContain('Mamie Jeanne')
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('prints the sign-in and sign-out sheet: expected children, the arrival time of those present, who may take them', async () => {
    // Dupont arrives, Martin's family declared an absence: Martin has nothing to sign.
    const before = await attendanceList(core, { day: DAY, activityId: act.activityId })
    await markAttendance(core, staff.actor, { bookingId: before.rows.find((r) => r.childId === kids[0].childId)!.bookingId!, status: 'present' })
    await staffApply(core, (await seedStaff(core, 'accueil')).actor, { items: [{ childId: kids[2].childId, unitId: unit, day: DAY, action: 'excuse' }], reason: 'Malade', overrideCapacity: true })
    const list = await attendanceList(core, { day: DAY, activityId: act.activityId })
    const present = list.rows.find((r) => r.state === 'PRESENT')!
    expect(present.arrivedAt).toBeTruthy()
    expect(list.rows.some((r) => r.state === 'A_EXC' || r.state === 'A_FACT')).toBe(true)
    const pdf = await attendancePdf(core, { day: DAY, activityId: act.activityId, sheet: 'emargement' })
    expect(pdf.fileName).toBe(`emargement-cl-maternel-mercredis-${DAY}.pdf`)
    const text = pdfText(Buffer.from(pdf.pdfBase64, 'base64')).replace(/[ \t]+/g, ' ')
    expect(text).toContain('Feuille d’émargement – CL Maternel Mercredis')
    for (const h of ['Arrivée', 'Départ', 'Personnes autorisées', 'Récupéré par', 'Signature']) expect(text).toContain(h)
    for (const r of list.rows) {
      const name = personName(r.lastName, r.firstName)
      if (r.state === 'A_EXC' || r.state === 'A_FACT') expect(text, name).not.toContain(name)
      else expect(text, name).toContain(name)
    }
    expect(text).toContain('Mamie Jeanne')
    expect(text).toContain(parisTime(new Date(present.arrivedAt!)).replace(':', 'h'))
  })

  it('shows occupancy per day and unit: places, booked, pending, free', async () => {
    const other = await seedActivity(core, { name: 'CL Élémentaire Mercredis', validation: 'staff', places: 5 })
    const fam = await seedFamily(core, { lastName: 'Attente' })
    const childId = await firstChild(core, fam.familyId)
    await enrol(core, other, childId)
    await commitFamilyChanges(core, fam.actor, [{ childId, unitId: other.units[0].id, day: DAY, op: 'add' }])
    const occ = await occupancy(core, { from: '2027-01-04', to: '2027-01-10' })
    const a = occ.cells.find((c) => c.unitId === unit && c.day === DAY)!
    expect(a).toMatchObject({ capacity: 20, booked: 3, pending: 0, free: 17 })
    const b = occ.cells.find((c) => c.unitId === other.units[0].id && c.day === DAY)!
    expect(b).toMatchObject({ capacity: 5, booked: 0, pending: 1, free: 4 })
    // Only opening days (Wednesdays for these activities).
    expect([...new Set(occ.cells.map((c) => c.day))]).toEqual([DAY])
  })
})
