// Why: the present/absent/left marks and their offline queue are Pointage's hardest logic; kept apart from the page's layout.
import { onBeforeUnmount, ref, type Ref } from 'vue'
import { useToast } from 'primevue/usetoast'
import type { AttendanceListDto, AttendanceRowDto } from '@shared/contract/bookings-shapes'
import { ApiError, call, errorMessage } from '../../api'
import { useSessionStore } from '../../stores/session'
import { personName } from '@shared/names'
import { flushMarks, online, queueMark, queuedMarks, waiting, type MarkStatus } from './offline-marks'

/** Marks for the list shown: sent at once online, kept on the tablet offline, sent when the network is back (`load` reads the list again). */
export function useAttendanceMarks(list: Ref<AttendanceListDto | null>, load: () => Promise<void>) {
  const toast = useToast()
  const session = useSessionStore()
  const userId = () => session.user?.id ?? 0
  /** Bookings with a mark made offline and not yet sent. */
  const unsent = ref<Record<number, boolean>>({})
  const pending = ref<Record<number, boolean>>({})

  // Back online: the waiting marks go, oldest first, then the list is read again from the server.
  async function sendWaiting() {
    const n = await flushMarks(userId())
    if (n) toast.add({ severity: 'success', summary: `${n} pointage${n > 1 ? 's' : ''} envoyé${n > 1 ? 's' : ''}`, life: 4000 })
    await load()
  }
  const onOnline = () => void sendWaiting()
  window.addEventListener('online', onOnline)
  onBeforeUnmount(() => window.removeEventListener('online', onOnline))

  /** The rows as the tablet sees them: the server's list with the marks made offline and not yet sent on top. */
  async function withUnsent(l: AttendanceListDto): Promise<AttendanceListDto> {
    const marks = await queuedMarks(userId())
    const rowsById = new Map(l.rows.map((r) => [r.bookingId, { ...r }]))
    unsent.value = {}
    for (const m of marks) {
      const r = rowsById.get(m.bookingId)
      if (!r) continue
      applyLocally(r, m.status, m.markedAt)
      unsent.value[m.bookingId] = true
    }
    return { ...l, rows: l.rows.map((r) => rowsById.get(r.bookingId)!) }
  }

  function applyLocally(r: AttendanceRowDto, status: MarkStatus, at: string) {
    if (status === 'present') Object.assign(r, { state: 'PRESENT', arrivedAt: r.state === 'PRESENT' ? r.arrivedAt : at, leftAt: null })
    else if (status === 'absent') Object.assign(r, { state: 'ABSENT', arrivedAt: null, leftAt: null })
    else if (status === 'left') r.leftAt = at
    else Object.assign(r, { state: 'R', arrivedAt: null, leftAt: null })
    r.markedAt = at
    r.markedBy = session.user?.displayName ?? null
  }

  async function mark(r: AttendanceRowDto, status: MarkStatus) {
    pending.value[r.bookingId] = true
    const markedAt = new Date().toISOString()
    try {
      // Offline, or marks still waiting (they must reach the server first, in order): kept on the tablet.
      if (!online.value || waiting.value) return await keepOffline(r, status, markedAt)
      const out = await call('attendance-mark', { bookingId: r.bookingId, status })
      if (out.state === 'CANCELLED') list.value!.rows = list.value!.rows.filter((x) => x.bookingId !== r.bookingId)
      else Object.assign(r, { state: out.state as AttendanceRowDto['state'], arrivedAt: out.arrivedAt, leftAt: out.leftAt, markedAt: out.markedAt, markedBy: out.markedBy })
    } catch (e) {
      if (e instanceof ApiError && e.status === 0) {
        online.value = false
        await keepOffline(r, status, markedAt)
      } else toast.add({ severity: 'error', summary: 'Pointage impossible', detail: errorMessage(e), life: 8000 })
    } finally {
      pending.value[r.bookingId] = false
    }
  }

  async function keepOffline(r: AttendanceRowDto, status: MarkStatus, markedAt: string) {
    if (r.walkIn && status === 'reset') {
      toast.add({ severity: 'warn', summary: 'Hors connexion', detail: 'Un enfant ajouté sans réservation ne peut être retiré qu’avec le réseau.', life: 8000 })
      return
    }
    await queueMark({ userId: userId(), bookingId: r.bookingId, status, markedAt, child: personName(r.lastName, r.firstName) })
    applyLocally(r, status, markedAt)
    unsent.value[r.bookingId] = true
    // Back online meanwhile (the mark was queued behind others): send now.
    if (online.value) void sendWaiting()
  }

  return { unsent, pending, mark, withUnsent, sendWaiting }
}
