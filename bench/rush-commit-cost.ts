/**
 * The cost of one "Terminer" without HTTP: the rush-20th data, then every
 * family's commit called in-process through `commitFamilyChanges`, one at a
 * time (each its own group-commit batch) and then all at once (batches of
 * 64, as under load). Tells the domain's share of the HTTP figure.
 *
 *   npx tsx --tsconfig tsconfig.node.json bench/rush-commit-cost.ts
 *   BENCH_PROFILE=/tmp/commit.cpuprofile …   CPU profile of the grouped part
 *   BENCH_SQL="DROP INDEX audit_at" …        weigh a schema or pragma change
 *
 * On a shared 2-vCPU machine, runs of the same code differ by up to ±40 %:
 * compare changes over several interleaved runs, never one against one.
 */
import { join, resolve } from 'node:path'
import { performance } from 'node:perf_hooks'
import { commitFamilyChanges, previewFamilyChanges } from '../src-main/bookings/commit'
import { startCpuProfile, stats } from './measure'
import { familyChanges, seedRush } from './rush-seed'

const FAMILIES = Number(process.env.BENCH_FAMILIES ?? 3000)
const DIR = resolve(process.env.BENCH_DATA_DIR ?? join(__dirname, '.data', 'rush-commit-cost'))

async function main() {
  const t0 = performance.now()
  const data = await seedRush(DIR, FAMILIES)
  console.log(`seeded ${data.families} families in ${((performance.now() - t0) / 1000).toFixed(1)} s; ${familyChanges(data, 1).length} lines per commit`)
  // BENCH_SQL: SQL run after seeding, to weigh a schema or pragma change (e.g. "DROP INDEX audit_at").
  if (process.env.BENCH_SQL) data.core.db.exec(process.env.BENCH_SQL)
  const actor = (familyId: number) => ({ kind: 'family' as const, id: familyId, familyId, label: `famille${familyId}@bench.fr` })
  const half = Math.floor(data.families / 2)
  // The judging alone (the recap of "Terminer les modifications": context, rules, capacity, prices; no write), every family.
  const judged = performance.now()
  for (let f = 1; f <= data.families; f++) await previewFamilyChanges(data.core, actor(f), familyChanges(data, f))
  const judging = (performance.now() - judged) / data.families
  // One at a time: the latency of a lone commit (its own batch, its own COMMIT and fsync).
  const lone: number[] = []
  for (let f = 1; f <= half; f++) {
    const s = performance.now()
    await commitFamilyChanges(data.core, actor(f), familyChanges(data, f))
    lone.push(performance.now() - s)
  }
  // All at once: the group commit's throughput (BENCH_PROFILE=file.cpuprofile profiles this part).
  const stopProfile = process.env.BENCH_PROFILE ? await startCpuProfile() : null
  const s = performance.now()
  const cpu0 = process.cpuUsage()
  await Promise.all(Array.from({ length: data.families - half }, (_, i) => commitFamilyChanges(data.core, actor(half + 1 + i), familyChanges(data, half + 1 + i))))
  const grouped = (performance.now() - s) / (data.families - half)
  const cpu = process.cpuUsage(cpu0)
  const cpuPer = (cpu.user + cpu.system) / 1000 / (data.families - half)
  await stopProfile?.(process.env.BENCH_PROFILE!)
  const l = stats(lone)
  console.log(`judging only (previewFamilyChanges): ${judging.toFixed(2)} ms per family (${data.families} families)`)
  console.log(`lone commit: median ${l.median.toFixed(2)} ms, p95 ${l.p95.toFixed(2)} ms (${half} commits)`)
  console.log(`grouped: ${grouped.toFixed(2)} ms per commit → ${(1000 / grouped).toFixed(0)} commits/s (${data.families - half} commits); CPU ${cpuPer.toFixed(2)} ms per commit (user ${(cpu.user / 1000 / (data.families - half)).toFixed(2)}, system ${(cpu.system / 1000 / (data.families - half)).toFixed(2)})`)
  const n = (sql: string) => (data.core.db.prepare(sql).get() as { n: number }).n
  console.log(`check: ${n(`SELECT COUNT(*) AS n FROM booking WHERE state = 'R'`)} R bookings, ${n('SELECT COUNT(*) AS n FROM request')} requests, ${n('SELECT COUNT(*) AS n FROM outbox_mail')} mails`)
  await data.core.close()
}

main().catch((e) => {
  console.error(e)
  process.exit(1)
})
