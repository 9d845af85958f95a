import type { FastifyInstance } from 'fastify'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { SYSTEM } from '../../src-main/core/actor'
import { audit } from '../../src-main/audit/audit'
import { buildPortalApp } from '../../src-main/server/portal-app'
import { buildStaffApp } from '../../src-main/server/staff-app'
import { openTestCore, seedFamily, seedStaff, type SeededFamily, type TestCore } from '../helpers/core'
import { client, type TestClient } from '../helpers/http'
import { openEvents, type SseEvent } from '../helpers/sse'

/**
 * Live updates between desks (issue 15 §2): the staff event stream over a real
 * socket, with real sessions, real commits and the real portal filing requests.
 */
let core: TestCore
let staffApp: FastifyInstance
let portalApp: FastifyInstance
let port: number
let fam: SeededFamily
let family: TestClient
let claire: TestClient
let desk: TestClient
let anim: TestClient
let compta: TestClient

async function staffClient(role: 'direction' | 'accueil' | 'comptable' | 'animateur', displayName?: string) {
  const s = await seedStaff(core, role, { displayName })
  const c = await client(staffApp, 'staff')
  await c.loginStaff(s.login, s.password)
  return c
}

const change = (topic: string) => (e: SseEvent) => e.event === 'change' && JSON.parse(e.data).topic === topic

/** The family asks to change its mobile phone: a pending request in the validation queue. */
async function fileRequest(phone: string): Promise<number> {
  const file = (await family.call('file-get', {})).body
  const { id: _id, role: _role, email: _email, ...values } = file.responsable
  const r = await family.call('file-request-change', { section: 'responsable', values: { ...values, phoneMobile: phone } })
  expect(r.status).toBe(200)
  const list = await desk.call('requests-list', { status: 'pending', limit: 50 })
  return Math.max(...list.body.items.map((i: { id: number }) => i.id))
}

beforeAll(async () => {
  core = await openTestCore()
  staffApp = await buildStaffApp(core, { live: { heartbeatMs: 60_000, recheckMs: 60_000 } })
  await staffApp.listen({ host: '127.0.0.1', port: 0 })
  port = (staffApp.server.address() as AddressInfo).port
  portalApp = await buildPortalApp(core)
  fam = await seedFamily(core, { lastName: 'Durand', firstName: 'Alice' })
  family = await client(portalApp, 'portal')
  await family.loginPortal(fam.login, fam.password)
  claire = await staffClient('direction', 'Claire Directrice')
  desk = await staffClient('accueil', 'Sophie Accueil')
  anim = await staffClient('animateur')
  compta = await staffClient('comptable')
})
afterAll(async () => {
  await staffApp.close()
  await portalApp.close()
  await core.cleanup()
})

describe('staff event stream', () => {
  test('no session, no stream: 401 before the first byte', async () => {
    const anon = await client(staffApp, 'staff')
    const s = await openEvents(port, anon)
    expect(s.status).toBe(401)
  })

  test('a change is told after COMMIT, never before it nor after a rollback; an animateur hears no billing event', async () => {
    const streams = await Promise.all([desk, anim, compta].map((c) => openEvents(port, c)))
    for (const s of streams) expect((await s.next()).event).toBe('hello')
    const [d, a, c] = streams

    // A payment recorded: the transaction waits before COMMIT, and nobody has heard of it yet.
    let committed = false
    const tx = core.tx.run(async (m) => {
      await audit(m, SYSTEM, core.clock.now(), { action: 'payment-record', entity: 'payment', entityId: 4242, after: { amountCents: 1000 } })
      await new Promise((r) => setTimeout(r, 200))
      expect(c.events.filter((e) => e.event === 'change')).toEqual([])
      committed = true
    })
    const billing = await c.next(change('billing'))
    expect(committed).toBe(true)
    await tx
    expect(JSON.parse(billing.data)).toMatchObject({ topic: 'billing', ids: [4242] })

    // A request written then rolled back is never told.
    await expect(
      core.tx.run(async (m) => {
        await audit(m, SYSTEM, core.clock.now(), { action: 'request-create', entity: 'request', entityId: 999_999 })
        throw new Error('rolled back')
      })
    ).rejects.toThrow('rolled back')

    // A real request from the portal reaches every desk (the queue is readable by all roles)…
    const requestId = await fileRequest('0698765432')
    for (const s of [d, a, c]) expect(JSON.parse((await s.next(change('requests'))).data).ids).toEqual([requestId])
    // …and the animateur's stream carried nothing about billing, nor the rolled-back request.
    const topics = (s: typeof a) => s.events.filter((e) => e.event === 'change').map((e) => JSON.parse(e.data))
    expect(topics(a).map((e) => e.topic)).not.toContain('billing')
    expect(topics(d).map((e) => e.topic)).toContain('billing')
    for (const s of streams) expect(topics(s).flatMap((e) => e.ids ?? [])).not.toContain(999_999)
    for (const s of streams) s.close()
  })

  test('a stream that reconnects with Last-Event-ID gets what it missed; an unknown id gets « resync »', async () => {
    const first = await openEvents(port, desk)
    const hello = await first.next()
    first.close()
    const missed = await fileRequest('0611111111')

    const again = await openEvents(port, desk, { lastEventId: hello.id })
    const e = await again.next()
    expect(e.event).toBe('change')
    expect(JSON.parse(e.data)).toMatchObject({ topic: 'requests', ids: [missed] })
    again.close()

    const stale = await openEvents(port, desk, { lastEventId: '00000000.12' })
    expect((await stale.next()).event).toBe('resync')
    stale.close()
  })

  test('two desks on the same request: the second is refused with the name of who decided it, and both screens hear of it', async () => {
    const requestId = await fileRequest('0622222222')
    const s = await openEvents(port, desk)
    await s.next()
    const first = await claire.call('file-changes-accept', { requestId })
    expect(first.status).toBe(200)
    expect(JSON.parse((await s.next(change('requests'))).data).ids).toContain(requestId)

    const second = await desk.call('file-changes-refuse', { requestId, reason: 'Numéro non joignable' })
    expect(second.status).toBe(409)
    expect(second.body.error.message).toBe('Demande déjà traitée par Claire Directrice : acceptée le 07/09/2026 à 10h00.')
    s.close()
  })

  test('logging out ends the session’s open streams at once', async () => {
    const other = await staffClient('accueil')
    const s = await openEvents(port, other)
    await s.next()
    expect((await other.call('auth-logout', {})).status).toBe(200)
    expect((await s.next((e) => e.event === 'session-ended')).event).toBe('session-ended')
    await s.ended
  })

  test('stopping the server ends the open streams instead of waiting for them', async () => {
    const other = await buildStaffApp(core)
    await other.listen({ host: '127.0.0.1', port: 0 })
    const s = await openEvents((other.server.address() as AddressInfo).port, desk)
    await s.next()
    const t0 = Date.now()
    await other.close()
    await s.ended
    expect(Date.now() - t0).toBeLessThan(5000)
  })
})
