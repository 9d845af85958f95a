/**
 * The desktop app as a client of another computer's back-office
 * (`--server https://host:5181`): the fingerprint is confirmed once, then
 * required on every connection; a changed certificate is refused without a
 * question, before any request reaches the impostor, and only an explicit
 * `--forget-server` lets the user confirm a new one. Real sockets on
 * 127.0.0.1: the real back-office on the LAN (HTTPS, allowed ranges), then an
 * impostor with another certificate on the same port.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer as createHttpsServer, type Server } from 'node:https'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest'
import { forgetServer, knownServersFile, openRemoteBackOffice } from '../../src-main/client/remote-backoffice'
import { serverOrigin } from '../../src-main/client/known-servers'
import { selfSignedMaterial } from '../../src-main/settings/tls'
import { openTestCore, type TestCore } from '../helpers/core'
import { buildLanApp } from '../helpers/lan'

let core: TestCore
let lanApp: FastifyInstance
let port: number
let url: string
const clientDir = mkdtempSync(join(tmpdir(), 'ribambelle-client-'))
const impostorTls = mkdtempSync(join(tmpdir(), 'ribambelle-impostor-'))

beforeAll(async () => {
  core = await openTestCore()
  lanApp = await buildLanApp(core, ['127.0.0.0/8'])
  await lanApp.listen({ host: '127.0.0.1', port: 0 })
  port = (lanApp.server.address() as AddressInfo).port
  url = `https://127.0.0.1:${port}/`
})
afterAll(async () => {
  await lanApp.close()
  await core.cleanup()
  rmSync(clientDir, { recursive: true, force: true })
  rmSync(impostorTls, { recursive: true, force: true })
})

/** A staff call through the client's loopback address, as the back-office page makes it. */
async function authSession(base: string) {
  const r = await fetch(`${base}/api/staff/auth-session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })
  return { status: r.status, body: (await r.json()) as any, cookie: r.headers.get('set-cookie') }
}

test('only an https origin is accepted as a server address, said in French', () => {
  expect(serverOrigin('https://pc-accueil:5181/#/familles')).toBe('https://pc-accueil:5181')
  expect(serverOrigin('https://pc-accueil')).toBe('https://pc-accueil:443')
  expect(() => serverOrigin('http://pc-accueil:5181')).toThrow(/uniquement en HTTPS/)
  expect(() => serverOrigin('pc accueil')).toThrow(/Adresse de serveur invalide/)
})

describe('trust on first use, then pinned', () => {
  const fingerprint = () => selfSignedMaterial(core.paths.tlsDir).fingerprint

  test('the first time, the fingerprint the server shows in its settings is asked; refusing it connects to nothing', async () => {
    const confirm = vi.fn(async () => false)
    await expect(openRemoteBackOffice(url, { dataDir: clientDir, confirm })).rejects.toMatchObject({ code: 'certificate_not_confirmed' })
    expect(confirm).toHaveBeenCalledTimes(1)
    expect(confirm.mock.calls[0]).toMatchObject([`https://127.0.0.1:${port}`, { fingerprint: fingerprint() }])
  })

  test('confirmed: kept on disk, and the back-office answers through the loopback address with its LAN session cookie', async () => {
    const remote = await openRemoteBackOffice(url, { dataDir: clientDir, confirm: async () => true })
    try {
      expect(remote.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
      expect(JSON.parse(readFileSync(knownServersFile(clientDir), 'utf8'))[`https://127.0.0.1:${port}`].fingerprint).toBe(fingerprint())
      const r = await authSession(remote.url)
      expect(r.status).toBe(200)
      expect(r.body.user).toBeNull()
      expect(r.cookie).toMatch(/__Host-rb_staff_lan_csrf=/)
    } finally {
      await remote.close()
    }
  })

  test('the loopback address answers only this computer’s pages: another host name or another site’s page is refused', async () => {
    const remote = await openRemoteBackOffice(url, { dataDir: clientDir, confirm: async () => true })
    try {
      const { request } = await import('node:http')
      const raw = (headers: Record<string, string>) =>
        new Promise<number>((resolve, reject) => {
          const r = request(`${remote.url}/api/staff/auth-session`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers } }, (res) => {
            res.resume()
            resolve(res.statusCode!)
          })
          r.on('error', reject)
          r.end('{}')
        })
      expect(await raw({ host: 'attaquant.example:80' })).toBe(403)
      expect(await raw({ origin: 'https://attaquant.example' })).toBe(403)
      expect(await raw({ origin: remote.url })).toBe(200)
    } finally {
      await remote.close()
    }
  })

  test('a WebSocket upgrade goes through to the server (pinned), both ways; another site’s page may not open one', async () => {
    // The server's side of an upgrade: a 101, then an echo of whatever comes (what a WebSocket endpoint would get).
    const echo = (req: { headers: Record<string, unknown> }, sock: import('node:net').Socket, head: Buffer) => {
      sock.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nX-Seen-Host: ${String(req.headers.host)}\r\n\r\n`)
      if (head.length) sock.write(head)
      sock.pipe(sock)
    }
    lanApp.server.on('upgrade', echo)
    const remote = await openRemoteBackOffice(url, { dataDir: clientDir, confirm: async () => true })
    const { connect } = await import('node:net')
    const open = (origin: string) =>
      new Promise<string>((resolve, reject) => {
        const { port: p } = new URL(remote.url)
        const sock = connect(Number(p), '127.0.0.1', () => {
          sock.write(`GET /api/staff/ws HTTP/1.1\r\nHost: 127.0.0.1:${p}\r\nOrigin: ${origin}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n`)
        })
        let got = ''
        sock.on('data', (d) => {
          got += d.toString('latin1')
          if (got.includes('\r\n\r\n') && got.startsWith('HTTP/1.1 101') && !got.includes('ping')) sock.write('ping')
          if (got.endsWith('ping') || (!got.startsWith('HTTP/1.1 101') && got.includes('\r\n\r\n'))) (sock.destroy(), resolve(got))
        })
        sock.on('error', reject)
        sock.on('close', () => resolve(got))
      })
    try {
      const ok = await open(remote.url)
      expect(ok).toMatch(/^HTTP\/1\.1 101 /)
      expect(ok).toContain(`X-Seen-Host: 127.0.0.1:${port}`)
      expect(ok.endsWith('\r\n\r\nping')).toBe(true)
      expect(await open('https://attaquant.example')).toMatch(/^HTTP\/1\.1 403 /)
    } finally {
      lanApp.server.off('upgrade', echo)
      await remote.close()
    }
  })

  test('the next time, no question: the same certificate is trusted', async () => {
    const confirm = vi.fn(async () => true)
    const remote = await openRemoteBackOffice(url, { dataDir: clientDir, confirm })
    await remote.close()
    expect(confirm).not.toHaveBeenCalled()
  })
})

describe('a changed certificate is never silently accepted', () => {
  let impostor: Server
  let impostorRequests = 0
  let running: Awaited<ReturnType<typeof openRemoteBackOffice>>
  const refusals: string[] = []

  beforeAll(async () => {
    running = await openRemoteBackOffice(url, { dataDir: clientDir, confirm: async () => true, onRefused: (m) => refusals.push(m) })
    expect((await authSession(running.url)).status).toBe(200)
    // Another machine takes the server's place, on the same address and port, with its own certificate.
    await lanApp.close()
    const tls = selfSignedMaterial(impostorTls)
    impostor = createHttpsServer({ key: tls.key, cert: tls.cert }, (_req, res) => {
      impostorRequests++
      res.end('{}')
    })
    await new Promise<void>((r) => impostor.listen(port, '127.0.0.1', r))
  })
  afterAll(async () => {
    await running.close()
    await new Promise((r) => impostor.close(r))
  })

  test('while the client runs: the next request is refused before it reaches the impostor', async () => {
    const r = await authSession(running.url)
    expect(r.status).toBe(502)
    expect(r.body.error.code).toBe('certificate_changed')
    expect(r.body.error.message).toMatch(/a changé : Ribambelle a refusé la connexion/)
    expect(impostorRequests).toBe(0)
    expect(refusals.at(-1)).toContain(selfSignedMaterial(impostorTls).fingerprint)
  })

  test('at the next start: refused with both fingerprints, and no confirmation is even offered', async () => {
    const confirm = vi.fn(async () => true)
    const err = await openRemoteBackOffice(url, { dataDir: clientDir, confirm }).catch((e: Error & { code?: string }) => e)
    expect(err).toMatchObject({ code: 'certificate_changed' })
    expect((err as Error).message).toContain(selfSignedMaterial(core.paths.tlsDir).fingerprint)
    expect((err as Error).message).toContain(selfSignedMaterial(impostorTls).fingerprint)
    expect((err as Error).message).toMatch(/--forget-server/)
    expect(confirm).not.toHaveBeenCalled()
    expect(impostorRequests).toBe(0)
    // The pin on disk is still the confirmed one.
    expect(JSON.parse(readFileSync(knownServersFile(clientDir), 'utf8'))[`https://127.0.0.1:${port}`].fingerprint).toBe(selfSignedMaterial(core.paths.tlsDir).fingerprint)
  })

  test('only after --forget-server is the new fingerprint shown for confirmation', async () => {
    expect(forgetServer(url, clientDir)).toBe(true)
    const confirm = vi.fn(async () => false)
    await expect(openRemoteBackOffice(url, { dataDir: clientDir, confirm })).rejects.toMatchObject({ code: 'certificate_not_confirmed' })
    expect((confirm.mock.calls[0] as unknown[])[1]).toMatchObject({ fingerprint: selfSignedMaterial(impostorTls).fingerprint })
    expect(impostorRequests).toBe(0)
  })
})
