import { ref } from 'vue'
import { call } from '../../api'
import { liveStatus, onLive } from '../../live'

/**
 * The validation queues' counters in the side menu: pending family requests
 * (« File de validation ») and pending reservation/absence lines
 * (« Réservations à valider »). They follow the live stream, so another
 * desk's decision or a family's new request shows within a second; without a
 * stream (stream down, not yet open) they are polled.
 */
export const pendingRequests = ref(0)
export const pendingBookingLines = ref(0)

let started = false
let seq = 0

async function refresh(): Promise<void> {
  const mine = ++seq
  const [r, b] = await Promise.allSettled([
    call('requests-list', { status: 'pending', limit: 1 }),
    call('bookings-queue', { status: 'pending', limit: 1 })
  ])
  if (mine !== seq) return
  // Logged out or offline: keep the last counts.
  if (r.status === 'fulfilled') pendingRequests.value = r.value.total
  if (b.status === 'fulfilled') pendingBookingLines.value = b.value.total
}

function watchCounters(): void {
  if (started) return
  started = true
  void refresh()
  let timer: ReturnType<typeof setTimeout> | null = null
  onLive(['requests', 'bookings'], () => {
    if (timer) return
    timer = setTimeout(() => {
      timer = null
      void refresh()
    }, 100)
  })
  setInterval(() => {
    if (liveStatus.value !== 'open') void refresh()
  }, 60_000)
}

/** Side menu badge of « File de validation ». */
export function requestsBadge(): number {
  watchCounters()
  return pendingRequests.value
}

/** Side menu badge of « Réservations à valider ». */
export function bookingLinesBadge(): number {
  watchCounters()
  return pendingBookingLines.value
}

/** After this desk decided something: the counters at once, without waiting for the stream. */
export const refreshCounters = refresh
