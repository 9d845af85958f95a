import { TZDate } from '@date-fns/tz'
import { format } from 'date-fns'
import { PARIS } from '../core/clock'

/** HH:mm of an instant in Paris (units start and end at Paris wall-clock times). */
export function parisTime(d: Date): string {
  return format(new TZDate(d, PARIS), 'HH:mm')
}
