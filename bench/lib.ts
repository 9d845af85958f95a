/** Shared bits of the benchmarks: timing statistics and the 20,000-family database. */
import { existsSync, rmSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { performance } from 'node:perf_hooks'
import { SYSTEM } from '../src-main/core/actor'
import { corePaths, openCore, type Core } from '../src-main/core/app-core'
import { generateFamilies } from '../src-main/demo/generate'
import { createFamily } from '../src-main/families/families'
import { stats } from './measure'

/** Where the generated database lives (ignored by git: `.data/`). Override with BENCH_DATA_DIR. */
export const BENCH_DIR = resolve(process.env.BENCH_DATA_DIR ?? join(__dirname, '.data', 'families-20k'))
export const FAMILY_COUNT = Number(process.env.BENCH_FAMILIES ?? 20_000)

export const fmt = (ms: number) => ms.toFixed(ms < 10 ? 2 : 1).padStart(7)

export function printRow(label: string, samples: number[], extra = ''): void {
  const r = stats(samples)
  console.log(`${label.padEnd(34)} median ${fmt(r.median)} ms   p95 ${fmt(r.p95)} ms   min ${fmt(r.min)}   max ${fmt(r.max)}   n=${r.n} ${extra}`)
}

export async function time<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const t0 = performance.now()
  const v = await fn()
  return [performance.now() - t0, v]
}

/** Creates `count` generated families in a fresh data directory, in one transaction. Returns the seconds taken. */
export async function seedFamilies(dataDir = BENCH_DIR, count = FAMILY_COUNT): Promise<{ core: Core; seconds: number; generateSeconds: number }> {
  rmSync(dataDir, { recursive: true, force: true })
  const core = await openCore({ dataDir, log: () => {} })
  const [genMs, families] = await time(async () => generateFamilies(count, 42))
  const [ms] = await time(() =>
    core.tx.run(async (m) => {
      for (const f of families) await createFamily(m, core, SYSTEM, f)
    })
  )
  return { core, seconds: ms / 1000, generateSeconds: genMs / 1000 }
}

/** Opens the benchmark database, seeding it first when it does not exist. */
export async function openBenchCore(): Promise<Core> {
  if (existsSync(corePaths(BENCH_DIR).dbFile)) return openCore({ dataDir: BENCH_DIR, log: () => {} })
  console.log(`No database in ${BENCH_DIR}: seeding ${FAMILY_COUNT} families first…`)
  const { core, seconds } = await seedFamilies()
  console.log(`  seeded in ${seconds.toFixed(1)} s`)
  return core
}
