import { TZDate } from '@date-fns/tz'
import { format } from 'date-fns'

/** Every business day and deadline is reckoned in Paris time, whatever the machine's zone. */
export const PARIS = 'Europe/Paris'

export interface Clock {
  now(): Date
}

export const systemClock: Clock = { now: () => new Date() }

/** A clock tests can move. */
export class FixedClock implements Clock {
  constructor(private current: Date) {}
  now() {
    return new Date(this.current)
  }
  set(d: Date) {
    this.current = d
  }
  advance(ms: number) {
    this.current = new Date(this.current.getTime() + ms)
  }
}

/**
 * A clock that reads `at` when created and then runs with real time: a demo or
 * an end-to-end run "on 19 January 2027" keeps its sessions, timeouts and
 * e-mail retries working as they do on any day.
 */
export function runningClockFrom(at: Date, realNow: () => number = Date.now): Clock {
  const offset = at.getTime() - realNow()
  return { now: () => new Date(realNow() + offset) }
}

/** ISO calendar day (YYYY-MM-DD) of an instant, in Paris. */
export function parisDay(d: Date): string {
  return format(new TZDate(d, PARIS), 'yyyy-MM-dd')
}

/** "23/11/2026" for French display. */
export function frenchDate(d: Date | string): string {
  const day = typeof d === 'string' ? d.slice(0, 10) : parisDay(d)
  const [y, m, dd] = day.split('-')
  return `${dd}/${m}/${y}`
}

export function frenchDateTime(d: Date): string {
  return format(new TZDate(d, PARIS), "dd/MM/yyyy 'à' HH'h'mm")
}

/** HH:mm of an instant in Paris (units start and end at Paris wall-clock times). */
export function parisTime(d: Date): string {
  return format(new TZDate(d, PARIS), 'HH:mm')
}
