/**
 * Light helpers shared by the benchmarks: percentiles and a CPU profile of
 * the running process. No import of the product here, so a bare baseline
 * server can use them without loading (and paying the memory of) the app.
 */
import { writeFileSync } from 'node:fs'
import { Session } from 'node:inspector'

export function stats(samplesMs: number[]) {
  const s = [...samplesMs].sort((a, b) => a - b)
  const at = (q: number) => s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)]
  return { n: s.length, min: s[0], median: at(0.5), p95: at(0.95), p99: at(0.99), max: s[s.length - 1] }
}

/** Starts the V8 CPU profiler; the returned function stops it and writes `file` (open it in Chrome DevTools). */
export async function startCpuProfile(): Promise<(file: string) => Promise<void>> {
  const session = new Session()
  session.connect()
  await new Promise((r) => session.post('Profiler.enable', () => session.post('Profiler.start', r)))
  return (file) =>
    new Promise((resolve) =>
      session.post('Profiler.stop', (_e, r) => {
        writeFileSync(file, JSON.stringify((r as { profile: unknown }).profile))
        session.disconnect()
        resolve()
      })
    )
}
