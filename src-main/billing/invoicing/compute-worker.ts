/**
 * The invoicing run's computation thread (#19): prices chunks of families on
 * its own read-only connection, so the main thread — the portal's event loop —
 * only writes what comes back, in short transactions (staging.ts). WAL lets
 * this connection read while the main one writes; each chunk is read in one
 * read transaction, a consistent snapshot. Whatever changes between that
 * snapshot and the chunk's write is logged by the triggers of migration 0021
 * and restaged on the main connection.
 */
import { constants, setPriority } from 'node:os'
import { getHeapStatistics } from 'node:v8'
import { parentPort, workerData } from 'node:worker_threads'
import { openReader } from '../../db/reader'
import { computeRun, loadRunContext, type ComputeOptions, type RunContext } from './compute'

export interface ComputeWorkerData {
  file: string
  opts: ComputeOptions
}

export type ComputeRequest = { id: number; familyIds: number[] }
/** `heap`: the bytes this thread's V8 heap reserves after the chunk (the bench's memory by phase). */
export type ComputeReply = { id: number; draft: ReturnType<typeof computeRun>; heap: number } | { id: number; error: string }

const { file, opts } = workerData as ComputeWorkerData
// Below the main thread (#19): on a 2-core PC the pricing took a core and the main thread — which answers the
// portal and writes the chunks — shared the other with everything else, so a « Terminer » waited for CPU. On Linux
// the nice value is per thread and setPriority(0, …) applies to the calling thread only; elsewhere (Windows: the
// whole process's class) it is left alone. The run then goes as fast as the portal leaves it.
if (process.platform === 'linux') {
  try {
    setPriority(0, constants.priority.PRIORITY_BELOW_NORMAL)
  } catch {
    // A sandbox that forbids it: the run works the same, the portal less smoothly.
  }
}
const db = openReader(file)
let ctx: RunContext | null = null
// One read transaction per chunk: the queries of computeRun see the same commit.
const computeChunk = db.transaction((familyIds: number[]) => {
  ctx ??= loadRunContext(db, opts)
  return computeRun(db, { ...opts, familyIds }, ctx)
})

parentPort!.on('message', (m: ComputeRequest) => {
  let reply: ComputeReply
  try {
    reply = { id: m.id, draft: computeChunk(m.familyIds), heap: getHeapStatistics().total_heap_size }
  } catch (e) {
    reply = { id: m.id, error: (e as Error).stack ?? String(e) }
  }
  parentPort!.postMessage(reply)
})
