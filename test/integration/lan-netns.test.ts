/**
 * The allowed ranges on a real network, made by the test: two network
 * namespaces joined by a veth pair, the back-office on the LAN running in one
 * (bound to every interface, as in production), "other computers" in the
 * other with addresses inside and outside the ranges. No traffic touches this
 * machine's own interfaces. Needs root and iproute2 (`apt-get install
 * iproute2`); skipped otherwise.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'

const ROOT = resolve(__dirname, '../..')
const tag = `rb${process.pid % 100000}`
const NS = { server: `${tag}s`, client: `${tag}c` }
const IF = { server: `${tag}vs`, client: `${tag}vc` }
const SERVER = '10.231.0.1'

function ip(...args: string[]): boolean {
  return spawnSync('ip', args, { stdio: 'ignore' }).status === 0
}

/** Root, iproute2 and the right to make namespaces (a container may refuse it). */
function canMakeNamespaces(): boolean {
  if (process.getuid?.() !== 0) return false
  if (!ip('netns', 'add', `${tag}probe`)) return false
  ip('netns', 'del', `${tag}probe`)
  return true
}
const available = canMakeNamespaces()

/** From the client namespace: a TLS handshake with the server from `source`, 'ok' or the error code. */
function handshake(source: string): string {
  const script = `
    const s = require('node:tls').connect({ host: '${SERVER}', port: 5181, localAddress: '${source}', rejectUnauthorized: false, timeout: 4000 }, () => { console.log('ok ' + s.getPeerX509Certificate().fingerprint256); s.destroy() })
    s.on('error', (e) => console.log('error ' + (e.code || e.message)))
    s.on('timeout', () => { console.log('error timeout'); s.destroy() })`
  const r = spawnSync('ip', ['netns', 'exec', NS.client, process.execPath, '-e', script], { encoding: 'utf8', timeout: 15_000 })
  return r.stdout.trim()
}

let child: ChildProcess | null = null
const dirs: string[] = []

/** Starts the listener in the server namespace with these ranges; resolves with its status. */
function startServer(ranges: string): Promise<{ running: boolean; fingerprint: string; allowedRanges: string[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'ribambelle-netns-'))
  dirs.push(dir)
  child = spawn('ip', ['netns', 'exec', NS.server, process.execPath, '--import', 'tsx', 'test/helpers/lan-netns-child.ts', dir, ranges], {
    cwd: ROOT,
    env: { ...process.env, TSX_TSCONFIG_PATH: 'tsconfig.node.json' },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  return new Promise((resolveStatus, reject) => {
    let out = ''
    const timer = setTimeout(() => reject(new Error(`listener did not start: ${out}`)), 60_000)
    child!.stdout!.on('data', (d: Buffer) => {
      out += d
      const m = /READY (.*)\n/.exec(out)
      if (m) {
        clearTimeout(timer)
        resolveStatus(JSON.parse(m[1]))
      }
    })
    child!.stderr!.on('data', (d: Buffer) => (out += d))
    child!.on('exit', (code) => reject(new Error(`listener exited (${code}): ${out}`)))
  })
}

async function stopServer(): Promise<void> {
  if (!child) return
  const c = child
  child = null
  c.kill('SIGTERM')
  await new Promise((r) => c.once('exit', r))
}

beforeAll(() => {
  if (!available) return
  const steps = [
    ['netns', 'add', NS.server],
    ['netns', 'add', NS.client],
    ['link', 'add', IF.server, 'type', 'veth', 'peer', 'name', IF.client],
    ['link', 'set', IF.server, 'netns', NS.server],
    ['link', 'set', IF.client, 'netns', NS.client],
    ['-n', NS.server, 'addr', 'add', `${SERVER}/24`, 'dev', IF.server],
    ['-n', NS.server, 'link', 'set', 'lo', 'up'],
    ['-n', NS.server, 'link', 'set', IF.server, 'up'],
    // The other subnet is reached on the same wire (a second office network behind the same switch).
    ['-n', NS.server, 'route', 'add', '10.232.0.0/24', 'dev', IF.server],
    ['-n', NS.client, 'addr', 'add', '10.231.0.2/24', 'dev', IF.client],
    ['-n', NS.client, 'addr', 'add', '10.231.0.3/24', 'dev', IF.client],
    ['-n', NS.client, 'addr', 'add', '10.232.0.2/24', 'dev', IF.client],
    ['-n', NS.client, 'link', 'set', 'lo', 'up'],
    ['-n', NS.client, 'link', 'set', IF.client, 'up']
  ]
  for (const s of steps) if (!ip(...s)) throw new Error(`ip ${s.join(' ')} failed`)
})

afterAll(async () => {
  await stopServer()
  if (available) {
    ip('netns', 'del', NS.server)
    ip('netns', 'del', NS.client)
  }
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})

describe.skipIf(!available)('the allowed ranges on a real network (namespaces)', () => {
  test('by default the subnet of the server computer is allowed, and another subnet gets no handshake', async () => {
    const status = await startServer('default')
    expect(status.allowedRanges).toEqual(['10.231.0.0/24'])
    expect(status.running).toBe(true)
    expect(handshake('10.231.0.2')).toBe(`ok ${status.fingerprint}`)
    expect(handshake('10.231.0.3')).toBe(`ok ${status.fingerprint}`)
    expect(handshake('10.232.0.2')).toMatch(/^error /)
    await stopServer()
  }, 90_000)

  test('the ranges the direction enters: one computer in, its neighbour out', async () => {
    const status = await startServer('10.231.0.3/32,10.232.0.0/24')
    expect(handshake('10.231.0.3')).toBe(`ok ${status.fingerprint}`)
    expect(handshake('10.232.0.2')).toBe(`ok ${status.fingerprint}`)
    expect(handshake('10.231.0.2')).toMatch(/^error /)
    await stopServer()
  }, 90_000)
})

test.skipIf(available)('network namespaces unavailable (not root, no iproute2, or refused): the loopback source-address tests in lan-listener.test.ts still check the ranges', () => {
  expect(available).toBe(false)
})
