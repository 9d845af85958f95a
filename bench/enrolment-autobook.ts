/**
 * Accepting the ALAE enrolment of 3,000 children for a whole school year
 * (2026/2027, zone C: about 140 school days × 2 units = ~280 bookings each).
 * Accepted as the desk's bulk accept does (chunks of 100 per transaction, a savepoint each):
 * status change, request decision, audit, e-mail in the outbox and the
 * year's bookings.
 *
 *   npx tsx --tsconfig tsconfig.node.json bench/enrolment-autobook.ts
 *   BENCH_CHILDREN=1000 … for a smaller run
 */
import { rmSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { SYSTEM } from '../src-main/core/actor'
import { openCore } from '../src-main/core/app-core'
import { FixedClock } from '../src-main/core/clock'
import { filePendingEnrolments, seedAutobookActivity } from './alae-year'
import { acceptEnrolments, BULK_ACCEPT_CHUNK } from '../src-main/activities/enrolment'
import { createStaffUser } from '../src-main/accounts/admin'
import { generateFamilies } from '../src-main/demo/generate'
import { createFamily } from '../src-main/families/families'
import { Structure } from '../src-main/settings/entities'
import { time } from './lib'

const CHILDREN = Number(process.env.BENCH_CHILDREN ?? 3000)
const DIR = resolve(process.env.BENCH_DATA_DIR ?? join(__dirname, '.data', 'enrolment-autobook'))

async function main() {
  rmSync(DIR, { recursive: true, force: true })
  // 25 August: the whole year is still ahead, so every opening day is booked.
  const core = await openCore({ dataDir: DIR, log: () => {}, clock: new FixedClock(new Date('2026-08-25T08:00:00Z')) })
  const now = core.clock.now().toISOString()
  await core.tx.run((m) =>
    m.save(Structure, { id: 1, name: 'Commune de Bench', address: '', postalCode: '31000', city: 'Bench', phone: '', email: 'contact@bench.fr', logo: null, siret: '', holidayZone: 'C', holidayRegion: '', portalUrl: '', updatedAt: now })
  )
  const families = generateFamilies(Math.ceil(CHILDREN / 1.4), 7)
  await core.tx.run(async (m) => {
    for (const f of families) await createFamily(m, core, SYSTEM, f)
  })
  const children: { id: number }[] = await core.ds.query('SELECT id FROM child ORDER BY id LIMIT ?', [CHILDREN])
  if (children.length < CHILDREN) throw new Error(`only ${children.length} children generated`)

  const staffId = await createStaffUser(core, SYSTEM, { login: 'bench', displayName: 'Bench', email: '', role: 'accueil', password: 'bench-password-2026', mustChangePassword: false })
  const alae = await seedAutobookActivity(core, { name: '2026/2027', startDate: '2026-09-01', endDate: '2027-07-02' })
  // Pending enrolments as families would have filed them (the benchmark measures the accept).
  filePendingEnrolments(core, alae, CHILDREN)
  const ids = (core.db.prepare('SELECT id FROM enrolment ORDER BY id').all() as { id: number }[]).map((e) => e.id)

  const actor = { kind: 'staff' as const, id: staffId, label: 'Bench', role: 'accueil' as const }
  const [ms, outcomes] = await time(() => acceptEnrolments(core, actor, ids, false))
  const validated = outcomes.filter((o) => o.outcome === 'validated').length
  const [{ n: rows }] = await core.ds.query(`SELECT COUNT(*) AS n FROM booking WHERE source = 'auto' AND state = 'R'`)
  const perChild = rows / validated
  console.log(`Children accepted : ${validated} / ${CHILDREN} (bulk accept: ${BULK_ACCEPT_CHUNK} per transaction)`)
  console.log(`Bookings created  : ${rows} (${perChild.toFixed(0)} per child: ${(perChild / 2).toFixed(0)} school days × 2 units)`)
  console.log(`Time              : ${(ms / 1000).toFixed(2)} s  (${(ms / validated).toFixed(2)} ms per child)`)
  console.log(`Throughput        : ${Math.round(rows / (ms / 1000)).toLocaleString('fr-FR')} booking rows/s`)
  await core.close()
}

main().catch((e) => {
  console.error(e)
  process.exit(1)
})
