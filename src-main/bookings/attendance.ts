import type { Core } from '../core/app-core'
import { DomainError, notFound } from '../core/errors'
import type { StaffActor } from '../rpc/types'
import { staffApply, type StaffItem } from './staff-actions'
import { auditRow, dbOf, stmt } from './sql'
import { slotOf, type Slot } from './planning'
import { upperName } from '@shared/names'

export interface AttendancePickup {
  pickupId: number
  /** A photo is on file (pickup-photo-get, staff only). */
  hasPhoto: boolean
  name: string
  relationship: string
  phone: string
  emergency: boolean
}

export interface AttendanceRow {
  bookingId: number
  state: 'DR' | 'R' | 'DA' | 'PRESENT' | 'ABSENT' | 'A_EXC' | 'A_FACT'
  walkIn: boolean
  arrivedAt: string | null
  leftAt: string | null
  /** The last mark: when it was made and by whom (display name). */
  markedAt: string | null
  markedBy: string | null
  childId: number
  firstName: string
  lastName: string
  initials: string
  birthDate: string
  grade: string
  familyNumber: number
  /** A shared child (issue 16): the household that booked, 1 or 2; absent for a child of one household. */
  household?: 1 | 2
  unitId: number
  unitName: string
  groupId: number | null
  groupName: string
  allergies: boolean
  allergyNotes: string
  pai: boolean
  diet: string
  mealType: string
  healthNotes: string
  leaveAlone: boolean
  pickups: AttendancePickup[]
  /** Responsables' phones then emergency contacts: who to call. */
  emergencyPhones: { label: string; phone: string }[]
}

export interface AttendanceList {
  day: string
  activityId: number
  activityName: string
  units: { id: number; name: string; startTime: string; endTime: string; slot: Slot }[]
  groups: { id: number; name: string }[]
  rows: AttendanceRow[]
  counts: { expected: number; present: number; absent: number; excused: number; pending: number }
}

const LISTED = `('R','DA','PRESENT','ABSENT','A_EXC','A_FACT')`
/** The staff planning per activity and day also shows requests waiting for a decision. */
const WITH_REQUESTS = `('DR','R','DA','PRESENT','ABSENT','A_EXC','A_FACT')`

/**
 * The day's list for one activity (optionally one unit and one group): every
 * child expected or already marked, with what the desk needs at hand —
 * allergies, PAI, diet, who may pick the child up, whom to call.
 */
export async function attendanceList(core: Core, q: { day: string; activityId: number; unitId?: number; groupId?: number; withRequests?: boolean }): Promise<AttendanceList> {
  return core.tx.read(async (m) => {
    const db = dbOf(m)
    const activity = stmt(db, 'SELECT id, name FROM activity WHERE id = ?').get(q.activityId) as { id: number; name: string } | undefined
    if (!activity) throw notFound('Activité')
    const units = stmt(db, 'SELECT id, name, start_time AS startTime, end_time AS endTime FROM unit WHERE activity_id = ? ORDER BY sort, start_time, id').all(q.activityId) as {
      id: number; name: string; startTime: string; endTime: string
    }[]
    const groups = stmt(db, 'SELECT id, name FROM activity_group WHERE activity_id = ? ORDER BY name, id').all(q.activityId) as { id: number; name: string }[]
    const rows = db
      .prepare(
        `SELECT b.id AS bookingId, b.state, b.source, b.arrived_at AS arrivedAt, b.left_at AS leftAt, b.marked_at AS markedAt, su.display_name AS markedBy,
                b.unit_id AS unitId, u.name AS unitName,
                b.group_id AS groupId, COALESCE(g.name, '') AS groupName,
                ch.id AS childId, ch.first_name AS firstName, ch.last_name AS lastName, ch.birth_date AS birthDate, ch.grade,
                ch.family_id AS familyId, f.number AS familyNumber, b.family_id AS bookingFamilyId,
                (SELECT h.family_id FROM child_household h WHERE h.child_id = ch.id) AS secondFamilyId,
                COALESCE(cf.allergies, 0) AS allergies, COALESCE(cf.allergy_notes, '') AS allergyNotes, COALESCE(cf.pai, 0) AS pai,
                COALESCE(cf.diet_notes, '') AS diet, COALESCE(cf.meal_type, 'standard') AS mealType,
                COALESCE(cf.health_notes, '') AS healthNotes, COALESCE(cf.leave_alone, 0) AS leaveAlone
         FROM booking b
         JOIN unit u ON u.id = b.unit_id
         JOIN child ch ON ch.id = b.child_id
         JOIN family f ON f.id = ch.family_id
         LEFT JOIN activity_group g ON g.id = b.group_id
         LEFT JOIN child_file cf ON cf.child_id = ch.id
         LEFT JOIN staff_user su ON su.id = b.marked_by
         WHERE u.activity_id = ? AND b.day = ? AND b.state IN ${q.withRequests ? WITH_REQUESTS : LISTED}
           ${q.unitId ? 'AND b.unit_id = ?' : ''} ${q.groupId ? 'AND b.group_id = ?' : ''}
         ORDER BY u.sort, u.start_time, ch.last_name COLLATE NOCASE, ch.first_name COLLATE NOCASE, b.id`
      )
      .all(...[q.activityId, q.day, q.unitId, q.groupId].filter((x) => x !== undefined)) as (Omit<AttendanceRow, 'walkIn' | 'initials' | 'allergies' | 'pai' | 'leaveAlone' | 'pickups' | 'emergencyPhones'> & {
      source: string; familyId: number; bookingFamilyId: number | null; secondFamilyId: number | null; allergies: number; pai: number; leaveAlone: number
    })[]
    const childIds = JSON.stringify([...new Set(rows.map((r) => r.childId))])
    const familyIds = JSON.stringify([...new Set(rows.flatMap((r) => (r.secondFamilyId ? [r.familyId, r.secondFamilyId] : [r.familyId])))])
    const pickups = new Map<number, AttendancePickup[]>()
    for (const p of stmt(
      db,
      `SELECT id, child_id AS childId, name, relationship, phone, emergency, photo_file_id IS NOT NULL AS hasPhoto FROM pickup_person
       WHERE child_id IN (SELECT value FROM json_each(?)) ORDER BY child_id, position, id`
    ).all(childIds) as { id: number; childId: number; name: string; relationship: string; phone: string; emergency: number; hasPhoto: number }[]) {
      if (!pickups.has(p.childId)) pickups.set(p.childId, [])
      pickups.get(p.childId)!.push({ pickupId: p.id, name: p.name, relationship: p.relationship, phone: p.phone, emergency: p.emergency === 1, hasPhoto: p.hasPhoto === 1 })
    }
    const parents = new Map<number, { label: string; phone: string }[]>()
    for (const p of stmt(
      db,
      `SELECT family_id AS familyId, role, first_name AS firstName, last_name AS lastName, phone_mobile AS mobile, phone_home AS home, phone_work AS work
       FROM person WHERE family_id IN (SELECT value FROM json_each(?)) ORDER BY family_id, role DESC`
    ).all(familyIds) as { familyId: number; role: string; firstName: string; lastName: string; mobile: string; home: string; work: string }[]) {
      if (!parents.has(p.familyId)) parents.set(p.familyId, [])
      const who = `${p.firstName} ${upperName(p.lastName)}`
      for (const [kind, phone] of [['portable', p.mobile], ['domicile', p.home], ['travail', p.work]] as const) {
        if (phone) parents.get(p.familyId)!.push({ label: `${who} (${kind})`, phone })
      }
    }
    /**
     * A shared child (issue 16): the row says which household booked (« Foyer 1 » / « Foyer 2 »), and the phones of
     * that household come first, each named with its household, so the desk calls the parent who has the child today.
     */
    const householdOf = (r: (typeof rows)[number]) => (r.secondFamilyId === null ? undefined : r.bookingFamilyId === r.secondFamilyId ? (2 as const) : (1 as const))
    const parentPhones = (r: (typeof rows)[number]) => {
      const n = householdOf(r)
      if (!n) return parents.get(r.familyId) ?? []
      const tagged = (familyId: number, k: 1 | 2) => (parents.get(familyId) ?? []).map((p) => ({ label: `Foyer ${k} – ${p.label}`, phone: p.phone }))
      const both = [tagged(r.familyId, 1), tagged(r.secondFamilyId!, 2)]
      return (n === 2 ? both.reverse() : both).flat()
    }
    const out: AttendanceRow[] = rows.map((r) => {
      const pk = pickups.get(r.childId) ?? []
      const household = householdOf(r)
      return {
        bookingId: r.bookingId,
        state: r.state,
        walkIn: r.source === 'walk-in',
        arrivedAt: r.arrivedAt,
        leftAt: r.leftAt,
        markedAt: r.markedAt,
        markedBy: r.markedBy,
        childId: r.childId,
        firstName: r.firstName,
        lastName: r.lastName,
        initials: upperName(`${r.firstName.charAt(0)}${r.lastName.charAt(0)}`),
        birthDate: r.birthDate,
        grade: r.grade,
        familyNumber: r.familyNumber,
        ...(household ? { household } : {}),
        unitId: r.unitId,
        unitName: r.unitName,
        groupId: r.groupId,
        groupName: r.groupName,
        allergies: r.allergies === 1,
        allergyNotes: r.allergyNotes,
        pai: r.pai === 1,
        diet: r.diet,
        mealType: r.mealType,
        healthNotes: r.healthNotes,
        leaveAlone: r.leaveAlone === 1,
        pickups: pk,
        emergencyPhones: [
          ...parentPhones(r),
          ...pk.filter((p) => p.emergency && p.phone).map((p) => ({ label: `${p.name}${p.relationship ? ` (${p.relationship})` : ''}`, phone: p.phone }))
        ]
      }
    })
    // French order (É with E), which SQLite's NOCASE does not know; units keep their configured order.
    const unitOrder = new Map(units.map((u, i) => [u.id, i]))
    const fr = new Intl.Collator('fr', { sensitivity: 'base' })
    out.sort((a, b) => (unitOrder.get(a.unitId) ?? 0) - (unitOrder.get(b.unitId) ?? 0) || fr.compare(a.lastName, b.lastName) || fr.compare(a.firstName, b.firstName))
    const count = (f: (r: AttendanceRow) => boolean) => out.filter(f).length
    return {
      day: q.day,
      activityId: activity.id,
      activityName: activity.name,
      units: units.map((u) => ({ ...u, slot: slotOf(u) })),
      groups,
      rows: out,
      counts: {
        expected: count((r) => r.state === 'R' || r.state === 'DA' || r.state === 'PRESENT' || r.state === 'ABSENT'),
        present: count((r) => r.state === 'PRESENT'),
        absent: count((r) => r.state === 'ABSENT'),
        excused: count((r) => r.state === 'A_EXC' || r.state === 'A_FACT'),
        pending: count((r) => r.state === 'R' || r.state === 'DA')
      }
    }
  })
}

/** One click on the pointage screen: present, absent, or back to "expected". */
export type MarkStatus = 'present' | 'absent' | 'left' | 'reset'

export interface MarkOutcome {
  state: string
  /** False when a later mark (made after this one, possibly sent earlier) already stands: this one is ignored. */
  applied: boolean
  arrivedAt: string | null
  leftAt: string | null
  markedAt: string | null
  markedBy: string | null
}

/** A tablet's clock may drift a little; a mark further in the future than this is refused. */
const CLOCK_SKEW_MS = 5 * 60_000

/**
 * One attendance mark: présent, absent, parti (with the time), or undone.
 * `markedAt` is when it was made — on a tablet that was offline, possibly
 * long before it arrives. Conflicts resolve by that time: a mark older than
 * the one standing (another desk marked later) changes nothing and says so;
 * the same mark sent twice (a lost answer) is applied once.
 */
export async function markAttendance(core: Core, actor: StaffActor, input: { bookingId: number; status: MarkStatus; markedAt?: string }): Promise<MarkOutcome> {
  return core.tx.run(async (m) => {
    const db = dbOf(m)
    const read = () =>
      stmt(
        db,
        `SELECT b.child_id AS childId, b.unit_id AS unitId, b.day, b.state, b.source, b.arrived_at AS arrivedAt, b.left_at AS leftAt,
                b.marked_at AS markedAt, su.display_name AS markedBy
         FROM booking b LEFT JOIN staff_user su ON su.id = b.marked_by WHERE b.id = ?`
      ).get(input.bookingId) as
        | { childId: number; unitId: number; day: string; state: string; source: string; arrivedAt: string | null; leftAt: string | null; markedAt: string | null; markedBy: string | null }
        | undefined
    const b = read()
    if (!b) throw notFound('Réservation')
    const now = core.clock.now()
    const at = input.markedAt ? new Date(input.markedAt) : now
    if (at.getTime() > now.getTime() + CLOCK_SKEW_MS) {
      throw new DomainError('mark_in_future', 'L’heure de ce pointage est dans le futur : vérifiez l’heure de la tablette.', 400)
    }
    const atIso = at.toISOString()
    const outcome = (applied: boolean): MarkOutcome => {
      const x = read()!
      return { state: x.state, applied, arrivedAt: x.arrivedAt, leftAt: x.leftAt, markedAt: x.markedAt, markedBy: x.markedBy }
    }
    // A mark made earlier than the one standing (another desk marked later), or this very one sent again after a lost
    // answer: nothing to do. A mark without a time is made now, on the server: it is the latest by definition.
    if (input.markedAt && b.markedAt && b.markedAt >= atIso) return outcome(false)

    const cell = { childId: b.childId, unitId: b.unitId, day: b.day }
    let items: StaffItem[] = []
    if (input.status === 'present') items = b.state === 'PRESENT' ? [] : [{ ...cell, action: 'mark-present' }]
    else if (input.status === 'absent') items = b.state === 'ABSENT' ? [] : [{ ...cell, action: 'mark-absent' }]
    else if (input.status === 'left') {
      if (b.state !== 'PRESENT') throw new DomainError('not_present', 'Seul un enfant présent peut être pointé parti.', 409)
    } else if (b.state === 'PRESENT' && b.source === 'walk-in') items = [{ ...cell, action: 'unmark' }, { ...cell, action: 'cancel' }] // a walk-in had no reservation to go back to
    else items = b.state === 'PRESENT' || b.state === 'ABSENT' ? [{ ...cell, action: 'unmark' }] : []
    if (items.length) await staffApply(core, actor, { items, reason: '', overrideCapacity: true, arrivedAt: atIso })
    if (input.status === 'left') {
      stmt(db, 'UPDATE booking SET left_at = ? WHERE id = ?').run(atIso, input.bookingId)
      auditRow(db, actor, now.toISOString(), 'booking-leave', 'booking', input.bookingId, { leftAt: b.leftAt }, { leftAt: atIso, day: b.day })
    } else if (input.status === 'present' && b.state === 'PRESENT' && b.leftAt) {
      // Marked present again after « parti »: back in the room.
      stmt(db, 'UPDATE booking SET left_at = NULL WHERE id = ?').run(input.bookingId)
      auditRow(db, actor, now.toISOString(), 'booking-return', 'booking', input.bookingId, { leftAt: b.leftAt }, { leftAt: null, day: b.day })
    }
    stmt(db, 'UPDATE booking SET marked_at = ?, marked_by = ? WHERE id = ?').run(atIso, actor.id, input.bookingId)
    return outcome(true)
  })
}

/** A child present without a reservation (présent sans réservation): counted and billed as such. */
export async function walkIn(core: Core, actor: StaffActor, input: { childId: number; unitId: number; day: string }): Promise<{ bookingId: number }> {
  const r = await staffApply(core, actor, { items: [{ ...input, action: 'walk-in' }], reason: 'Présent sans réservation', overrideCapacity: true })
  return { bookingId: r.bookingIds[0] }
}

/** Children the desk may add as walk-ins: enrolled in the activity on that day first, then anyone matching the search. */
export async function walkInCandidates(core: Core, q: { activityId: number; day: string; query: string }) {
  const text = q.query.trim()
  if (text.length > 0 && text.length < 2) throw new DomainError('invalid_input', 'Tapez au moins deux lettres du nom.', 400)
  return core.tx.read(async (m) => {
    const like = `%${text.replace(/[%_\\]/g, (c) => `\\${c}`)}%`
    return dbOf(m)
      .prepare(
        `SELECT ch.id AS childId, ch.first_name AS firstName, ch.last_name AS lastName, f.number AS familyNumber,
                EXISTS (SELECT 1 FROM enrolment e JOIN activity_period p ON p.id = e.period_id
                        WHERE e.child_id = ch.id AND e.activity_id = ? AND e.status = 'validated' AND p.start_date <= ? AND p.end_date >= ?) AS enrolled
         FROM child ch JOIN family f ON f.id = ch.family_id
         WHERE f.status = 'active'
           AND (? = '' OR ch.first_name LIKE ? ESCAPE '\\' OR ch.last_name LIKE ? ESCAPE '\\' OR (ch.first_name || ' ' || ch.last_name) LIKE ? ESCAPE '\\')
           AND NOT EXISTS (SELECT 1 FROM booking b JOIN unit u ON u.id = b.unit_id
                           WHERE b.child_id = ch.id AND b.day = ? AND u.activity_id = ? AND b.state IN ${LISTED})
         ORDER BY enrolled DESC, ch.last_name COLLATE NOCASE, ch.first_name COLLATE NOCASE
         LIMIT 30`
      )
      .all(q.activityId, q.day, q.day, text, like, like, like, q.day, q.activityId)
      .map((r) => {
        const x = r as { childId: number; firstName: string; lastName: string; familyNumber: number; enrolled: number }
        return { ...x, enrolled: x.enrolled === 1 }
      })
  })
}
