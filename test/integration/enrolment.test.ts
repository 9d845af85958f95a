import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import type { FastifyInstance } from 'fastify'
import { Booking } from '../../src-main/bookings/entities'
import { Enrolment } from '../../src-main/activities/entities'
import { acceptEnrolments, endEnrolment, enrolDirectly, requestEnrolment } from '../../src-main/activities/enrolment'
import { catalogFor } from '../../src-main/activities/catalog'
import { openingDays } from '../../src-main/calendar/calendar'
import { AUTOBOOK_CHUNK } from '../../src-main/activities/autobook-job'
import { saveClosure } from '../../src-main/calendar/admin'
import { FamilyRequest } from '../../src-main/requests/entities'
import { FamilyDocument } from '../../src-main/documents/entities'
import { buildPortalApp } from '../../src-main/server/portal-app'
import { buildStaffApp } from '../../src-main/server/staff-app'
import { auditRows, openTestCore, outboxMails, seedFamily, seedStaff, type SeededFamily, type SeededStaff, type TestCore } from '../helpers/core'
import { client } from '../helpers/http'
import { addChild, seedActivities, type ActivitiesFixture } from '../helpers/activities'

let core: TestCore
let fx: ActivitiesFixture
let desk: SeededStaff
let fam: SeededFamily
/** Léo (born 2018-05-04: CE2 in 2026/2027), Lina (born 2022-03-01: 4 years, MS), Nino (born 2024-06-01: too young). */
let leo: number
let lina: number
let nino: number

beforeEach(async () => {
  core = await openTestCore()
  fx = await seedActivities(core)
  desk = await seedStaff(core, 'accueil')
  fam = await seedFamily(core, { lastName: 'Dupont' })
  leo = (await core.tx.read((m) => m.query('SELECT id FROM child WHERE family_id = ?', [fam.familyId])))[0].id
  lina = await addChild(core, fam.familyId, 'Lina', '2022-03-01')
  nino = await addChild(core, fam.familyId, 'Nino', '2024-06-01')
})
afterEach(() => core.cleanup())

const bookingsOf = (enrolmentId: number) => core.tx.read((m) => m.find(Booking, { where: { enrolmentId }, order: { day: 'ASC' } }))

describe('the portal cascade', () => {
  test('offers only the activities and groups open to the child’s age and level', async () => {
    const forLeo = await catalogFor(core, leo)
    const leoActivities = forLeo.flatMap((f) => f.types.flatMap((t) => t.activities))
    expect(leoActivities.map((a) => a.name)).toEqual(['ALAE Matin'])
    expect(leoActivities[0].periods[0].groups.map((g) => g.name)).toEqual(['Élémentaire'])

    const forLina = await catalogFor(core, lina)
    expect(forLina.map((f) => f.name)).toEqual(['Accueil périscolaire', 'Centre de loisirs'])
    const cl = forLina[1].types[0].activities[0]
    expect(cl.name).toBe('CL Maternel Mercredis')
    expect(cl.typicalWeek).toBe(true)
    expect(cl.units.find((u) => u.id === fx.cl.sansRepas)!.excludes.sort()).toEqual([fx.cl.journee, fx.cl.avecRepas].sort())
    expect(forLina[0].types[0].activities[0].periods[0].groups.map((g) => g.name)).toEqual(['Maternelle'])

    // Nino is 2: nothing this year; the Wednesday centre takes him from 2027/2028 (3 on its first day), window not open yet.
    const forNino = await catalogFor(core, nino)
    expect(forNino.flatMap((f) => f.types.flatMap((t) => t.activities.flatMap((a) => a.periods.map((p) => `${a.name} ${p.name} ${p.open}`))))).toEqual([
      'CL Maternel Mercredis 2027/2028 false'
    ])
  })

  test('periods outside their window stay visible, closed, with the reason and dates', async () => {
    const cl = (await catalogFor(core, lina))[1].types[0].activities[0]
    const byName = Object.fromEntries(cl.periods.map((p) => [p.name, p]))
    expect(byName['2026/2027'].open).toBe(true)
    expect(byName['2026/2027'].window).toBe('open')
    expect(byName['2026/2027'].closedReason).toBeNull()
    expect(byName['Été 2026 (tardif)'].window).toBe('after')
    expect(byName['2027/2028'].window).toBe('before')
    expect(byName['Été 2026 (tardif)'].open).toBe(false)
    expect(byName['Été 2026 (tardif)'].closedReason).toContain('closes depuis le 20/08/2026')
    expect(byName['2027/2028'].open).toBe(false)
    expect(byName['2027/2028'].closedReason).toContain('ouvriront le 10/03/2027')
  })

  test('a period already asked for is closed while its window stays open (« inscription déjà faite », not « inscriptions fermées »)', async () => {
    await requestEnrolment(core, fam.actor, { childId: leo, periodId: fx.alae.periodId, groupId: fx.alae.elementaire, typicalWeek: [], memo: '', siblingIds: [] })
    const alae = (await catalogFor(core, leo))[0].types[0].activities[0].periods.find((p) => p.id === fx.alae.periodId)!
    expect(alae).toMatchObject({ open: false, window: 'open' })
    expect(alae.closedReason).toContain('a déjà une inscription pour cette période')
  })

  test('a family cannot list the options of another family’s child (HTTP, ownership check)', async () => {
    const other = await seedFamily(core, { lastName: 'Martin' })
    const app = await buildPortalApp(core)
    try {
      const c = await client(app, 'portal')
      await c.loginPortal(other.login, other.password)
      const r = await c.call('enrolment-catalog', { childId: lina })
      expect(r.status).toBe(404)
      const r2 = await c.call('enrolment-request', { childId: leo, periodId: fx.alae.periodId, groupId: fx.alae.elementaire })
      expect(r2.status).toBe(404)
      expect(await core.tx.read((m) => m.count(Enrolment))).toBe(0)
    } finally {
      await app.close()
    }
  })
})

describe('windows and checks on a family request', () => {
  test('outside the window the request is refused with the window dates; nothing is created', async () => {
    await expect(
      requestEnrolment(core, fam.actor, { childId: lina, periodId: fx.cl.closedPeriodId, groupId: fx.cl.groupId, typicalWeek: [], memo: '', siblingIds: [] })
    ).rejects.toThrow(/closes depuis le 20\/08\/2026.*ouvertes du 01\/05\/2026 au 20\/08\/2026/)
    await expect(
      requestEnrolment(core, fam.actor, { childId: lina, periodId: fx.cl.futurePeriodId, groupId: fx.cl.groupId, typicalWeek: [], memo: '', siblingIds: [] })
    ).rejects.toThrow('ouvriront le 10/03/2027')
    expect(await core.tx.read((m) => m.count(Enrolment))).toBe(0)
    expect(await core.tx.read((m) => m.countBy(FamilyRequest, { type: 'enrolment' }))).toBe(0)
  })

  test('the window closes at the end of its last day (Paris time)', async () => {
    core.clock.set(new Date('2026-11-30T22:59:00Z')) // 23:59 in Paris on 30 November
    const ok = await requestEnrolment(core, fam.actor, { childId: leo, periodId: fx.alae.periodId, groupId: fx.alae.elementaire, typicalWeek: [], memo: '', siblingIds: [] })
    expect(ok.created).toHaveLength(1)
    core.clock.set(new Date('2026-11-30T23:00:00Z')) // midnight: 1 December
    await expect(
      requestEnrolment(core, fam.actor, { childId: lina, periodId: fx.alae.periodId, groupId: fx.alae.maternelle, typicalWeek: [], memo: '', siblingIds: [] })
    ).rejects.toThrow('closes depuis le 30/11/2026')
  })

  test('a group the child does not fit, a bad typical week and a duplicate are refused in French', async () => {
    await expect(
      requestEnrolment(core, fam.actor, { childId: leo, periodId: fx.alae.periodId, groupId: fx.alae.maternelle, typicalWeek: [], memo: '', siblingIds: [] })
    ).rejects.toThrow('Le groupe « Maternelle » est réservé aux niveaux PS, MS, GS (Léo : CE2).')
    await expect(
      requestEnrolment(core, fam.actor, {
        childId: lina,
        periodId: fx.cl.periodId,
        groupId: fx.cl.groupId,
        typicalWeek: [
          { weekday: 3, unitId: fx.cl.avecRepas },
          { weekday: 3, unitId: fx.cl.sansRepas }
        ],
        memo: '',
        siblingIds: []
      })
    ).rejects.toThrow('« Après-midi avec repas » et « Après-midi sans repas » ne peuvent pas être choisis le même jour (mercredi).')
    await expect(
      requestEnrolment(core, fam.actor, { childId: lina, periodId: fx.cl.periodId, groupId: fx.cl.groupId, typicalWeek: [{ weekday: 2, unitId: fx.cl.matin }], memo: '', siblingIds: [] })
    ).rejects.toThrow('n’a pas lieu le mardi')
    await expect(
      requestEnrolment(core, fam.actor, { childId: leo, periodId: fx.alae.periodId, groupId: fx.alae.elementaire, typicalWeek: [{ weekday: 1, unitId: fx.alae.unitId }], memo: '', siblingIds: [] })
    ).rejects.toThrow('ne propose pas de semaine type')
    await requestEnrolment(core, fam.actor, { childId: leo, periodId: fx.alae.periodId, groupId: fx.alae.elementaire, typicalWeek: [], memo: '', siblingIds: [] })
    await expect(
      requestEnrolment(core, fam.actor, { childId: leo, periodId: fx.alae.periodId, groupId: fx.alae.elementaire, typicalWeek: [], memo: '', siblingIds: [] })
    ).rejects.toThrow('Léo : une demande est déjà en attente pour cette période.')
  })

  test('duplicating to siblings: each sibling gets a group that fits, or is skipped with the reason', async () => {
    const r = await requestEnrolment(core, fam.actor, {
      childId: leo,
      periodId: fx.alae.periodId,
      groupId: fx.alae.elementaire,
      typicalWeek: [],
      memo: 'Arrive avec sa sœur',
      siblingIds: [lina, nino]
    })
    expect(r.created.map((c) => [c.childName, c.groupName, c.status])).toEqual([
      ['Léo', 'Élémentaire', 'pending'],
      ['Lina', 'Maternelle', 'pending']
    ])
    expect(r.skipped).toHaveLength(1)
    expect(r.skipped[0].childName).toBe('Nino')
    const requests = await core.tx.read((m) => m.findBy(FamilyRequest, { type: 'enrolment', status: 'pending' }))
    expect(requests).toHaveLength(2)
    expect(requests[0].summary).toContain('ALAE Matin, 2026/2027 (Élémentaire)')
    expect((await auditRows(core, 'enrolment-create')).length).toBe(2)
  })
})

describe('capacity and the waiting list', () => {
  async function twoPending(places: number) {
    const f = await seedActivities(core, { clPlaces: places })
    const r = await requestEnrolment(core, fam.actor, {
      childId: lina,
      periodId: f.cl.periodId,
      groupId: f.cl.groupId,
      typicalWeek: [{ weekday: 3, unitId: f.cl.journee }],
      memo: '',
      siblingIds: []
    })
    const other = await seedFamily(core, { lastName: 'Bernard' })
    const zoe = await addChild(core, other.familyId, 'Zoé', '2021-10-10')
    const r2 = await requestEnrolment(core, other.actor, { childId: zoe, periodId: f.cl.periodId, groupId: f.cl.groupId, typicalWeek: [], memo: '', siblingIds: [] })
    return { f, a: r.created[0].enrolmentId, b: r2.created[0].enrolmentId, other }
  }

  test('two desks accepting the last place at once: exactly one wins, the other is told the group is full', async () => {
    const { a, b } = await twoPending(1)
    const desk2 = await seedStaff(core, 'direction')
    const [ra, rb] = await Promise.all([acceptEnrolments(core, desk.actor, [a], false), acceptEnrolments(core, desk2.actor, [b], false)])
    const outcomes = [ra[0].outcome, rb[0].outcome].sort()
    expect(outcomes).toEqual(['full', 'validated'])
    const rows = await core.tx.read((m) => m.findBy(Enrolment, {}))
    expect(rows.filter((e) => e.status === 'validated')).toHaveLength(1)
    expect(rows.filter((e) => e.status === 'pending')).toHaveLength(1)
  })

  test('with the waiting list asked for, concurrent accepts give one place and rank 1 on the list', async () => {
    const { a, b } = await twoPending(1)
    const [ra, rb] = await Promise.all([acceptEnrolments(core, desk.actor, [a], true), acceptEnrolments(core, desk.actor, [b], true)])
    const all = [...ra, ...rb]
    expect(all.filter((o) => o.outcome === 'validated')).toHaveLength(1)
    expect(all.find((o) => o.outcome === 'waiting')!.rank).toBe(1)
  })

  test('bulk accept fills the places in order and waitlists the rest; ending one promotes the first waiting family and e-mails it', async () => {
    const { f, a, b, other } = await twoPending(1)
    const third = await seedFamily(core, { lastName: 'Petit' })
    const tom = await addChild(core, third.familyId, 'Tom', '2021-04-04')
    const c = (await requestEnrolment(core, third.actor, { childId: tom, periodId: f.cl.periodId, groupId: f.cl.groupId, typicalWeek: [], memo: '', siblingIds: [] })).created[0].enrolmentId
    const out = await acceptEnrolments(core, desk.actor, [a, b, c], true)
    expect(out.map((o) => [o.outcome, o.rank])).toEqual([
      ['validated', null],
      ['waiting', 1],
      ['waiting', 2]
    ])
    // The request of a waiting family is still open; the validated one is accepted.
    const reqA = await core.tx.read(async (m) => m.findOneByOrFail(FamilyRequest, { id: (await m.findOneByOrFail(Enrolment, { id: a })).requestId! }))
    expect(reqA.status).toBe('accepted')
    expect(reqA.decidedBy).toBe(desk.id)

    const before = (await outboxMails(core)).length
    const end = await endEnrolment(core, desk.actor, a, '2026-09-30')
    expect(end.promoted).toEqual([b])
    const rows = await core.tx.read((m) => m.findBy(Enrolment, {}))
    expect(rows.find((e) => e.id === b)!.status).toBe('validated')
    expect(rows.find((e) => e.id === c)!.status).toBe('waiting')
    const mails = (await outboxMails(core)).slice(before)
    const promoted = mails.find((m) => m.subject.includes('Une place s’est libérée'))
    expect(promoted?.recipient).toBe(other.login)
    expect(promoted?.textBody).toContain('CL Maternel Mercredis')
    // Tom is now first in line.
    const app = await buildPortalApp(core)
    const list = await client(app, 'portal')
    await list.loginPortal(third.login, third.password)
    const mine = await list.call('enrolment-list', {})
    await app.close()
    expect(mine.body[0]).toMatchObject({ childName: 'Tom TEST', status: 'waiting', rank: 1 })
    expect((await auditRows(core, 'enrolment-promote')).map((r) => r.entityId)).toEqual([String(b)])
  })

  test('refusing keeps the reason for the family and closes its request', async () => {
    const { a } = await twoPending(5)
    const app = await buildStaffApp(core)
    try {
      const c = await client(app, 'staff')
      await c.loginStaff(desk.login, desk.password)
      const r = await c.call('enrolments-refuse', { enrolmentId: a, reason: 'Dossier sanitaire incomplet' })
      expect(r.status).toBe(200)
    } finally {
      await app.close()
    }
    const e = await core.tx.read((m) => m.findOneByOrFail(Enrolment, { id: a }))
    expect(e).toMatchObject({ status: 'refused', reason: 'Dossier sanitaire incomplet' })
    const req = await core.tx.read((m) => m.findOneByOrFail(FamilyRequest, { id: e.requestId! }))
    expect(req).toMatchObject({ status: 'refused', reason: 'Dossier sanitaire incomplet' })
    expect((await outboxMails(core)).at(-1)!.textBody).toContain('Motif : Dossier sanitaire incomplet')
  })

  test('automatic validation accepts at once, and puts the family on the waiting list when full', async () => {
    const f = await seedActivities(core, { clPlaces: 1, clValidation: 'auto' })
    const r1 = await requestEnrolment(core, fam.actor, { childId: lina, periodId: f.cl.periodId, groupId: f.cl.groupId, typicalWeek: [], memo: '', siblingIds: [] })
    expect(r1.created[0].status).toBe('validated')
    const other = await seedFamily(core)
    const zoe = await addChild(core, other.familyId, 'Zoé', '2021-10-10')
    const r2 = await requestEnrolment(core, other.actor, { childId: zoe, periodId: f.cl.periodId, groupId: f.cl.groupId, typicalWeek: [], memo: '', siblingIds: [] })
    expect(r2.created[0]).toMatchObject({ status: 'waiting', rank: 1 })
  })
})

describe('automatic booking of the year', () => {
  test('accepting ALAE books every opening day from today to the end of the period, in one go', async () => {
    const r = await requestEnrolment(core, fam.actor, { childId: leo, periodId: fx.alae.periodId, groupId: fx.alae.elementaire, typicalWeek: [], memo: '', siblingIds: [] })
    const id = r.created[0].enrolmentId
    const [out] = await acceptEnrolments(core, desk.actor, [id], false)
    const expected = await openingDays(core, fx.alae.activityId, '2026-09-07', '2027-07-02')
    expect(expected.length).toBeGreaterThan(130)
    expect(out).toMatchObject({ outcome: 'validated', bookings: expected.length })
    const rows = await bookingsOf(id)
    expect(rows.map((b) => b.day)).toEqual(expected)
    expect(new Set(rows.map((b) => `${b.state}/${b.source}/${b.unitId}/${b.groupId}/${b.priceCents}`))).toEqual(new Set([`R/auto/${fx.alae.unitId}/${fx.alae.elementaire}/120`]))
    const days = new Set(rows.map((b) => b.day))
    expect(days.has('2026-09-04')).toBe(false) // before today (7 Sept)
    expect(days.has('2026-09-08')).toBe(true)
    expect(days.has('2026-09-09')).toBe(false) // Wednesday: no school
    expect(days.has('2026-10-19')).toBe(false) // Toussaint holidays
    expect(days.has('2026-11-11')).toBe(false) // Armistice
    const audit = await auditRows(core, 'enrolment-autobook')
    expect(audit.at(-1)!.after).toMatchObject({ created: expected.length, from: '2026-09-07', to: '2027-07-02' })
  })

  test('« Accepter toutes les demandes de la période » (HTTP): one job, chunk by chunk, each year booked, audited under the desk user', async () => {
    const other = await seedFamily(core, { lastName: 'Bernard' })
    const zoe = await addChild(core, other.familyId, 'Zoé', '2018-02-02')
    const ids: number[] = []
    for (const [actor, childId] of [[fam.actor, leo], [other.actor, zoe]] as const) {
      ids.push((await requestEnrolment(core, actor, { childId, periodId: fx.alae.periodId, groupId: fx.alae.elementaire, typicalWeek: [], memo: '', siblingIds: [] })).created[0].enrolmentId)
    }
    const chunk = AUTOBOOK_CHUNK.enrolments
    AUTOBOOK_CHUNK.enrolments = 1
    const app = await buildStaffApp(core)
    try {
      const c = await client(app, 'staff')
      await c.loginStaff(desk.login, desk.password)
      const r = await c.call('enrolments-accept-period', { periodId: fx.alae.periodId })
      const days = (await openingDays(core, fx.alae.activityId, '2026-09-07', '2027-07-02')).length
      expect(r).toMatchObject({ status: 200, body: { kind: 'autobook', state: 'done', done: 2, total: 2, createdBy: desk.actor.label, result: { validated: 2, bookings: 2 * days, errors: 0 } } })
      expect(r.body.label).toContain('ALAE')
      expect((await bookingsOf(ids[1])).length).toBe(days)
      expect((await c.call('bulk-jobs-get', { id: r.body.id })).body).toMatchObject({ state: 'done', done: 2 })
      expect((await c.call('bulk-jobs-unfinished', { kind: 'autobook' })).body).toEqual([])
      // Two chunks of one enrolment: the job's cursor moved with each; the rows name the desk user.
      expect((await auditRows(core, 'bulk-job-start')).at(-1)).toMatchObject({ actorId: desk.id, after: { kind: 'autobook', total: 2 } })
      expect((await auditRows(core, 'enrolment-accept')).map((a) => [a.entityId, a.actorId])).toEqual(ids.map((id) => [String(id), desk.id]))
      // Nothing left pending: a second job has nothing to do.
      expect((await c.call('enrolments-accept-period', { periodId: fx.alae.periodId })).body).toMatchObject({ state: 'done', total: 0, done: 0 })
    } finally {
      AUTOBOOK_CHUNK.enrolments = chunk
      await app.close()
    }
  })

  test('a closure added before accepting is left out; units that exclude each other are not both booked', async () => {
    await saveClosure(core, desk.actor, { facilityId: null, activityId: fx.alae.activityId, startDate: '2026-12-17', endDate: '2026-12-18', reason: 'Travaux' })
    const out = await enrolDirectly(core, desk.actor, {
      childId: leo,
      periodId: fx.alae.periodId,
      groupId: fx.alae.elementaire,
      typicalWeek: [],
      memo: '',
      startDate: null,
      ignoreAge: false,
      waitlistIfFull: false
    })
    const days = (await bookingsOf(out.enrolmentId)).map((b) => b.day)
    expect(days).not.toContain('2026-12-17')
    expect(days).toContain('2026-12-15')
  })

  test('staff enrol directly, without window, with the typical week deciding the booked units', async () => {
    core.clock.set(new Date('2027-01-10T10:00:00Z')) // CL window closed on 31 Dec
    // Turn CL into an auto-booking activity to see the typical week used.
    await core.tx.run((m) => m.query('UPDATE activity SET auto_book = 1 WHERE id = ?', [fx.cl.activityId]))
    const out = await enrolDirectly(core, desk.actor, {
      childId: lina,
      periodId: fx.cl.periodId,
      groupId: fx.cl.groupId,
      typicalWeek: [
        { weekday: 3, unitId: fx.cl.matin },
        { weekday: 3, unitId: fx.cl.avecRepas }
      ],
      memo: 'Inscrite à l’accueil',
      startDate: null,
      ignoreAge: false,
      waitlistIfFull: false
    })
    expect(out.outcome).toBe('validated')
    const rows = await bookingsOf(out.enrolmentId)
    expect(rows[0].day).toBe('2027-01-13')
    expect(new Set(rows.map((b) => b.unitId))).toEqual(new Set([fx.cl.matin, fx.cl.avecRepas]))
    expect(rows.every((b) => new Date(`${b.day}T12:00:00Z`).getUTCDay() === 3)).toBe(true)
    const e = await core.tx.read((m) => m.findOneByOrFail(Enrolment, { id: out.enrolmentId }))
    expect(e).toMatchObject({ source: 'staff', requestId: null, startDate: '2027-01-10' })
  })
})

describe('ending an enrolment', () => {
  test('cancels its future auto-bookings, keeps the past and other bookings, and frees the place', async () => {
    const out = await enrolDirectly(core, desk.actor, {
      childId: leo,
      periodId: fx.alae.periodId,
      groupId: fx.alae.elementaire,
      typicalWeek: [],
      memo: '',
      startDate: null,
      ignoreAge: false,
      waitlistIfFull: false
    })
    // Time passes: the family's child attended in September; a walk-in exists in December.
    core.clock.set(new Date('2026-11-23T09:00:00Z'))
    await core.tx.run((m) => m.query(`UPDATE booking SET state = 'PRESENT' WHERE enrolment_id = ? AND day = '2026-09-08'`, [out.enrolmentId]))
    const now = core.clock.now().toISOString()
    await core.tx.run((m) =>
      m.insert(Booking, { childId: leo, unitId: fx.alae.unitId, day: '2026-12-16', enrolmentId: null, groupId: fx.alae.elementaire, state: 'R', source: 'family', requestId: null, priceCents: 120, arrivedAt: null, leftAt: null, createdAt: now, updatedAt: now })
    )
    const before = await bookingsOf(out.enrolmentId)

    // Last day in the past (15 Nov): days between 16 Nov and today stay as they happened.
    const r = await endEnrolment(core, desk.actor, out.enrolmentId, '2026-11-15')
    const after = await bookingsOf(out.enrolmentId)
    const changed = after.filter((b, i) => b.state !== before[i].state)
    expect(changed.length).toBe(r.cancelled)
    expect(changed.every((b) => b.state === 'CANCELLED' && b.day >= '2026-11-23')).toBe(true)
    expect(after.filter((b) => b.day < '2026-11-23').map((b) => b.state)).toEqual(before.filter((b) => b.day < '2026-11-23').map((b) => b.state))
    expect(after.find((b) => b.day === '2026-09-08')!.state).toBe('PRESENT')
    expect(after.filter((b) => b.day >= '2026-11-23').every((b) => b.state === 'CANCELLED')).toBe(true)
    const walkIn = await core.tx.read((m) => m.findOneByOrFail(Booking, { day: '2026-12-16', source: 'family' }))
    expect(walkIn.state).toBe('R')
    const e = await core.tx.read((m) => m.findOneByOrFail(Enrolment, { id: out.enrolmentId }))
    expect(e).toMatchObject({ status: 'ended', endedOn: '2026-11-15' })
    expect((await auditRows(core, 'enrolment-end'))[0].before.status).toBe('validated')

    // Enrolling again later brings back the cancelled days under the new enrolment, except the family's own row.
    const again = await enrolDirectly(core, desk.actor, {
      childId: leo,
      periodId: fx.alae.periodId,
      groupId: fx.alae.elementaire,
      typicalWeek: [],
      memo: '',
      startDate: '2026-12-01',
      ignoreAge: false,
      waitlistIfFull: false
    })
    expect(again.bookings).toBeGreaterThan(90)
    const revived = await bookingsOf(again.enrolmentId)
    expect(revived[0].day).toBe('2026-12-01')
    expect(revived.some((b) => b.day === '2026-12-16')).toBe(false)
  })

  test('the last day must fall inside the period', async () => {
    const out = await enrolDirectly(core, desk.actor, { childId: leo, periodId: fx.alae.periodId, groupId: fx.alae.elementaire, typicalWeek: [], memo: '', startDate: null, ignoreAge: false, waitlistIfFull: false })
    await expect(endEnrolment(core, desk.actor, out.enrolmentId, '2027-07-02')).rejects.toThrow('La période se termine déjà le 02/07/2027.')
  })
})

describe('attestation d’inscription', () => {
  test('the family gets a PDF for a validated enrolment, filed in its documents; not for a pending one', async () => {
    const r = await requestEnrolment(core, fam.actor, { childId: leo, periodId: fx.alae.periodId, groupId: fx.alae.elementaire, typicalWeek: [], memo: '', siblingIds: [] })
    const id = r.created[0].enrolmentId
    const app = await buildPortalApp(core)
    try {
      const c = await client(app, 'portal')
      await c.loginPortal(fam.login, fam.password)
      const pending = await c.call('enrolment-attestation', { enrolmentId: id })
      expect(pending.status).toBe(409)
      await acceptEnrolments(core, desk.actor, [id], false)
      const ok = await c.call('enrolment-attestation', { enrolmentId: id })
      expect(ok.status).toBe(200)
      const pdf = Buffer.from(ok.body.pdfBase64, 'base64')
      expect(pdf.subarray(0, 5).toString()).toBe('%PDF-')
      expect(ok.body.fileName).toMatch(/^attestation-inscription-Leo-2026-2027\.pdf$/)
      const doc = await core.tx.read((m) => m.findOneByOrFail(FamilyDocument, { id: ok.body.documentId }))
      expect(doc).toMatchObject({ familyId: fam.familyId, childId: leo, origin: 'staff', docType: 'attestation-inscription', status: 'sent' })
      // Asked again the same day: the same document, not a new one.
      const again = await c.call('enrolment-attestation', { enrolmentId: id })
      expect(again.body.documentId).toBe(ok.body.documentId)
      // Another family cannot ask for it.
      const other = await seedFamily(core)
      const c2 = await client(app, 'portal')
      await c2.loginPortal(other.login, other.password)
      expect((await c2.call('enrolment-attestation', { enrolmentId: id })).status).toBe(404)
    } finally {
      await app.close()
    }
  })
})
