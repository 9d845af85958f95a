import { openDB, type DBSchema, type IDBPDatabase } from 'idb'
import { ref } from 'vue'
import type { ActivitiesTreeDto } from '@shared/contract/activities-shapes'
import type { AttendanceListDto, AttendanceRowDto } from '@shared/contract/bookings-shapes'
import { ApiError, call } from '../../api'

/**
 * Pointage without network (issue 15 §3). In IndexedDB, on the tablet:
 * - `marks`: the marks made while offline, in order, each with the time it
 *   was made; sent when the network returns (the server keeps the latest
 *   mark by that time, and a mark sent twice counts once);
 * - `lists`: the day's lists last loaded, cut down to what is needed on the
 *   spot (allergies, PAI, diet, who may pick up, emergency phones — nothing
 *   more), and the activities to choose from.
 * The lists are per staff member, wiped at logout and after a day. A mark is
 * never dropped silently: however old, it is sent (its own time decides
 * against later marks); one the server refuses is kept, « held » with the
 * server's French reason, shown on Pointage until a staff member decides
 * (send it again, or give it up knowingly). Only its owner's logout, after a
 * warning, wipes the marks.
 */
export type MarkStatus = 'present' | 'absent' | 'left' | 'reset'

export interface QueuedMark {
  id?: number
  userId: number
  bookingId: number
  status: MarkStatus
  markedAt: string
  /** « Léa Dupont », for the message if the server refuses it. */
  child: string
  /** Set when the server refused it: why, in French. Held marks wait for a staff decision and are not sent again by themselves. */
  refusal?: string
}

interface Saved<T> {
  key: string
  userId: number
  savedAt: number
  value: T
}

interface PointageDb extends DBSchema {
  marks: { key: number; value: QueuedMark }
  lists: { key: string; value: Saved<AttendanceListDto | ActivitiesTreeDto> }
}

const MAX_AGE_MS = 24 * 3_600_000
let dbp: Promise<IDBPDatabase<PointageDb>> | null = null
const db = () =>
  (dbp ??= openDB<PointageDb>('ribambelle-pointage', 1, {
    upgrade(d) {
      d.createObjectStore('marks', { keyPath: 'id', autoIncrement: true })
      d.createObjectStore('lists', { keyPath: 'key' })
    }
  }))

/** The network as the screen knows it (the browser's events, and calls that could not reach the server). */
export const online = ref(typeof navigator === 'undefined' ? true : navigator.onLine)
/** Marks of this user waiting to be sent. */
export const waiting = ref(0)
/** Marks of this user the server refused, kept on the tablet until a staff member decides (`retryHeld`, `giveUpHeld`). */
export const held = ref<QueuedMark[]>([])

async function recount(userId: number): Promise<void> {
  const mine = (await (await db()).getAll('marks')).filter((m) => m.userId === userId)
  waiting.value = mine.filter((m) => !m.refusal).length
  held.value = mine.filter((m) => m.refusal)
}

export async function queueMark(m: QueuedMark): Promise<void> {
  await (await db()).add('marks', m)
  await recount(m.userId)
}

/** This user's marks to send (not those held after a refusal), oldest first. */
export async function queuedMarks(userId: number): Promise<QueuedMark[]> {
  return (await (await db()).getAll('marks')).filter((m) => m.userId === userId && !m.refusal)
}

let flushing: Promise<number> | null = null

/**
 * Sends this user's waiting marks, oldest first, whatever their age; stops at
 * the first that cannot reach the server (still offline) and keeps the rest.
 * A mark the server refuses (the child is no longer on the list, the month is
 * invoiced…) is kept as held, with the reason, in `held`. Resolves to the
 * number sent.
 */
export function flushMarks(userId: number): Promise<number> {
  return (flushing ??= (async () => {
    let sent = 0
    try {
      for (const m of await queuedMarks(userId)) {
        try {
          await call('attendance-mark', { bookingId: m.bookingId, status: m.status, markedAt: m.markedAt })
          sent++
        } catch (e) {
          if (e instanceof ApiError && (e.status === 0 || e.status === 401 || e.status >= 500)) {
            if (e.status === 0) online.value = false
            break
          }
          await (await db()).put('marks', { ...m, refusal: e instanceof ApiError ? e.message : 'Pointage refusé par le serveur.' })
          await recount(userId)
          continue
        }
        await (await db()).delete('marks', m.id!)
        await recount(userId)
      }
    } finally {
      flushing = null
      await recount(userId)
    }
    return sent
  })())
}

/** What is kept of a child on the tablet: what the animateur needs on the spot, nothing more. */
function onTheSpot(r: AttendanceRowDto): AttendanceRowDto {
  return { ...r, birthDate: '', grade: '', familyNumber: 0, healthNotes: '' }
}

export async function saveList(userId: number, key: string, list: AttendanceListDto): Promise<void> {
  await (await db()).put('lists', { key: `list:${key}`, userId, savedAt: Date.now(), value: { ...list, rows: list.rows.map(onTheSpot) } })
}

export async function saveTree(userId: number, tree: ActivitiesTreeDto): Promise<void> {
  await (await db()).put('lists', { key: 'tree', userId, savedAt: Date.now(), value: tree })
}

async function saved<T>(userId: number, key: string): Promise<{ savedAt: number; value: T } | null> {
  const s = await (await db()).get('lists', key)
  if (!s || s.userId !== userId || Date.now() - s.savedAt > MAX_AGE_MS) return null
  return { savedAt: s.savedAt, value: s.value as T }
}
export const savedList = (userId: number, key: string) => saved<AttendanceListDto>(userId, `list:${key}`)
export const savedTree = (userId: number) => saved<ActivitiesTreeDto>(userId, 'tree')

/**
 * Drops the lists older than a day, or another user's (at the screen's opening). Marks are never dropped here,
 * however old: they are the record of who was there, and go to the server (or wait, held, for a staff decision).
 */
export async function dropStale(userId: number): Promise<void> {
  const d = await db()
  for (const s of await d.getAll('lists')) if (s.userId !== userId || Date.now() - s.savedAt > MAX_AGE_MS) await d.delete('lists', s.key)
  await recount(userId)
}

/** A staff decision on held marks: send them again (the child was put back on the list, the month reopened…). */
export async function retryHeld(userId: number): Promise<number> {
  const d = await db()
  for (const m of held.value) await d.put('marks', { ...m, refusal: undefined })
  await recount(userId)
  return flushMarks(userId)
}

/** A staff decision on held marks: give them up, knowingly (the screen asks for confirmation first). */
export async function giveUpHeld(userId: number): Promise<void> {
  const d = await db()
  for (const m of held.value) await d.delete('marks', m.id!)
  await recount(userId)
}

/**
 * At logout: nothing of the children stays on the tablet; the user's own marks go too (the logout warned about
 * those not sent). Another user's marks, not yet sent on this shared tablet, stay for their owner.
 */
export async function wipeOffline(userId: number): Promise<void> {
  const d = await db()
  await d.clear('lists')
  for (const m of await d.getAll('marks')) if (m.userId === userId) await d.delete('marks', m.id!)
  waiting.value = 0
  held.value = []
}

if (typeof window !== 'undefined') {
  window.addEventListener('online', () => (online.value = true))
  window.addEventListener('offline', () => (online.value = false))
}
