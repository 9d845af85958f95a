import { computed, nextTick, reactive, ref, type Ref } from 'vue'
import type { PlanningCellDto, PlanningDto, PlanningLineDto } from '@shared/contract/bookings-shapes'
import { CELL_LABELS, type CellState } from '@shared/bookings/state-machine'
import { WEEKDAY_LONG, MONTHS, isoWeekday } from '@shared/bookings/days'

export type Op = 'add' | 'remove'
export const cellKey = (childId: number, unitId: number, day: string) => `${childId}:${unitId}:${day}`

/** "mardi 5 janvier", or "mardi 5 janvier 2027" with the year. */
export function dayLabel(day: string, withYear = false): string {
  const base = `${WEEKDAY_LONG[isoWeekday(day)].toLowerCase()} ${Number(day.slice(8, 10))} ${MONTHS[Number(day.slice(5, 7)) - 1]}`
  return withYear ? `${base} ${day.slice(0, 4)}` : base
}

export interface CellRef {
  line: PlanningLineDto
  cell: PlanningCellDto
  childName: string
}

/**
 * The icon of a button whose request is running. PrimeVue's `loading` disables the button, and Chromium then drops
 * focus to <body> until the page moves it: the « Terminer » buttons keep focus and show a spinner instead (the page
 * ignores a second press while busy).
 */
export const busyIcon = (busy: boolean, icon: string) => (busy ? 'pi pi-spin pi-spinner' : icon)

/** « 3 modifications en cours », as the live region and the « Terminer » buttons say it. */
export function pendingText(n: number): string {
  return n === 0 ? 'Aucune modification en cours' : `${n} modification${n > 1 ? 's' : ''} en cours`
}

/**
 * The planning as loaded, indexed by cell, plus the staged ticks of
 * "Modifier" (nothing is sent before "Terminer les modifications"), and the
 * sentence the page's polite live region reads after each tick (RGAA 7.5).
 */
export function usePlanningState(planning: Ref<PlanningDto | null>) {
  const staged = reactive(new Map<string, Op>())
  const editing = ref(false)
  const announcement = ref('')

  const index = computed(() => {
    const m = new Map<string, CellRef>()
    for (const child of planning.value?.children ?? []) {
      for (const line of child.lines) for (const cell of line.cells) m.set(cellKey(child.childId, line.unitId, cell.day), { line, cell, childName: child.firstName })
    }
    return m
  })
  /** The view spans two years (a week from 28 December): every day then says its year. */
  const crossesYear = computed(() => !!planning.value && planning.value.from.slice(0, 4) !== planning.value.to.slice(0, 4))
  const dayName = (day: string) => dayLabel(day, crossesYear.value)

  function cellAt(childId: number, unitId: number, day: string): CellRef | null {
    return index.value.get(cellKey(childId, unitId, day)) ?? null
  }

  /** What the cell shows once the staged change is applied (a tick shows as a request, an untick as freed). */
  function shownState(ref: CellRef): CellState {
    const op = staged.get(cellKey(ref.line.childId, ref.line.unitId, ref.cell.day))
    if (!op) return ref.cell.cell
    if (op === 'add') return ref.cell.cell === 'DA' ? 'R' : 'DR'
    return ref.cell.cell === 'DR' ? 'libre' : 'DA'
  }

  /** Says `text` in the live region, even when it is the same sentence as last time. */
  function announce(text: string): void {
    announcement.value = ''
    void nextTick(() => (announcement.value = text))
  }

  /** Stages or unstages one cell; returns what happened, or null when the cell cannot change. */
  function stage(ref: CellRef, exclusions: [number, number][]): 'staged' | 'unstaged' | null {
    const k = cellKey(ref.line.childId, ref.line.unitId, ref.cell.day)
    if (staged.has(k)) {
      staged.delete(k)
      return 'unstaged'
    }
    if (ref.cell.canAdd) {
      staged.set(k, 'add')
      // Exclusive units ("avec repas" / "sans repas"): ticking one unticks a staged other.
      for (const [a, b] of exclusions) {
        const other = a === ref.line.unitId ? b : b === ref.line.unitId ? a : null
        if (other !== null) staged.delete(cellKey(ref.line.childId, other, ref.cell.day))
      }
      return 'staged'
    }
    if (ref.cell.canRemove) {
      staged.set(k, 'remove')
      return 'staged'
    }
    return null
  }

  function toggle(ref: CellRef, exclusions: [number, number][]): void {
    if (stage(ref, exclusions) === null) return
    announce(`${cellAria(ref)}. ${pendingText(staged.size)}.`)
  }

  /** The cells of a line, within `days`, that « Tout cocher » would tick (free and bookable). */
  function tickable(line: PlanningLineDto, days: Set<string>): PlanningCellDto[] {
    return line.cells.filter((c) => days.has(c.day) && c.canAdd)
  }
  /** Every bookable day of the line is already ticked: the button then unticks them. */
  function allTicked(line: PlanningLineDto, days: Set<string>): boolean {
    const cells = tickable(line, days)
    return cells.length > 0 && cells.every((c) => staged.get(cellKey(line.childId, line.unitId, c.day)) === 'add')
  }

  /** « Tout cocher » (003): ticks every free day of one child's unit in `days`, or unticks them all when all are ticked. */
  function tickAll(line: PlanningLineDto, childName: string, days: Set<string>, exclusions: [number, number][]): void {
    const untick = allTicked(line, days)
    let n = 0
    for (const cell of tickable(line, days)) {
      const k = cellKey(line.childId, line.unitId, cell.day)
      if (untick) staged.delete(k)
      else if (!staged.has(k)) stage({ line, cell, childName }, exclusions)
      else continue
      n++
    }
    const what = `${childName} – ${line.unitName}`
    announce(`${what} : ${n} jour${n > 1 ? 's' : ''} ${untick ? `décoché${n > 1 ? 's' : ''}` : `coché${n > 1 ? 's' : ''}`}. ${pendingText(staged.size)}.`)
  }

  const changes = computed(() =>
    [...staged.entries()].map(([k, op]) => {
      const [childId, unitId, day] = k.split(':')
      return { childId: Number(childId), unitId: Number(unitId), day, op }
    })
  )

  function cellAria(ref: CellRef): string {
    const st = shownState(ref)
    const staging = staged.get(cellKey(ref.line.childId, ref.line.unitId, ref.cell.day))
    const what = staging === 'add' ? ' (ajout en cours de saisie)' : staging === 'remove' ? ' (retrait en cours de saisie)' : ''
    const late = ref.cell.lateCancel && ref.cell.cell === 'R' ? ', annulation hors délai : facturée' : ''
    return `${ref.childName} – ${ref.line.unitName} – ${dayName(ref.cell.day)} : ${CELL_LABELS[st].label}${what}${late}`
  }

  return { staged, editing, index, announcement, announce, dayName, cellAt, shownState, toggle, tickable, allTicked, tickAll, changes, cellAria }
}

export type PlanningState = ReturnType<typeof usePlanningState>
