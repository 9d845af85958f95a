/**
 * Login latency through the real Fastify apps (inject: no network, but the
 * whole route — CSRF check, rate limit, zod, argon2id verify, session write,
 * audit row). Each login comes from its own client address so the per-IP
 * rate limit does not kick in.
 *
 *   npx tsx --tsconfig tsconfig.node.json bench/login-latency.ts [logins]
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openCore } from '../src-main/core/app-core'
import { hashPassword, verifyPassword } from '../src-main/accounts/passwords'
import { buildPortalApp } from '../src-main/server/portal-app'
import { buildStaffApp } from '../src-main/server/staff-app'
import { seedFamily, seedStaff } from '../test/helpers/core'
import { client } from '../test/helpers/http'
import { printRow, time } from './lib'

async function main() {
  const logins = Number(process.argv[2] ?? 50)
  const dataDir = mkdtempSync(join(tmpdir(), 'ribambelle-bench-login-'))
  const core = await openCore({ dataDir, log: () => {} })
  const staffApp = await buildStaffApp(core)
  const portalApp = await buildPortalApp(core)
  try {
    const staff = await seedStaff(core, 'accueil')
    const family = await seedFamily(core)

    const hashes: number[] = []
    const verifies: number[] = []
    const h = await hashPassword('cerf-volant-bleu-42')
    for (let i = 0; i < logins; i++) {
      hashes.push((await time(() => hashPassword('cerf-volant-bleu-42')))[0])
      verifies.push((await time(() => verifyPassword(h, 'cerf-volant-bleu-42')))[0])
    }
    console.log(`${logins} runs each`)
    printRow('argon2id hash (m=19456,t=2,p=1)', hashes)
    printRow('argon2id verify', verifies)

    const cases: [string, 'staff' | 'portal', typeof staffApp, string, string, number][] = [
      ['staff login (success)', 'staff', staffApp, staff.login, staff.password, 200],
      ['staff login (wrong password)', 'staff', staffApp, staff.login, 'mauvais-mot-de-passe', 401],
      ['staff login (unknown login)', 'staff', staffApp, 'inconnu', 'mauvais-mot-de-passe', 401],
      ['portal login (success)', 'portal', portalApp, family.login, family.password, 200],
      ['portal login (wrong password)', 'portal', portalApp, family.login, 'mauvais-mot-de-passe', 401],
      ['portal login (unknown login)', 'portal', portalApp, 'inconnu@exemple.fr', 'mauvais-mot-de-passe', 401]
    ]
    for (const [label, side, app, login, password, expected] of cases) {
      const samples: number[] = []
      for (let i = 0; i < logins; i++) {
        // Keep the throttle (accounts/throttle.ts) out of the failure cases: they measure a plain refusal.
        if (expected !== 200) await core.ds.query('DELETE FROM login_throttle')
        const c = await client(app, side)
        const csrf = await c.csrfToken()
        const [ms, r] = await time(() => c.call('auth-login', { login, password }, { csrf }))
        if (r.status !== expected) throw new Error(`${label}: got ${r.status} ${JSON.stringify(r.body)}`)
        samples.push(ms)
      }
      printRow(label, samples)
    }
  } finally {
    await staffApp.close()
    await portalApp.close()
    await core.close()
    rmSync(dataDir, { recursive: true, force: true })
  }
}

main().catch((e) => {
  console.error(e)
  process.exit(1)
})
