import { computed, onMounted, ref } from 'vue'
import { addDays, addMonths, dayRange, frDay, frMonth, lastDayOfMonth, mondayOf } from '@shared/bookings/days'
import { parisToday } from '@shared/format'
import { call } from '../api'
import { useIsPhone } from '../media'
import { dayLabel } from './planning-state'

export type View = 'mois' | 'quinzaine' | 'semaine'

/**
 * Which days the planning shows: a month, a fortnight or a week on a
 * computer, one day on a phone; the arrows; and where it opens — the first
 * month with something to book (the server knows the deadlines), not a month
 * whose every deadline has passed.
 */
export function usePlanningView() {
  const view = ref<View>('mois')
  const anchor = ref('')
  // Phones show one day at a time (003).
  const phone = useIsPhone()

  const range = computed(() => {
    if (!anchor.value) return null
    if (phone.value || view.value === 'mois') {
      const month = anchor.value.slice(0, 7)
      return { from: `${month}-01`, to: lastDayOfMonth(month) }
    }
    const from = mondayOf(anchor.value)
    return { from, to: addDays(from, view.value === 'quinzaine' ? 13 : 6) }
  })
  const days = computed(() => (range.value ? dayRange(range.value.from, range.value.to) : []))
  const title = computed(() => {
    if (!range.value) return ''
    if (phone.value) return dayLabel(anchor.value, true)
    if (view.value === 'mois') return frMonth(anchor.value.slice(0, 7))
    return `du ${frDay(range.value.from)} au ${frDay(range.value.to)}`
  })
  const unit = computed(() => (phone.value ? 'Jour' : view.value === 'mois' ? 'Mois' : 'Période'))

  function move(delta: number) {
    if (phone.value) anchor.value = addDays(anchor.value, delta)
    else if (view.value === 'mois') anchor.value = `${addMonths(anchor.value.slice(0, 7), delta)}-01`
    else anchor.value = addDays(mondayOf(anchor.value), delta * (view.value === 'quinzaine' ? 14 : 7))
  }
  /** Phone: the first day of the previous or next month. */
  function moveMonth(delta: number) {
    anchor.value = `${addMonths(anchor.value.slice(0, 7), delta)}-01`
  }

  onMounted(async () => {
    let start: string | null = null
    try {
      start = (await call('bookings-first-bookable', {})).day
    } catch {
      // The planning itself reports a server that does not answer.
    }
    const today = parisToday()
    // Nothing to book within a year: today's day (phone) or month (computer), where the family sees its bookings.
    anchor.value = phone.value ? (start ?? today) : `${(start ?? today).slice(0, 7)}-01`
  })

  return { view, anchor, phone, range, days, title, unit, move, moveMonth }
}

export type PlanningView = ReturnType<typeof usePlanningView>
