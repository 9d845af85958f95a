/**
 * The pool of PDF worker threads (piscina): one per core, started as a batch
 * starts (warmPdfPool) and stopped when idle. Batch PDFs of a run are rendered there (#19:
 * ≥ 100 invoices/s on 2 cores); single PDFs a person asks for stay in the main
 * thread, where starting a worker would cost more than the render.
 */
import { existsSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { join } from 'node:path'
import Piscina from 'piscina'
import type { PdfTask } from './pdf-worker'

let pool: Piscina | null = null

/**
 * The built worker (out/main/pdf-worker.js: this code lands in out/main or in
 * out/main/chunks), else the TypeScript source through its tsx bootstrap.
 */
function workerFile(): string {
  if (process.env.RIBAMBELLE_PDF_WORKER) return process.env.RIBAMBELLE_PDF_WORKER // the bench, on the built worker
  const built = [join(__dirname, 'pdf-worker.js'), join(__dirname, '..', 'pdf-worker.js')].find((f) => existsSync(f))
  return built ?? join(__dirname, 'pdf-worker-dev.cjs')
}

function getPool(): Piscina {
  // V8's default heap sizes (bench/README.md, #19): a young generation of 8 or 16 MB cost 15–25 % more CPU per
  // invoice, 48 or 96 MB saved nothing; an old generation capped at 64–128 MB halves the threads' RSS for +10–15 %
  // of CPU, but the merge of a city's print file runs out of memory under 96 MB. So no resourceLimits.
  pool ??= new Piscina({ filename: workerFile(), name: 'render', minThreads: 0, maxThreads: threads, idleTimeout: 30_000 })
  return pool
}

/**
 * Starts every thread now, each loading its code and parsing its fonts, while the batch reads its invoices: a
 * worker takes tens of milliseconds to start from the built bundle (over a second through tsx), which the first
 * tasks would otherwise wait for one thread at a time.
 */
export function warmPdfPool(): void {
  const p = getPool()
  for (let i = p.threads.length; i < threads; i++) p.run({ kind: 'warm' } satisfies PdfTask).catch(() => {})
}

let threads = Math.max(1, Math.min(4, availableParallelism()))
export const pdfThreads = () => threads

/** How many threads the next pool starts (benchmark: 1 then 2); call before the first batch or after closePdfPool. */
export function setPdfThreads(n: number): void {
  threads = Math.max(1, n)
}

let rendered = 0

/**
 * The task's PDFs (one per invoice, or one part of the print file, or the print file merged from its parts),
 * made in a worker thread. A merge's parts are moved there, not copied: the caller no longer reads them.
 */
export async function renderInWorker(task: PdfTask): Promise<Buffer[]> {
  const transferList = task.kind === 'merge' ? [...new Set(task.parts.map((p) => p.buffer as ArrayBuffer))] : undefined
  const pdfs: Uint8Array[] = await getPool().run(task, { transferList })
  if (task.kind !== 'merge') rendered += pdfs.length
  return pdfs.map((b) => Buffer.from(b.buffer, b.byteOffset, b.byteLength))
}

/** PDFs the worker threads have rendered since the pool started (tests check the batch went through them). */
export const workerRenders = () => rendered

/** Stops the threads (tests, shutdown). */
export async function closePdfPool(): Promise<void> {
  const p = pool
  pool = null
  rendered = 0
  await p?.destroy()
}
