import type { FastifyInstance } from 'fastify'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { deliverDueMail } from '../../src-main/mail/outbox'
import { buildPortalApp } from '../../src-main/server/portal-app'
import { buildStaffApp } from '../../src-main/server/staff-app'
import { openTestCore, seedFamily, seedStaff, type SeededStaff, type TestCore } from '../helpers/core'
import { client, type TestClient } from '../helpers/http'
import { configureSmtp, startSmtp, type TestSmtp } from '../helpers/smtp'
import { enrol, firstChild, seedActivity, stateOf } from '../helpers/bookings'

let core: TestCore
let portalApp: FastifyInstance
let staffApp: FastifyInstance

beforeEach(async () => {
  core = await openTestCore()
  portalApp = await buildPortalApp(core)
  staffApp = await buildStaffApp(core)
})
afterEach(async () => {
  await portalApp.close()
  await staffApp.close()
  await core.cleanup()
})

async function familyClient(lastName: string) {
  const fam = await seedFamily(core, { lastName })
  const c = await client(portalApp, 'portal')
  await c.loginPortal(fam.login, fam.password)
  return { fam, c, child: await firstChild(core, fam.familyId) }
}

async function staffClient(role: SeededStaff['actor']['role']): Promise<TestClient> {
  const s = await seedStaff(core, role)
  const c = await client(staffApp, 'staff')
  await c.loginStaff(s.login, s.password)
  return c
}

describe('capacity under concurrency', () => {
  it('50 parallel "Terminer" for 10 places give exactly 10 R; the others see "complet"', async () => {
    const act = await seedActivity(core, { validation: 'auto', places: 10 })
    const unit = act.units[0].id
    const families = []
    for (let i = 0; i < 50; i++) {
      const f = await familyClient(`Course${i}`)
      await enrol(core, act, f.child)
      families.push(f)
    }
    const results = await Promise.all(
      families.map((f) => f.c.call('bookings-commit', { changes: [{ childId: f.child, unitId: unit, day: '2027-01-06', op: 'add' }] }))
    )
    const ok = results.filter((r) => r.status === 200)
    const full = results.filter((r) => r.status === 409)
    expect(ok).toHaveLength(10)
    expect(full).toHaveLength(40)
    for (const r of full) {
      expect(r.body.error.code).toBe('complet')
      expect(r.body.error.message).toMatch(/^Aucune modification n’a été enregistrée\. Léo – Après-midi SANS repas – 06\/01\/2027 : complet, plus de place disponible\./)
    }
    const counted = core.db.prepare(`SELECT COUNT(*) AS n FROM booking WHERE unit_id = ? AND day = '2027-01-06' AND state = 'R'`).get(unit) as { n: number }
    expect(counted.n).toBe(10)
    const load = core.db.prepare(`SELECT taken FROM booking_load WHERE unit_id = ? AND day = '2027-01-06'`).get(unit) as { taken: number }
    expect(load.taken).toBe(10)
    // A loser's planning now shows the day as complet.
    const loser = families[results.findIndex((r) => r.status === 409)]
    const p = await loser.c.call('bookings-planning', { from: '2027-01-01', to: '2027-01-31' })
    expect(p.body.children[0].lines[0].cells[0]).toMatchObject({ day: '2027-01-06', cell: 'complet', canAdd: false })
  }, 120_000)

  it('the same under staff validation: DR holds the place too', async () => {
    const act = await seedActivity(core, { validation: 'staff', places: 3 })
    const unit = act.units[0].id
    const families = []
    for (let i = 0; i < 8; i++) {
      const f = await familyClient(`Course${i}`)
      await enrol(core, act, f.child)
      families.push(f)
    }
    const results = await Promise.all(families.map((f) => f.c.call('bookings-commit', { changes: [{ childId: f.child, unitId: unit, day: '2027-01-13', op: 'add' }] })))
    expect(results.filter((r) => r.status === 200)).toHaveLength(3)
    expect(core.db.prepare(`SELECT COUNT(*) AS n FROM booking WHERE unit_id = ? AND state = 'DR'`).get(unit)).toEqual({ n: 3 })
  }, 60_000)
})

describe('through the listeners', () => {
  let smtp: TestSmtp
  beforeEach(async () => {
    smtp = await startSmtp()
    await configureSmtp(core, smtp.port)
  })
  afterEach(() => smtp.stop())

  it('sends the recap and one grouped reply per family over real SMTP, in the source format', async () => {
    const act = await seedActivity(core, { validation: 'staff', units: [{ name: 'Journée complète', start: '08:00', end: '18:00', priceCents: 1500 }] })
    const unit = act.units[0].id
    const a = await familyClient('Lambert')
    const b = await familyClient('Moreau')
    await enrol(core, act, a.child)
    await enrol(core, act, b.child)
    const days = ['2027-01-06', '2027-01-13', '2027-01-20']
    for (const f of [a, b]) {
      const preview = await f.c.call('bookings-preview', { changes: days.map((day) => ({ childId: f.child, unitId: unit, day, op: 'add' })) })
      expect(preview.status).toBe(200)
      expect(preview.body.summary).toBe('3 modifications à l’unité : 45,00\u00a0€')
      const r = await f.c.call('bookings-commit', { changes: days.map((day) => ({ childId: f.child, unitId: unit, day, op: 'add' })) })
      expect(r.status).toBe(200)
    }
    const deskUser = await seedStaff(core, 'accueil')
    const desk = await client(staffApp, 'staff')
    await desk.loginStaff(deskUser.login, deskUser.password)
    const q = await desk.call('bookings-queue', { kind: 'reservation' })
    expect(q.body.total).toBe(6)
    const dec = await desk.call('bookings-decide', { changeIds: q.body.items.map((i: { changeId: number }) => i.changeId), decision: 'accept' })
    expect(dec.body).toEqual({ decided: 6, mails: 2 })

    // Family A asks to cancel all three after the deadline; staff excuse two and bill one.
    core.clock.set(new Date('2027-01-02T09:00:00Z'))
    // Months later: both sessions have expired, log in again.
    await a.c.loginPortal(a.fam.login, a.fam.password)
    await desk.loginStaff(deskUser.login, deskUser.password)
    const cancel = await a.c.call('bookings-commit', { changes: days.map((day) => ({ childId: a.child, unitId: unit, day, op: 'remove' })) })
    expect(cancel.status).toBe(200)
    const cq = await desk.call('bookings-queue', { kind: 'cancellation', childId: a.child })
    const [x, y, z] = cq.body.items
    await desk.call('bookings-decide', { changeIds: [x.changeId, y.changeId], decision: 'excuse' })
    await desk.call('bookings-decide', { changeIds: [z.changeId], decision: 'bill' })

    await deliverDueMail(core)
    const mails = await smtp.waitFor(7)
    const toA = mails.filter((m) => m.to.includes(a.fam.login))
    expect(toA.map((m) => m.subject)).toEqual([
      '[Ma structure] Récapitulatif de vos réservations du 07/09/2026 à 10h00',
      '[Ma structure] Réponse à vos demandes de réservation',
      '[Ma structure] Récapitulatif de vos réservations du 02/01/2027 à 10h00',
      '[Ma structure] Réponse à vos demandes d’annulation',
      '[Ma structure] Réponse à vos demandes d’annulation'
    ])
    expect(toA[0].text).toContain('Jour\tEnfant\tActivité\tRéservation / annulation\tMontant\tTarif')
    expect(toA[0].text).toContain('Mer. 06/01/2027\tLÉO\tCL Maternel Mercredis – Journée complète\tDemande de réservation\t15,00\tTarif à l’unité')
    expect(toA[0].html).toContain('<th scope="col" style="text-align:left">Réservation / annulation</th>')
    expect(toA[1].text).toContain('3 réservations acceptées les : 06/01, 13/01, 20/01')
    expect(toA[2].text).toContain('Demande d’annulation (hors délai)')
    expect(toA[3].text).toContain('LÉO – CL Maternel Mercredis – Journée complète\n2 annulations excusées les : 06/01, 13/01')
    expect(toA[4].text).toContain('1 annulation facturée le : 20/01')
    // B got its own reply only, never A's days.
    const toB = mails.filter((m) => m.to.includes(b.fam.login))
    expect(toB).toHaveLength(2)
    expect(toB[1].text).not.toContain('annulation')
    expect(await stateOf(core, a.child, unit, '2027-01-20')).toBe('A_FACT')
    expect(await stateOf(core, b.child, unit, '2027-01-20')).toBe('R')

    // "Mes demandes" shows the outcomes.
    const mine = await a.c.call('bookings-my-requests', {})
    expect(mine.body.items.slice(0, 3).map((i: { kind: string; status: string }) => `${i.kind}:${i.status}`).sort()).toEqual([
      'cancellation:billed',
      'cancellation:excused',
      'cancellation:excused'
    ])
  }, 60_000)

  it('enforces roles: animateur takes attendance but cannot decide; comptable sees no attendance list', async () => {
    const act = await seedActivity(core, { validation: 'staff' })
    const f = await familyClient('Roux')
    await enrol(core, act, f.child)
    const unit = act.units[0].id
    await f.c.call('bookings-commit', { changes: [{ childId: f.child, unitId: unit, day: '2027-01-06', op: 'add' }] })
    const anim = await staffClient('animateur')
    const compta = await staffClient('comptable')
    const q = await anim.call('bookings-queue', {})
    expect(q.status).toBe(403)
    expect((await compta.call('attendance-list', { day: '2027-01-06', activityId: act.activityId })).status).toBe(403)
    const desk = await staffClient('accueil')
    const items = (await desk.call('bookings-queue', {})).body.items
    await desk.call('bookings-decide', { changeIds: [items[0].changeId], decision: 'accept' })
    const list = await anim.call('attendance-list', { day: '2027-01-06', activityId: act.activityId })
    expect(list.status).toBe(200)
    expect(list.body.rows).toHaveLength(1)
    const mark = await anim.call('attendance-mark', { bookingId: list.body.rows[0].bookingId, status: 'present' })
    expect(mark.body).toMatchObject({ state: 'PRESENT', applied: true })
    // A portal session cannot reach staff procedures (they are not mounted there).
    expect((await f.c.call('bookings-queue', {})).status).toBe(404)
  }, 60_000)
})
