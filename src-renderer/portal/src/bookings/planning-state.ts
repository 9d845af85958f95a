import { computed, reactive, ref, type Ref } from 'vue'
import type { PlanningCellDto, PlanningDto, PlanningLineDto } from '@shared/contract/bookings-shapes'
import { CELL_LABELS, type CellState } from '@shared/bookings/state-machine'
import { WEEKDAY_LONG, MONTHS, isoWeekday } from '@shared/bookings/days'

export type Op = 'add' | 'remove'
export const cellKey = (childId: number, unitId: number, day: string) => `${childId}:${unitId}:${day}`

/** "mardi 5 janvier" */
export function dayLabel(day: string): string {
  return `${WEEKDAY_LONG[isoWeekday(day)].toLowerCase()} ${Number(day.slice(8, 10))} ${MONTHS[Number(day.slice(5, 7)) - 1]}`
}

export interface CellRef {
  line: PlanningLineDto
  cell: PlanningCellDto
  childName: string
}

/**
 * The planning as loaded, indexed by cell, plus the staged ticks of
 * "Modifier" (nothing is sent before "Terminer les modifications").
 */
export function usePlanningState(planning: Ref<PlanningDto | null>) {
  const staged = reactive(new Map<string, Op>())
  const editing = ref(false)

  const index = computed(() => {
    const m = new Map<string, CellRef>()
    for (const child of planning.value?.children ?? []) {
      for (const line of child.lines) for (const cell of line.cells) m.set(cellKey(child.childId, line.unitId, cell.day), { line, cell, childName: child.firstName })
    }
    return m
  })

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

  function toggle(ref: CellRef, exclusions: [number, number][]): void {
    const k = cellKey(ref.line.childId, ref.line.unitId, ref.cell.day)
    if (staged.has(k)) {
      staged.delete(k)
      return
    }
    if (ref.cell.canAdd) {
      staged.set(k, 'add')
      // Exclusive units ("avec repas" / "sans repas"): ticking one unticks a staged other.
      for (const [a, b] of exclusions) {
        const other = a === ref.line.unitId ? b : b === ref.line.unitId ? a : null
        if (other !== null) staged.delete(cellKey(ref.line.childId, other, ref.cell.day))
      }
    } else if (ref.cell.canRemove) staged.set(k, 'remove')
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
    return `${ref.childName} – ${ref.line.unitName} – ${dayLabel(ref.cell.day)} : ${CELL_LABELS[st].label}${what}${late}`
  }

  return { staged, editing, index, cellAt, shownState, toggle, changes, cellAria }
}

export type PlanningState = ReturnType<typeof usePlanningState>
