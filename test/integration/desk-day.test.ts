import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { DIET_LABELS, DIETS } from '@shared/contract/desk-shapes'
import { addDays } from '@shared/bookings/days'
import { markAttendance } from '../../src-main/bookings/attendance'
import { staffApply } from '../../src-main/bookings/staff-actions'
import { seedDemo } from '../../src-main/demo/seed'
import { readSection, writeSection } from '../../src-main/families/file'
import { buildStaffApp } from '../../src-main/server/staff-app'
import { openTestCore, seedStaff, type SeededStaff, type TestCore } from '../helpers/core'
import { client, type TestClient } from '../helpers/http'
import { pdfPages, pdfText, qpdfCheck } from '../helpers/billing-tools'

/**
 * The desk's day (#18) on the demo structure, seeded once at Thursday
 * 3 December 2026, 10:30 in Paris: each dashboard figure is checked against
 * a count made here from the raw rows, in plain code, not with the SQL
 * under test.
 */
const NOW = new Date('2026-12-03T09:30:00.000Z')
const TODAY = '2026-12-03'

let core: TestCore
let app: FastifyInstance
const staff: Record<string, { s: SeededStaff; c: TestClient }> = {}

beforeAll(async () => {
  core = await openTestCore({ now: NOW })
  await seedDemo(core, { smtpPort: 2525 })
  app = await buildStaffApp(core)
  for (const role of ['direction', 'accueil', 'comptable', 'animateur'] as const) {
    const s = await seedStaff(core, role)
    const c = await client(app, 'staff')
    await c.loginStaff(s.login, s.password)
    staff[role] = { s, c }
  }
  // This morning's register: some present, one absent, one absence declared by the family.
  const morning = core.db
    .prepare(`SELECT b.id, b.child_id AS childId, b.unit_id AS unitId FROM booking b JOIN unit u ON u.id = b.unit_id WHERE b.day = ? AND u.start_time < '10:30' AND b.state = 'R' ORDER BY b.id`)
    .all(TODAY) as { id: number; childId: number; unitId: number }[]
  expect(morning.length).toBeGreaterThan(5)
  const actor = staff.direction.s.actor
  for (const b of morning.slice(0, 4)) await markAttendance(core, actor, { bookingId: b.id, status: 'present' })
  await markAttendance(core, actor, { bookingId: morning[4].id, status: 'absent' })
  await staffApply(core, actor, { items: [{ childId: morning[5].childId, unitId: morning[5].unitId, day: TODAY, action: 'excuse' }], reason: 'Malade', overrideCapacity: true })
  // Tomorrow's lunch: one more PAI and a vegetarian among the children who eat.
  const eaters = core.db
    .prepare(`SELECT DISTINCT b.child_id AS childId, c.family_id AS familyId FROM booking b JOIN unit u ON u.id = b.unit_id JOIN child c ON c.id = b.child_id
               WHERE b.day = '2026-12-04' AND u.meal = 1 AND b.state = 'R' ORDER BY b.child_id DESC LIMIT 2`)
    .all() as { childId: number; familyId: number }[]
  await core.tx.run(async (m) => {
    // Here the ALAE morning serves a breakfast: a child with the morning and the canteen still counts once a day.
    await m.query(`UPDATE unit SET meal = 1 WHERE name = 'Matin 7h30-8h20'`)
    await writeSection(m, core, actor, 'health', { familyId: eaters[0].familyId, childId: eaters[0].childId }, { allergies: true, allergyNotes: 'Arachide (PAI)', pai: true, mealType: 'standard' })
    await writeSection(m, core, actor, 'health', { familyId: eaters[1].familyId, childId: eaters[1].childId }, { allergies: false, pai: false, mealType: 'vegetarien' })
  })
}, 180_000)
afterAll(async () => {
  await app.close()
  await core.cleanup()
})

const rows = <T>(sql: string, ...params: unknown[]) => core.db.prepare(sql).all(...params) as T[]
const call = async (role: string, name: string, input: unknown = {}) => {
  const r = await staff[role].c.call(name, input)
  expect(r.status, `${role} ${name}: ${JSON.stringify(r.body)}`).toBe(200)
  return r.body
}

describe('dashboard figures against the seeded demo', () => {
  test('today: expected, present, absent, declared absences and late arrivals per unit', async () => {
    const d = await call('animateur', 'dashboard-today')
    expect(d.day).toBe(TODAY)
    expect(d.time).toBe('10:30')
    const bookings = rows<{ unitId: number; state: string; start: string }>(
      'SELECT b.unit_id AS unitId, b.state, u.start_time AS start FROM booking b JOIN unit u ON u.id = b.unit_id WHERE b.day = ?',
      TODAY
    )
    const byUnit = new Map<number, { expected: number; present: number; absent: number; excused: number; unmarked: number; start: string }>()
    for (const b of bookings) {
      const u = byUnit.get(b.unitId) ?? { expected: 0, present: 0, absent: 0, excused: 0, unmarked: 0, start: b.start }
      if (['R', 'DA', 'PRESENT', 'ABSENT'].includes(b.state)) u.expected++
      if (b.state === 'PRESENT') u.present++
      if (b.state === 'ABSENT') u.absent++
      if (b.state === 'A_EXC' || b.state === 'A_FACT') u.excused++
      if (b.state === 'R' || b.state === 'DA') u.unmarked++
      byUnit.set(b.unitId, u)
    }
    for (const [id, u] of byUnit) if (!u.expected && !u.excused) byUnit.delete(id)
    expect(d.units.map((u: { unitId: number }) => u.unitId).sort()).toEqual([...byUnit.keys()].sort())
    for (const u of d.units) {
      const mine = byUnit.get(u.unitId)!
      expect({ expected: u.expected, present: u.present, absent: u.absent, excused: u.excused, unmarked: u.unmarked }, u.unitName).toEqual({
        expected: mine.expected, present: mine.present, absent: mine.absent, excused: mine.excused, unmarked: mine.unmarked
      })
      expect(u.started).toBe(mine.start <= '10:30')
    }
    expect(d.totals.present).toBe(4)
    expect(d.totals.absent).toBe(1)
    expect(d.totals.excused).toBe(1)
    const late = [...byUnit.values()].filter((u) => u.start <= '10:30').reduce((n, u) => n + u.unmarked, 0)
    expect(d.totals.late).toBe(late)
    expect(late).toBeGreaterThan(0)
  })

  test('meals: the next day with meals, per diet, each child once, PAI named', async () => {
    const [day] = await call('accueil', 'dashboard-meals')
    expect(day.day).toBe('2026-12-04')
    const booked = rows<{ childId: number; state: string }>(
      `SELECT b.child_id AS childId, b.state FROM booking b JOIN unit u ON u.id = b.unit_id WHERE b.day = ? AND u.meal = 1`,
      day.day
    )
    const files = new Map(rows<{ childId: number; mealType: string; pai: number }>('SELECT child_id AS childId, meal_type AS mealType, pai FROM child_file').map((f) => [f.childId, f]))
    const served = new Set(booked.filter((b) => ['R', 'DA', 'PRESENT'].includes(b.state)).map((b) => b.childId))
    expect(booked.length).toBeGreaterThan(served.size + 5)
    const counts = Object.fromEntries(DIETS.map((x) => [x, 0]))
    for (const id of served) {
      const f = files.get(id)
      counts[f?.pai ? 'pai' : (f?.mealType ?? 'standard')]++
    }
    expect(day.counts).toEqual(counts)
    expect(day.total).toBe(served.size)
    expect(counts.pai).toBeGreaterThan(0)
    expect(counts['sans-porc']).toBeGreaterThan(0)
    const paiIds = [...served].filter((id) => files.get(id)?.pai)
    expect(day.pai.map((p: { childId: number }) => p.childId).sort()).toEqual(paiIds.sort())
    expect(day.pai[0].allergies).toBe('Arachide (PAI)')
    // A range for the kitchen sheet; the weekend has none.
    const week = await call('direction', 'dashboard-meals', { from: '2026-12-04', to: '2026-12-06' })
    expect(week.map((w: { day: string; total: number }) => [w.day, w.total])).toEqual([['2026-12-04', served.size], ['2026-12-05', 0], ['2026-12-06', 0]])
    expect((await staff.direction.c.call('dashboard-meals', { from: '2026-12-06', to: '2026-12-04' })).status).toBe(400)
  })

  test('the kitchen sheet prints the same counts per diet and names the PAI children, on A4', async () => {
    const [day] = await call('animateur', 'dashboard-meals', { from: '2026-12-04', to: '2026-12-04' })
    const one = await call('animateur', 'kitchen-sheet-pdf', { from: '2026-12-04', to: '2026-12-04' })
    expect(one.fileName).toBe('fiche-cuisine-2026-12-04.pdf')
    const pdf = Buffer.from(one.pdfBase64, 'base64')
    const text = pdfText(pdf).replace(/[ \t]+/g, ' ')
    expect(text).toContain('Fiche cuisine')
    expect(text).toContain(`Vendredi 04/12/2026 — ${day.total} repas`)
    for (const d of DIETS) expect(text, d).toContain(`${DIET_LABELS[d]} ${day.counts[d]}`)
    for (const p of day.pai) expect(text).toContain(p.name)
    expect(text).toContain('Arachide (PAI)')
    expect(pdfPages(pdf)).toEqual({ count: 1, sizes: [{ width: 595.28, height: 841.89 }] })
    // Friday to Sunday: the overview, then one page for the only day with meals.
    const range = await call('direction', 'kitchen-sheet-pdf', { from: '2026-12-04', to: '2026-12-06' })
    expect(range.fileName).toBe('fiche-cuisine-2026-12-04-au-2026-12-06.pdf')
    const rangePdf = Buffer.from(range.pdfBase64, 'base64')
    const rangeText = pdfText(rangePdf).replace(/[ \t]+/g, ' ')
    expect(rangeText).toContain(`Vendredi 04/12/2026 ${DIETS.map((d) => day.counts[d]).join(' ')} ${day.total}`)
    expect(rangeText).toContain('Samedi 05/12/2026 aucun repas')
    expect(pdfPages(rangePdf).count).toBe(2)
    expect((await staff.direction.c.call('kitchen-sheet-pdf', { from: '2026-12-01', to: '2027-01-15' })).status).toBe(400)
  })

  test('this week: places taken on each activity’s busiest unit against its capacity; waiting lists', async () => {
    const w = await call('animateur', 'dashboard-week')
    expect(w.from).toBe('2026-11-30')
    expect(w.days).toEqual(['2026-11-30', '2026-12-01', '2026-12-02', '2026-12-03', '2026-12-04'])
    const taken = rows<{ activityId: number; unitId: number; day: string; n: number }>(
      `SELECT u.activity_id AS activityId, b.unit_id AS unitId, b.day, COUNT(*) AS n FROM booking b JOIN unit u ON u.id = b.unit_id
        WHERE b.day BETWEEN ? AND ? AND b.state IN ('DR','R','DA','PRESENT') AND b.group_id IS NOT NULL GROUP BY b.unit_id, b.day`,
      w.from, w.to
    )
    const places = rows<{ unitId: number; places: number }>('SELECT unit_id AS unitId, SUM(places) AS places FROM capacity WHERE day IS NULL GROUP BY unit_id')
    const wednesday = w.activities.find((a: { name: string }) => a.name === 'CL Élémentaire Mercredis')
    expect(wednesday.cells.map((c: unknown) => c === null)).toEqual([true, true, false, true, true])
    for (const a of w.activities) {
      a.cells.forEach((cell: { taken: number; capacity: number | null } | null, i: number) => {
        if (!cell) return
        const mine = taken.filter((t) => t.activityId === a.activityId && t.day === w.days[i])
        const busiest = mine.reduce((best, t) => (t.n > best.n ? t : best), { unitId: 0, n: 0 } as { unitId: number; n: number })
        expect(cell.taken, `${a.name} ${w.days[i]}`).toBe(busiest.n)
        if (busiest.n) expect(cell.capacity).toBe(places.find((p) => p.unitId === busiest.unitId)!.places)
      })
    }
    const waiting = rows<{ n: number }>(`SELECT COUNT(*) AS n FROM enrolment WHERE status = 'waiting'`)[0].n
    expect(w.waiting.reduce((n: number, x: { count: number }) => n + x.count, 0)).toBe(waiting)
    expect(waiting).toBeGreaterThan(0)
  })

  test('money: aged balance, invoiced and received per month, next direct debit; billing roles only', async () => {
    const money = await call('comptable', 'dashboard-money')
    const invoices = rows<{ id: number; total: number; due: string; period: string }>(
      `SELECT id, total_cents AS total, due_date AS due, period_start AS period FROM invoice WHERE status = 'issued' AND issue_date <= ?`,
      TODAY
    )
    const allocations = rows<{ invoiceId: number; cents: number; mode: string; paidOn: string }>(
      'SELECT a.invoice_id AS invoiceId, a.amount_cents AS cents, p.mode, p.received_on AS paidOn FROM payment_allocation a JOIN payment p ON p.id = a.payment_id'
    )
    const buckets = { notDue: 0, d30: 0, d60: 0, d90: 0, older: 0 }
    let total = 0
    for (const i of invoices) {
      // A direct debit pays on its collection day: one still ahead has not paid yet.
      const paid = allocations.filter((a) => a.invoiceId === i.id && !(a.mode === 'prelevement' && a.paidOn > TODAY)).reduce((n, a) => n + a.cents, 0)
      const due = i.total - paid
      if (due <= 0) continue
      const late = Math.round((Date.parse(TODAY) - Date.parse(i.due)) / 86_400_000)
      const k = late <= 0 ? 'notDue' : late <= 30 ? 'd30' : late <= 60 ? 'd60' : late <= 90 ? 'd90' : 'older'
      buckets[k] += due
      total += due
    }
    expect(money.aged).toMatchObject({ ...buckets, total })
    expect(total).toBeGreaterThan(0)
    expect(money.schoolYear).toBe('2026-2027')
    expect(money.months.map((m: { month: string }) => m.month)).toEqual(['2026-09', '2026-10', '2026-11', '2026-12', '2027-01', '2027-02', '2027-03', '2027-04', '2027-05', '2027-06', '2027-07', '2027-08'])
    for (const m of money.months) {
      const inv = rows<{ total: number; period: string }>(`SELECT total_cents AS total, period_start AS period FROM invoice WHERE status = 'issued'`)
        .filter((i) => i.period.startsWith(m.month))
        .reduce((n, i) => n + i.total, 0)
      expect(m.invoicedCents, m.month).toBe(inv)
    }
    expect(money.months[0].invoicedCents).toBeGreaterThan(0)
    const received = rows<{ cents: number; paidOn: string }>(`SELECT amount_cents AS cents, received_on AS paidOn FROM payment WHERE status = 'ok'`)
    expect(money.months.reduce((n: number, m: { receivedCents: number }) => n + m.receivedCents, 0)).toBe(
      received.filter((p) => p.paidOn >= '2026-09-01' && p.paidOn <= TODAY).reduce((n, p) => n + p.cents, 0)
    )
    // Next debit: the plan's proposal, on a TARGET2 day after today (the demo has mandates and unpaid debit invoices).
    expect(money.nextDebit).not.toBeNull()
    expect(money.nextDebit.date > TODAY).toBe(true)
    expect((await call('direction', 'dashboard-money')).aged.total).toBe(total)
    for (const role of ['accueil', 'animateur']) expect((await staff[role].c.call('dashboard-money')).status, role).toBe(403)
  })

  test('queues: pending requests by kind and age; failed e-mails for the direction only', async () => {
    await core.tx.run((m) =>
      m.query(`INSERT INTO outbox_mail (recipient, subject, text_body, attachments, status, attempts, next_attempt_at, created_at) VALUES
        ('a@exemple.fr', 'x', 'x', '[]', 'failed', 8, '', ?), ('b@exemple.fr', 'y', 'y', '[]', 'pending', 2, '', ?)`, [NOW.toISOString(), NOW.toISOString()])
    )
    const q = await call('direction', 'dashboard-queues')
    const pending = rows<{ type: string; created: string }>(`SELECT type, created_at AS created FROM request WHERE status = 'pending'`)
    const types = [...new Set(pending.map((p) => p.type))]
    expect(q.requests.map((r: { type: string }) => r.type).sort()).toEqual(types.sort())
    for (const r of q.requests) {
      const mine = pending.filter((p) => p.type === r.type)
      expect(r.count).toBe(mine.length)
      expect(r.oldest).toBe(mine.map((p) => p.created).sort()[0])
      expect(r.olderThan7Days).toBe(mine.filter((p) => Date.parse(p.created) < NOW.getTime() - 7 * 86_400_000).length)
    }
    expect(q.mails).toEqual({ failed: 1, retrying: 1 })
    expect((await call('accueil', 'dashboard-queues')).mails).toBeNull()
  })

  test('search everywhere: families, children, invoices and requests by fragment, each for the roles that may open it', async () => {
    const fam = rows<{ id: number; lastName: string }>(`SELECT f.id, p.last_name AS lastName FROM family f JOIN person p ON p.family_id = f.id AND p.role = 'responsable' WHERE f.status = 'active' ORDER BY f.id LIMIT 1`)[0]
    const fragment = fam.lastName.slice(1, 5)
    const byName = await call('direction', 'desk-search', { query: fragment })
    expect(byName.some((h: { kind: string; id: number }) => h.kind === 'family' && h.id === fam.id), fragment).toBe(true)
    const child = rows<{ id: number; firstName: string; familyId: number }>(`SELECT c.id, c.first_name AS firstName, c.family_id AS familyId FROM child c JOIN family f ON f.id = c.family_id WHERE f.status = 'active' ORDER BY c.id LIMIT 1`)[0]
    const kids = await call('animateur', 'desk-search', { query: child.firstName })
    expect(kids.find((h: { kind: string; id: number }) => h.kind === 'child' && h.id === child.id)).toMatchObject({ familyId: child.familyId })
    const invoice = rows<{ id: number; number: string }>(`SELECT id, number FROM invoice ORDER BY id DESC LIMIT 1`)[0]
    const tail = invoice.number.slice(-5)
    const inv = await call('comptable', 'desk-search', { query: tail })
    expect(inv.some((h: { kind: string; id: number }) => h.kind === 'invoice' && h.id === invoice.id), tail).toBe(true)
    const request = rows<{ id: number; type: string; familyId: number }>(`SELECT id, type, family_id AS familyId FROM request WHERE status = 'pending' ORDER BY id LIMIT 1`)[0]
    const req = await call('accueil', 'desk-search', { query: `#${request.id}` })
    expect(req.find((h: { kind: string }) => h.kind === 'request')).toMatchObject({ id: request.id, requestType: request.type, familyId: request.familyId })
    // Invoices stay with the cashiers, requests with the desk.
    expect((await call('animateur', 'desk-search', { query: tail })).filter((h: { kind: string }) => h.kind === 'invoice')).toEqual([])
    expect((await call('comptable', 'desk-search', { query: `#${request.id}` })).filter((h: { kind: string }) => h.kind === 'request')).toEqual([])
    // LIKE wildcards are text, not « everything »; one letter is refused in French.
    expect(await call('direction', 'desk-search', { query: '%_' })).toEqual([])
    const short = await staff.direction.c.call('desk-search', { query: 'a' })
    expect(short.status).toBe(400)
    expect(JSON.stringify(short.body)).toContain('au moins deux caractères')
  })
})

describe('fiches sanitaires de liaison for an outing', () => {
  /** Next Wednesday's centre, one group: the children expected (not absent), counted from the raw rows. */
  const outing = () => {
    const g = rows<{ activityId: number; groupId: number; day: string; n: number }>(
      `SELECT u.activity_id AS activityId, b.group_id AS groupId, b.day, COUNT(DISTINCT b.child_id) AS n FROM booking b JOIN unit u ON u.id = b.unit_id
        WHERE b.day > ? AND b.group_id IS NOT NULL AND b.state IN ('R','DA','PRESENT') GROUP BY u.activity_id, b.group_id, b.day
        HAVING n BETWEEN 3 AND 12 ORDER BY b.day, u.activity_id, b.group_id LIMIT 1`,
      TODAY
    )[0]
    const children = rows<{ id: number; firstName: string; lastName: string; birthDate: string; familyId: number }>(
      `SELECT DISTINCT c.id, c.first_name AS firstName, c.last_name AS lastName, c.birth_date AS birthDate, c.family_id AS familyId
         FROM booking b JOIN unit u ON u.id = b.unit_id JOIN child c ON c.id = b.child_id
        WHERE u.activity_id = ? AND b.group_id = ? AND b.day = ? AND b.state IN ('R','DA','PRESENT')`,
      g.activityId, g.groupId, g.day
    )
    return { ...g, children }
  }

  test('one A4 page per child with identity, responsables, doctor, vaccines, allergies, PAI, authorisations and pickups; audited', async () => {
    const o = outing()
    expect(o.children).toHaveLength(o.n)
    // The three answers of both consents, on three children of the outing (the others keep the demo's).
    const consents = [
      ['yes', 'no'],
      ['no', ''],
      ['', 'yes']
    ] as const
    await core.tx.run(async (m) => {
      for (const [i, [outings, emergencyCare]] of consents.entries()) {
        const t = { familyId: o.children[i].familyId, childId: o.children[i].id }
        await writeSection(m, core, staff.direction.s.actor, 'authorisations', t, { ...(await readSection(m, 'authorisations', t)), outings, emergencyCare })
      }
    })
    const auditsBefore = rows<{ n: number }>(`SELECT COUNT(*) AS n FROM audit_entry WHERE action = 'health-sheets-export'`)[0].n
    const r = await call('animateur', 'attendance-health-sheets-pdf', { day: o.day, activityId: o.activityId, groupId: o.groupId })
    expect(r.fileName).toMatch(new RegExp(`^fiches-sanitaires-[a-z0-9-]+-${o.day}\\.pdf$`))
    const pdf = Buffer.from(r.pdfBase64, 'base64')
    qpdfCheck(pdf)
    const { count, sizes } = pdfPages(pdf)
    expect(count).toBe(o.children.length)
    expect(sizes.every((s) => s.width === 595.28 && s.height === 841.89)).toBe(true)
    const pages = pdfText(pdf).split('\f').filter((p) => p.trim()).map((p) => p.replace(/[ \t]+/g, ' '))
    expect(pages).toHaveLength(count)
    for (const c of o.children) {
      const page = pages.find((p) => p.includes(`${c.lastName.toUpperCase()} ${c.firstName}`))
      expect(page, `${c.firstName} ${c.lastName}`).toBeDefined()
      const p = page!.replace(/\s+/g, ' ')
      expect(p).toContain('Fiche sanitaire de liaison')
      expect(p).toContain(`le ${c.birthDate.slice(8, 10)}/${c.birthDate.slice(5, 7)}/${c.birthDate.slice(0, 4)}`)
      const file = rows<{ allergies: number; allergyNotes: string; pai: number; vaccines: string; doctorName: string; doctorPhone: string; imageRights: number; outings: string; emergencyCare: string }>(
        `SELECT allergies, allergy_notes AS allergyNotes, pai, vaccines, doctor_name AS doctorName, doctor_phone AS doctorPhone, image_rights AS imageRights,
                outings, emergency_care AS emergencyCare FROM child_file WHERE child_id = ?`,
        c.id
      )[0]
      if (file?.allergies) expect(p).toContain(file.allergyNotes)
      else expect(p).toContain('Aucune déclarée')
      expect(p).toMatch(file?.pai ? /PAI Oui/ : /PAI Non/)
      for (const v of JSON.parse(file?.vaccines ?? '[]') as { name: string; date: string }[]) expect(p).toContain(`${v.name} : ${v.date.slice(8, 10)}/${v.date.slice(5, 7)}/${v.date.slice(0, 4)}`)
      if (file?.doctorPhone) expect(p).toContain(`${file.doctorName} — ${file.doctorPhone}`)
      expect(p).toMatch(new RegExp(`Droit à l’image \\(photos\\) ${file?.imageRights ? 'Oui' : 'Non'}`))
      const answer = { yes: 'oui', no: 'non', '': 'non renseigné' } as Record<string, string>
      expect(p).toContain(`Autorise les sorties et le transport ${answer[file?.outings ?? '']}`)
      expect(p).toContain(`Autorise les soins d’urgence et l’hospitalisation ${answer[file?.emergencyCare ?? '']}`)
      for (const pk of rows<{ name: string; phone: string }>('SELECT name, phone FROM pickup_person WHERE child_id = ?', c.id)) expect(p).toContain(`${pk.name}`)
      for (const ph of rows<{ mobile: string }>(`SELECT phone_mobile AS mobile FROM person WHERE family_id = ? AND phone_mobile <> ''`, c.familyId)) expect(p).toContain(`${ph.mobile} (portable)`)
    }
    const sheetOf = (i: number) => pages.find((p) => p.includes(`${o.children[i].lastName.toUpperCase()} ${o.children[i].firstName}`))!.replace(/\s+/g, ' ')
    expect(sheetOf(0)).toContain('Autorise les sorties et le transport oui Autorise les soins d’urgence et l’hospitalisation non')
    expect(sheetOf(1)).toContain('Autorise les sorties et le transport non Autorise les soins d’urgence et l’hospitalisation non renseigné')
    expect(sheetOf(2)).toContain('Autorise les sorties et le transport non renseigné Autorise les soins d’urgence et l’hospitalisation oui')
    // Some sheets carry a doctor and a vaccine, some an allergy: the demo's files are really read.
    expect(pages.some((p) => p.includes('Dr Bernard'))).toBe(true)
    const audit = rows<{ actorLabel: string; entityId: string; after: string }>(`SELECT actor_label AS actorLabel, entity_id AS entityId, after FROM audit_entry WHERE action = 'health-sheets-export' ORDER BY id`)
    expect(audit).toHaveLength(auditsBefore + 1)
    expect(audit.at(-1)!.actorLabel).toBe(staff.animateur.s.actor.label)
    expect(audit.at(-1)!.entityId).toBe(String(o.activityId))
    expect(JSON.parse(audit.at(-1)!.after)).toMatchObject({ day: o.day, groupId: o.groupId, count: o.children.length })
    expect(JSON.parse(audit.at(-1)!.after).childIds.sort()).toEqual(o.children.map((c) => c.id).sort())
  })

  test('a selection of children; a child not on the outing and the accountant are refused, in French', async () => {
    const o = outing()
    const two = o.children.slice(0, 2).map((c) => c.id)
    const r = await call('accueil', 'attendance-health-sheets-pdf', { day: o.day, activityId: o.activityId, childIds: two })
    expect(pdfPages(Buffer.from(r.pdfBase64, 'base64')).count).toBe(2)
    const stranger = rows<{ id: number }>(`SELECT id FROM child WHERE id NOT IN (SELECT b.child_id FROM booking b JOIN unit u ON u.id = b.unit_id WHERE u.activity_id = ? AND b.day = ?) LIMIT 1`, o.activityId, o.day)[0]
    const refused = await staff.accueil.c.call('attendance-health-sheets-pdf', { day: o.day, activityId: o.activityId, childIds: [two[0], stranger.id] })
    expect(refused.status).toBe(400)
    expect(JSON.stringify(refused.body)).toContain('n’est pas attendu')
    expect((await staff.comptable.c.call('attendance-health-sheets-pdf', { day: o.day, activityId: o.activityId })).status).toBe(403)
  })
})
