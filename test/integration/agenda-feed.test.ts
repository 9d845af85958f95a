/**
 * The families' agenda feed (issue 18): read with a real iCalendar parser (ical.js) from the portal
 * listener, with no session, as a calendar app would.
 */
import type { FastifyInstance } from 'fastify'
import ICAL from 'ical.js'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { Booking } from '../../src-main/bookings/entities'
import { ChildFile } from '../../src-main/families/file-entities'
import { buildPortalApp } from '../../src-main/server/portal-app'
import { buildStaffApp } from '../../src-main/server/staff-app'
import { auditRows, openTestCore, seedFamily, type SeededFamily, type TestCore } from '../helpers/core'
import { client, type TestClient } from '../helpers/http'
import { firstChild, seedActivity, seedChild, type SeededActivity } from '../helpers/bookings'

let core: TestCore
let portalApp: FastifyInstance
let staffApp: FastifyInstance
let fam: SeededFamily
let other: SeededFamily
let portal: TestClient
let otherPortal: TestClient
let act: SeededActivity
let leo: number
let zoe: number

async function book(childId: number, unitId: number, day: string, state: string) {
  const at = core.clock.now().toISOString()
  await core.tx.run((m) => m.insert(Booking, { childId, unitId, day, state, source: 'family', priceCents: 0, createdAt: at, updatedAt: at, enrolmentId: null, groupId: act.groupId, requestId: null }))
}

const feed = (path: string, ip = '10.9.9.9') => portalApp.inject({ method: 'GET', url: path, remoteAddress: ip })

interface FeedEvent {
  uid: string
  summary: string
  status: string
  start: Date
  end: Date
  tzid: string
}
function parse(body: string): { events: FeedEvent[]; zones: string[] } {
  const cal = new ICAL.Component(ICAL.parse(body))
  const zones = cal.getAllSubcomponents('vtimezone')
  for (const z of zones) ICAL.TimezoneService.register(z)
  const events = cal.getAllSubcomponents('vevent').map((c) => {
    const e = new ICAL.Event(c)
    return {
      uid: e.uid,
      summary: e.summary,
      status: String(c.getFirstPropertyValue('status')),
      start: e.startDate.toJSDate(),
      end: e.endDate.toJSDate(),
      tzid: String(c.getFirstProperty('dtstart')?.getParameter('tzid'))
    }
  })
  return { events, zones: zones.map((z) => String(z.getFirstPropertyValue('tzid'))) }
}

beforeAll(async () => {
  core = await openTestCore()
  portalApp = await buildPortalApp(core)
  staffApp = await buildStaffApp(core)
  await Promise.all([portalApp.ready(), staffApp.ready()])
  fam = await seedFamily(core, { lastName: 'Valdorme' })
  other = await seedFamily(core, { lastName: 'Brissac' })
  act = await seedActivity(core, {
    name: 'Mercredis maternels',
    units: [
      { name: 'Matin', start: '08:00', end: '12:00', priceCents: 500 },
      { name: 'Après-midi', start: '13:30', end: '18:30', priceCents: 500 }
    ]
  })
  leo = await firstChild(core, fam.familyId)
  zoe = await seedChild(core, fam.familyId, 'Zoé')
  const [matin, aprem] = act.units.map((u) => u.id)
  // Health data on the child: none of it may reach the feed.
  await core.tx.run(async (m) => {
    await m.save(ChildFile, Object.assign(new ChildFile(), {
      childId: leo, allergies: true, allergyNotes: 'Arachide sévère', pai: true, paiDocumentId: null, dietNotes: 'Sans gluten', mealType: 'standard',
      vaccines: [], doctorName: 'Docteur Mabuse', doctorPhone: '05 61 00 00 00', glasses: false, hearingAid: false, healthNotes: 'Asthme',
      imageRights: false, leaveAlone: false, linkResponsable: '', linkConjoint: '', livesWith: '', custodyNotes: '', updatedAt: core.clock.now().toISOString()
    }))
  })
  await book(leo, matin, '2026-09-09', 'R')
  await book(leo, aprem, '2026-09-09', 'R')
  await book(zoe, matin, '2026-09-16', 'DR') // pending: shown as TENTATIVE
  await book(leo, matin, '2026-10-28', 'R') // after the switch to winter time
  await book(leo, matin, '2026-09-23', 'REFUSED')
  await book(leo, matin, '2026-09-30', 'CANCELLED')
  await book(leo, matin, '2026-07-01', 'R') // more than a month ago: outside the window
  await book(leo, matin, '2027-10-06', 'R') // more than a year ahead: outside the window
  const otherChild = await firstChild(core, other.familyId)
  await book(otherChild, aprem, '2026-09-10', 'R')
  portal = await client(portalApp, 'portal')
  await portal.loginPortal(fam.login, fam.password)
  otherPortal = await client(portalApp, 'portal')
  await otherPortal.loginPortal(other.login, other.password)
})
afterAll(async () => {
  await portalApp.close()
  await staffApp.close()
  await core.cleanup()
})

describe('agenda feed', () => {
  let path = ''
  test('is off until the family turns it on, then gives a secret path, audited under the family’s login', async () => {
    const before = await portal.call('agenda-feed-get')
    expect(before.status).toBe(200)
    expect(before.body).toEqual({ path: null, createdAt: null })
    const on = await portal.call('agenda-feed-regenerate')
    expect(on.status).toBe(200)
    path = on.body.path
    expect(path).toMatch(/^\/agenda\/[A-Za-z0-9_-]{43}\.ics$/)
    // The page can show it again (derived, not stored in clear)…
    expect((await portal.call('agenda-feed-get')).body.path).toBe(path)
    // …and the database holds only its hash.
    const token = path.slice('/agenda/'.length, -'.ics'.length)
    const raw = JSON.stringify(core.db.prepare('SELECT * FROM agenda_feed').all())
    expect(raw).not.toContain(token)
    const rows = await auditRows(core, 'agenda-feed-create')
    expect(rows.map((r) => [r.actorKind, r.actorLabel, r.entityId])).toEqual([['family', fam.actor.label, String(fam.familyId)]])
  })

  test('serves the booked days, in Paris time, with stable UIDs, no session needed', async () => {
    const res = await feed(path)
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-type']).toBe('text/calendar; charset=utf-8')
    expect(String(res.headers['cache-control'])).toContain('no-store')
    expect(String(res.headers['cache-control'])).toContain('private')
    const { events, zones } = parse(res.body)
    expect(zones).toEqual(['Europe/Paris'])
    const byDay = events.map((e) => [e.start.toISOString(), e.end.toISOString(), e.summary, e.status, e.tzid])
    expect(byDay).toEqual([
      ['2026-09-09T06:00:00.000Z', '2026-09-09T10:00:00.000Z', 'Léo — Mercredis maternels (Matin)', 'CONFIRMED', 'Europe/Paris'],
      ['2026-09-09T11:30:00.000Z', '2026-09-09T16:30:00.000Z', 'Léo — Mercredis maternels (Après-midi)', 'CONFIRMED', 'Europe/Paris'],
      ['2026-09-16T06:00:00.000Z', '2026-09-16T10:00:00.000Z', 'Zoé — Mercredis maternels (Matin) — en attente', 'TENTATIVE', 'Europe/Paris'],
      ['2026-10-28T07:00:00.000Z', '2026-10-28T11:00:00.000Z', 'Léo — Mercredis maternels (Matin)', 'CONFIRMED', 'Europe/Paris']
    ])
    expect(new Set(events.map((e) => e.uid)).size).toBe(events.length)
    // The same UIDs on the next poll, after a state change, so calendar apps update rather than duplicate.
    await core.tx.run((m) => m.update(Booking, { childId: zoe, day: '2026-09-16' }, { state: 'R', updatedAt: core.clock.now().toISOString() }))
    const again = parse((await feed(path)).body).events
    expect(again.map((e) => e.uid)).toEqual(events.map((e) => e.uid))
    expect(again[2].status).toBe('CONFIRMED')
  })

  test('holds first names and units only: no last name, no health data, no address', async () => {
    const body = (await feed(path)).body
    for (const s of ['Valdorme', 'VALDORME', 'Arachide', 'gluten', 'Mabuse', 'Asthme', 'PAI', '05 61', 'rue des Écoles', 'Camille']) expect(body).not.toContain(s)
  })

  test('another family’s link shows only that family’s days', async () => {
    const theirs = (await otherPortal.call('agenda-feed-regenerate')).body.path as string
    expect(theirs).not.toBe(path)
    const { events } = parse((await feed(theirs)).body)
    expect(events.map((e) => [e.start.toISOString().slice(0, 10), e.summary])).toEqual([['2026-09-10', 'Léo — Mercredis maternels (Après-midi)']])
    expect(events.some((e) => e.start.toISOString().startsWith('2026-09-09'))).toBe(false)
  })

  test('is never served by the staff listener, whatever the token', async () => {
    const res = await staffApp.inject({ method: 'GET', url: path, remoteAddress: '127.0.0.1' })
    expect(res.statusCode).toBe(404)
    expect(res.body).not.toContain('BEGIN:VCALENDAR')
  })

  test('an unknown or malformed token is a 404', async () => {
    expect((await feed('/agenda/' + 'A'.repeat(43) + '.ics')).statusCode).toBe(404)
    expect((await feed('/agenda/nope.ics')).statusCode).toBe(404)
  })

  test('regenerating kills the old URL at once and is audited', async () => {
    const res = await portal.call('agenda-feed-regenerate')
    expect(res.status).toBe(200)
    expect(res.body.path).not.toBe(path)
    expect((await feed(path)).statusCode).toBe(404)
    expect((await feed(res.body.path)).statusCode).toBe(200)
    const rows = await auditRows(core, 'agenda-feed-regenerate')
    expect(rows.map((r) => r.actorLabel)).toEqual([fam.actor.label])
    path = res.body.path
  })

  test('regenerating needs the session’s CSRF token', async () => {
    const res = await portal.call('agenda-feed-regenerate', {}, { csrf: false })
    expect(res.status).toBe(403)
    expect((await feed(path)).statusCode).toBe(200)
  })

  test('stops while the family’s portal account is disabled', async () => {
    core.db.prepare(`UPDATE portal_account SET status = 'disabled' WHERE id = ?`).run(fam.accountId)
    expect((await feed(path)).statusCode).toBe(404)
    core.db.prepare(`UPDATE portal_account SET status = 'active' WHERE id = ?`).run(fam.accountId)
    expect((await feed(path)).statusCode).toBe(200)
  })

  test('is rate-limited per address', async () => {
    const ip = '10.77.0.1'
    const codes: number[] = []
    for (let i = 0; i < 31; i++) codes.push((await feed(path, ip)).statusCode)
    expect(codes.slice(0, 30).every((c) => c === 200)).toBe(true)
    expect(codes[30]).toBe(429)
    // Another address is not affected.
    expect((await feed(path, '10.77.0.2')).statusCode).toBe(200)
  })
})
