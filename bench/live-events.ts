/**
 * Live updates between desks (issue 15 §2): the delay from a family's
 * request being committed to each open back-office receiving the event, over
 * real sockets on 127.0.0.1. Families file change requests through the portal
 * app open-loop (a fixed arrival rate, whatever the answers' times), while
 * `desks` staff streams (direction, accueil, animateur in turn) listen.
 *
 *   npx tsx --tsconfig tsconfig.node.json bench/live-events.ts [desks=10] [perSecond=20] [seconds=10]
 */
import { mkdtempSync, rmSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openCore } from '../src-main/core/app-core'
import { buildPortalApp } from '../src-main/server/portal-app'
import { buildStaffApp } from '../src-main/server/staff-app'
import { seedFamily, seedStaff } from '../test/helpers/core'
import { client, type TestClient } from '../test/helpers/http'
import { openEvents } from '../test/helpers/sse'
import { printRow } from './lib'

async function main() {
  const desks = Number(process.argv[2] ?? 10)
  const perSecond = Number(process.argv[3] ?? 20)
  const seconds = Number(process.argv[4] ?? 10)
  const dataDir = mkdtempSync(join(tmpdir(), 'ribambelle-bench-live-'))
  const core = await openCore({ dataDir, log: () => {} })
  const staffApp = await buildStaffApp(core)
  await staffApp.listen({ host: '127.0.0.1', port: 0 })
  const port = (staffApp.server.address() as AddressInfo).port
  const portalApp = await buildPortalApp(core)
  try {
    const families: TestClient[] = []
    for (let i = 0; i < 20; i++) {
      const f = await seedFamily(core)
      const c = await client(portalApp, 'portal')
      await c.loginPortal(f.login, f.password)
      families.push(c)
    }
    const roles = ['direction', 'accueil', 'animateur'] as const
    const streams = []
    for (let i = 0; i < desks; i++) {
      const s = await seedStaff(core, roles[i % roles.length])
      const c = await client(staffApp, 'staff')
      await c.loginStaff(s.login, s.password)
      const stream = await openEvents(port, c)
      await stream.next()
      streams.push(stream)
    }
    const delays: number[] = []
    const answers: number[] = []
    const received = new Map<number, number>()
    for (const s of streams) {
      const seen = s.events.length
      void (async () => {
        for (;;) {
          const e = await s.next((x) => x.event === 'change', 60_000).catch(() => null)
          if (!e) return
          const d = JSON.parse(e.data) as { topic: string; at: number; ids?: number[] }
          if (d.topic !== 'requests') continue
          delays.push(Date.now() - d.at)
          for (const id of d.ids ?? []) received.set(id, (received.get(id) ?? 0) + 1)
        }
      })()
      void seen
    }
    // Open loop: one « demande de modification » every 1000/perSecond ms, sent whether or not the last one answered.
    const files = await Promise.all(families.map(async (f) => ({ f, values: (({ id: _i, role: _r, email: _e, ...v }) => v)((await f.call('file-get', {})).body.responsable) })))
    const total = perSecond * seconds
    const sent: Promise<void>[] = []
    const t0 = Date.now()
    for (let i = 0; i < total; i++) {
      const wait = t0 + (i * 1000) / perSecond - Date.now()
      if (wait > 0) await new Promise((r) => setTimeout(r, wait))
      const { f, values } = files[i % files.length]
      const start = Date.now()
      sent.push(
        f.call('file-request-change', { section: 'responsable', values: { ...values, phoneMobile: `06${String(10_000_000 + i).slice(-8)}` } }).then((r) => {
          if (r.status !== 200) throw new Error(`${r.status} ${JSON.stringify(r.body)}`)
          answers.push(Date.now() - start)
        })
      )
    }
    await Promise.all(sent)
    await new Promise((r) => setTimeout(r, 1500))
    console.log(`${desks} desks listening, ${total} requests filed at ${perSecond}/s over ${seconds} s`)
    printRow('request answer (inject)', answers)
    printRow('commit → desk (SSE)', delays, `${delays.length} events received (${(delays.length / desks).toFixed(0)} per desk)`)
    const counts = [...received.values()]
    console.log(`requests heard by every desk: ${counts.filter((c) => c === desks).length}/${total}; heard twice by one desk: ${counts.filter((c) => c > desks).length}`)
    for (const s of streams) s.close()
  } finally {
    await staffApp.close()
    await portalApp.close()
    await core.close()
    rmSync(dataDir, { recursive: true, force: true })
  }
}

void main()
