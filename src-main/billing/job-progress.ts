/**
 * Progress of the commune-wide jobs that run inside one request (a SEPA or
 * PES V2 export of a whole run): the job sets it as it goes, the screen that
 * started it polls `billing-export-progress` meanwhile, as Facturation polls
 * the staged run while « Émettre » is pending. In memory: after a restart
 * there is no job running, and what a killed job left is in the database.
 */
export type ProgressKind = 'sepa' | 'pes'

export interface JobProgress {
  step: string
  done: number
  total: number
}

const current = new Map<string, JobProgress>()
const key = (kind: ProgressKind, regieId: number) => `${kind}:${regieId}`

export function setProgress(kind: ProgressKind, regieId: number, p: JobProgress): void {
  current.set(key(kind, regieId), p)
}

export function clearProgress(kind: ProgressKind, regieId: number): void {
  current.delete(key(kind, regieId))
}

/** Null when no such job is running in this process. */
export function progressOf(kind: ProgressKind, regieId: number): JobProgress | null {
  return current.get(key(kind, regieId)) ?? null
}
