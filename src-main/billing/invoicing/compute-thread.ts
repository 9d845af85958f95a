/**
 * The main thread's side of compute-worker.ts: one worker thread per run,
 * asked for chunks of families, answering with their drafts in order. Asking
 * for the next chunk before writing the current one keeps the worker busy
 * while the main thread writes.
 */
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { Worker } from 'node:worker_threads'
import type { RunDraft, ComputeOptions } from './compute'
import type { ComputeReply, ComputeWorkerData } from './compute-worker'

/** The built worker (out/main/compute-worker.js, beside this code or one folder up), else the source through its tsx bootstrap. */
function workerFile(): string {
  const built = [join(__dirname, 'compute-worker.js'), join(__dirname, '..', 'compute-worker.js')].find((f) => existsSync(f))
  return built ?? join(__dirname, 'compute-worker-dev.cjs')
}

/**
 * The worker's V8 heap (#19: the run's peak RSS under 500 MB). What it keeps is small (the run's context: tariffs,
 * quotients, credits — a few MB at 20,000 families); what it allocates is one chunk's rows and drafts, dropped
 * after each chunk. V8's default young generation (up to 3 × 16 MB semi-spaces) filled with them and stayed
 * reserved; 8 MB costs a little more scavenging. The old generation's cap turns a runaway into a failed run (the
 * worker stops, the chunk's promise rejects, nothing is published and « Émettre » resumes) instead of a process
 * eating the PC's memory.
 */
export const COMPUTE_LIMITS = { maxYoungGenerationSizeMb: 8, maxOldGenerationSizeMb: 256 }

export class ComputeThread {
  private readonly worker: Worker
  private readonly waiting = new Map<number, { resolve: (d: RunDraft) => void; reject: (e: Error) => void }>()
  private next = 1
  private failure: Error | null = null
  /** The most the worker's V8 heap has reserved so far, in bytes. */
  peakHeap = 0

  constructor(dbFile: string, opts: ComputeOptions) {
    const data: ComputeWorkerData = { file: dbFile, opts: { regieId: opts.regieId, month: opts.month, settings: opts.settings } }
    this.worker = new Worker(workerFile(), { workerData: data, resourceLimits: COMPUTE_LIMITS })
    // It must not keep the process alive once the run is over (a run that threw before close()).
    this.worker.unref()
    this.worker.on('message', (m: ComputeReply) => {
      const w = this.waiting.get(m.id)
      if (!w) return
      this.waiting.delete(m.id)
      if ('error' in m) w.reject(new Error(`Calcul des factures (fil de calcul) : ${m.error}`))
      else {
        this.peakHeap = Math.max(this.peakHeap, m.heap)
        w.resolve(m.draft)
      }
    })
    const fail = (e: Error) => {
      this.failure = e
      for (const w of this.waiting.values()) w.reject(e)
      this.waiting.clear()
    }
    this.worker.on('error', fail)
    this.worker.on('exit', (code) => fail(new Error(`le fil de calcul des factures s’est arrêté (code ${code})`)))
  }

  /** The drafts of these families, computed on the worker's connection. */
  compute(familyIds: number[]): Promise<RunDraft> {
    if (this.failure) return Promise.reject(this.failure)
    const id = this.next++
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject })
      this.worker.postMessage({ id, familyIds })
    })
  }

  async close(): Promise<void> {
    this.failure ??= new Error('fil de calcul fermé')
    await this.worker.terminate()
  }
}
