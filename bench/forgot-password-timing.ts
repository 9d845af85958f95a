/**
 * « Mot de passe oublié »: does the answer take longer for a login that
 * exists? Interleaves requests for an existing and an unknown login in random
 * order through the real portal app (inject: the whole route — CSRF check,
 * rate limit, zod, handler), and prints both distributions of the answer
 * time, their medians' difference, and how often the existing login was the
 * slower of a pair (≈ 50 % when the answer says nothing; the issue measured
 * 28 out of 30 before the work moved after the answer).
 *
 * The work done after the answer (finding the account, token, e-mail in the
 * outbox) is timed apart: it is where the difference went. Since it runs on
 * the same event loop, a request sent right behind could feel it; the third
 * pair of rows times such a probe (auth-session) sent as soon as the answer
 * arrives. Both paths commit one write (the per-identifier request count), so
 * the probe should not tell them apart either.
 *
 *   npx tsx --tsconfig tsconfig.node.json bench/forgot-password-timing.ts [pairs=300]
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openCore } from '../src-main/core/app-core'
import { buildPortalApp } from '../src-main/server/portal-app'
import { seedFamily } from '../test/helpers/core'
import { client } from '../test/helpers/http'
import { printRow, time } from './lib'
import { stats } from './measure'

async function main() {
  const pairs = Number(process.argv[2] ?? 300)
  const dataDir = mkdtempSync(join(tmpdir(), 'ribambelle-bench-forgot-'))
  const core = await openCore({ dataDir, log: () => {} })
  const app = await buildPortalApp(core)
  try {
    const family = await seedFamily(core)
    const logins = { existing: family.login, unknown: 'personne.inconnue@exemple.fr' }
    const answer: Record<keyof typeof logins, number[]> = { existing: [], unknown: [] }
    const after: Record<keyof typeof logins, number[]> = { existing: [], unknown: [] }
    const probe: Record<keyof typeof logins, number[]> = { existing: [], unknown: [] }
    let existingSlower = 0
    for (let i = 0; i < pairs; i++) {
      const order: (keyof typeof logins)[] = Math.random() < 0.5 ? ['existing', 'unknown'] : ['unknown', 'existing']
      const pair: Record<string, number> = {}
      for (const which of order) {
        // Not timed: the reset limit (3 an hour) would otherwise skip the work from the 4th request on.
        await core.ds.query('DELETE FROM password_token')
        await core.ds.query('DELETE FROM login_throttle')
        await core.ds.query('DELETE FROM outbox_mail')
        const c = await client(app, 'portal') // its own address: the per-IP limit (10/min) is not what is measured
        const csrf = await c.csrfToken()
        const [ms, r] = await time(() => c.call('auth-forgot-password', { login: logins[which] }, { csrf }))
        if (r.status !== 200) throw new Error(`${which}: ${r.status} ${JSON.stringify(r.body)}`)
        answer[which].push(ms)
        pair[which] = ms
        after[which].push((await time(() => core.deferred.idle()))[0])
        // Not timed: the work really happened on the existing path only (a reset link written).
        const links = Number((await core.ds.query('SELECT COUNT(*) AS n FROM password_token'))[0].n)
        if (links !== (which === 'existing' ? 1 : 0)) throw new Error(`${which}: ${links} reset link(s) written`)
        // Same request again, then a probe right behind it while the work runs.
        await core.ds.query('DELETE FROM password_token')
        await core.ds.query('DELETE FROM login_throttle')
        await c.call('auth-forgot-password', { login: logins[which] }, { csrf })
        probe[which].push((await time(() => c.call('auth-session', {})))[0])
        await core.deferred.idle()
      }
      if (pair.existing > pair.unknown) existingSlower++
    }
    console.log(`${pairs} interleaved pairs (random order in each pair); a reset link was written for every existing-login request only`)
    printRow('answer, existing login', answer.existing)
    printRow('answer, unknown login', answer.unknown)
    const d = stats(answer.existing).median - stats(answer.unknown).median
    console.log(`median difference (existing − unknown): ${(d * 1000).toFixed(0)} µs; existing slower in ${existingSlower} of ${pairs} pairs (${((100 * existingSlower) / pairs).toFixed(0)} %)`)
    printRow('work after the answer, existing', after.existing)
    printRow('work after the answer, unknown', after.unknown)
    printRow('probe right behind, existing', probe.existing)
    printRow('probe right behind, unknown', probe.unknown)
  } finally {
    await app.close()
    await core.close()
    rmSync(dataDir, { recursive: true, force: true })
  }
}

main().catch((e) => {
  console.error(e)
  process.exit(1)
})
