import { TZDate } from '@date-fns/tz'
import { PARIS, runningClockFrom, type Clock } from './clock'
import { DomainError } from './errors'

const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/
const DAY = /^(\d{4})-(\d{2})-(\d{2})$/
export const CLOCK_EXAMPLE = '2027-01-19T08:00:00+01:00'

/**
 * "2027-01-19T08:00:00+01:00" (an instant with its offset), or "2027-01-19"
 * (8:00 in Paris that day). Anything else is refused: a zone-less time would
 * mean a different instant on each machine.
 */
export function parseClockInstant(value: string): Date {
  const day = DAY.exec(value)
  const d = day ? new TZDate(Number(day[1]), Number(day[2]) - 1, Number(day[3]), 8, 0, 0, PARIS) : INSTANT.test(value) ? new Date(value) : null
  if (!d || Number.isNaN(d.getTime()) || (day && new Date(d).toISOString().slice(0, 10) !== value)) {
    throw new DomainError('bad_clock', `Date invalide pour --clock : « ${value} ». Exemples : ${CLOCK_EXAMPLE} ou 2027-01-19.`)
  }
  return new Date(d.getTime())
}

/**
 * The `--clock <instant>` option (or RIBAMBELLE_CLOCK): the app starts on that
 * instant and its clock runs from there. Only for the demonstration (and the
 * tests, which run it): a real structure always works on today's date, since
 * deadlines, invoices and the audit trail are dated by this clock.
 */
export function clockOption(args: string[], env: Record<string, string | undefined>, demo: boolean): Clock | null {
  const i = args.indexOf('--clock')
  const value = i >= 0 ? args[i + 1] : env.RIBAMBELLE_CLOCK || undefined
  if (i >= 0 && (!value || value.startsWith('--'))) throw new DomainError('bad_clock', `--clock attend une date, par exemple ${CLOCK_EXAMPLE}.`)
  if (value === undefined) return null
  if (!demo) {
    throw new DomainError('clock_outside_demo', 'L’horloge fixée (--clock ou RIBAMBELLE_CLOCK) n’est permise qu’avec la démonstration (--demo) : une vraie structure travaille à la date du jour.')
  }
  return runningClockFrom(parseClockInstant(value))
}
