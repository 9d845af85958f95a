/**
 * Time and size limits of every listener, on real sockets to 127.0.0.1: the
 * staff app over HTTP, the portal and the back-office on the LAN over TLS with
 * the self-signed certificate (the Node options then travel with the TLS ones).
 */
import { request as httpRequest, type IncomingMessage } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { connect as netConnect, type AddressInfo, type Socket } from 'node:net'
import { connect as tlsConnect } from 'node:tls'
import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { buildPortalApp } from '../../src-main/server/portal-app'
import { buildStaffApp } from '../../src-main/server/staff-app'
import { PORTAL_LIMITS, STAFF_LIMITS } from '../../src-main/server/limits'
import { selfSignedMaterial } from '../../src-main/settings/tls'
import { openTestCore, type TestCore } from '../helpers/core'
import { buildLanApp } from '../helpers/lan'

let core: TestCore
let staff: FastifyInstance
let portal: FastifyInstance
let lan: FastifyInstance
const ports = { staff: 0, portal: 0, lan: 0 }

beforeAll(async () => {
  core = await openTestCore()
  const tls = selfSignedMaterial(core.paths.tlsDir)
  staff = await buildStaffApp(core)
  portal = await buildPortalApp(core, { https: { key: tls.key, cert: tls.cert } })
  lan = await buildLanApp(core, ['127.0.0.1/32'])
  await staff.listen({ host: '127.0.0.1', port: 0 })
  await portal.listen({ host: '127.0.0.1', port: 0 })
  await lan.listen({ host: '127.0.0.1', port: 0 })
  ports.staff = (staff.server.address() as AddressInfo).port
  ports.portal = (portal.server.address() as AddressInfo).port
  ports.lan = (lan.server.address() as AddressInfo).port
})
afterAll(async () => {
  await staff.close()
  await portal.close()
  await lan.close()
  await core.cleanup()
})

type Side = 'staff' | 'portal' | 'lan'
/** The API a listener serves: the back-office on the LAN is the staff API. */
const api = (side: Side) => (side === 'portal' ? 'portal' : 'staff')

function open(side: Side): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s =
      side === 'staff'
        ? netConnect(ports.staff, '127.0.0.1', () => resolve(s))
        : tlsConnect({ port: ports[side], host: '127.0.0.1', rejectUnauthorized: false }, () => resolve(s))
    s.once('error', reject)
  })
}

/**
 * A "slowloris": one header line every 5 s, never the blank line that ends
 * the headers, for up to 45 s (Node's own default would cut it only after
 * 60 s). Resolves with what the server said when it closed the connection.
 */
async function slowHeaders(side: Side): Promise<{ closedByServer: boolean; answer: string }> {
  const s = await open(side)
  let answer = ''
  s.on('data', (b: Buffer) => (answer += b.toString()))
  s.on('error', () => {})
  s.write(`GET /api/${api(side)}/auth-session HTTP/1.1\r\nHost: 127.0.0.1\r\n`)
  for (let i = 0; i < 9; i++) {
    await new Promise((r) => setTimeout(r, 5000))
    if (s.destroyed || s.readableEnded) return { closedByServer: true, answer }
    s.write(`X-Lent-${i}: ${i}\r\n`)
  }
  await new Promise((r) => setTimeout(r, 200))
  const closedByServer = s.destroyed || s.readableEnded
  s.destroy()
  return { closedByServer, answer }
}

interface Answer {
  status: number
  headers: IncomingMessage['headers']
  body: string
}

/**
 * A POST; resolves once the answer is read AND the whole body was sent, as a browser needs to show the answer;
 * rejects if the connection breaks (EPIPE, reset) on either side.
 */
function post(side: Side, path: string, body: string, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    let answer: Answer | null = null
    let sent = false
    const done = () => answer && sent && resolve(answer)
    const request = side === 'staff' ? httpRequest : httpsRequest
    const r = request(
      {
        host: '127.0.0.1',
        port: ports[side],
        path,
        method: 'POST',
        rejectUnauthorized: false,
        headers: { host: '127.0.0.1', 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), ...headers }
      },
      (res) => {
        let text = ''
        res.on('data', (b: Buffer) => (text += b.toString()))
        res.on('end', () => {
          answer = { status: res.statusCode!, headers: res.headers, body: text }
          done()
        })
        res.on('error', reject)
      }
    )
    r.on('error', reject)
    r.on('finish', () => {
      sent = true
      done()
    })
    // Sent as a browser on a real network would: a megabyte at a time, still uploading when the server answers.
    void (async () => {
      const bytes = Buffer.from(body)
      for (let at = 0; at < bytes.length; at += 1 << 20) {
        if (r.destroyed) return
        r.write(bytes.subarray(at, at + (1 << 20)))
        await new Promise((w) => setTimeout(w, 20))
      }
      r.end()
    })()
  })
}

/** The anonymous session's cookies and CSRF token, from auth-session. */
async function browserHeaders(side: Side): Promise<Record<string, string>> {
  const r = await post(side, `/api/${api(side)}/auth-session`, '{}')
  const cookie = ([] as string[])
    .concat(r.headers['set-cookie'] ?? [])
    .map((c) => c.split(';')[0])
    .join('; ')
  return { cookie, 'x-csrf-token': JSON.parse(r.body).csrfToken }
}

describe('server limits', () => {
  test('a connection that sends one header line every 5 s is cut, on every listener', async () => {
    const answers = await Promise.all([slowHeaders('staff'), slowHeaders('portal'), slowHeaders('lan')])
    for (const r of answers) {
      expect(r.closedByServer).toBe(true)
      expect(r.answer).toMatch(/^HTTP\/1\.1 408 /)
    }
  }, 60_000)

  test('a 10 MB JSON body gets a clean 413 with a French message, not a broken connection, on every listener', async () => {
    const big = JSON.stringify({ login: 'x'.repeat(10 * 1024 * 1024), password: 'y' })
    for (const side of ['staff', 'portal', 'lan'] as const) {
      const r = await post(side, `/api/${api(side)}/auth-login`, big, await browserHeaders(side))
      expect(r.status, side).toBe(413)
      expect(r.headers['content-type']).toMatch(/^application\/json/)
      expect(JSON.parse(r.body)).toEqual({
        error: { code: 'too_large', message: 'Le fichier ou le formulaire envoyé est trop volumineux (1 Mo au maximum) : rien n’a été enregistré.' }
      })
      // The same answer without a session, on a path that does not exist.
      expect((await post(side, `/api/${api(side)}/inconnu`, big)).status).toBe(413)
    }
  }, 60_000)

  test('the limits are those of limits.ts on every server', () => {
    for (const [app, l] of [
      [staff, STAFF_LIMITS],
      [portal, PORTAL_LIMITS],
      [lan, STAFF_LIMITS]
    ] as const) {
      expect(app.server.headersTimeout).toBe(l.headersTimeoutMs)
      expect(app.server.requestTimeout).toBe(l.requestTimeoutMs)
      expect(app.server.timeout).toBe(l.connectionTimeoutMs)
      expect(app.server.keepAliveTimeout).toBe(l.keepAliveTimeoutMs)
      expect(l.headersTimeoutMs).toBeLessThan(l.requestTimeoutMs)
    }
  })
})
