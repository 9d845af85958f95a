// Why: on a tablet, Pointage opens by group; which group is picked and each tile's figures are kept apart from the page.
import { computed, ref, type Ref } from 'vue'
import type { AttendanceListDto } from '@shared/contract/bookings-shapes'

/**
 * On a tablet (a touch screen), Pointage opens by group: big tiles with each group's children and those still to
 * mark, then that group's children. The choice filters the list already loaded (kept offline), not the server query.
 */
export function useGroupTiles(list: Ref<AttendanceListDto | null>, groupId: Ref<number | null>) {
  const onTablet = typeof matchMedia === 'function' && matchMedia('(pointer: coarse)').matches
  /** The tablet's group: null before a choice, 'all', a group id, or 0 for the children of no group. */
  const pickedGroup = ref<number | 'all' | null>(null)
  const groupTiles = computed(() => {
    const l = list.value
    if (!l) return []
    const tiles = [...l.groups.map((g) => ({ id: g.id as number, name: g.name })), { id: 0, name: 'Sans groupe' }].map((g) => {
      const of = l.rows.filter((r) => (r.groupId ?? 0) === g.id)
      return { ...g, children: of.length, todo: of.filter((r) => r.state === 'R' || r.state === 'DA').length, present: of.filter((r) => r.state === 'PRESENT' && !r.leftAt).length }
    })
    return tiles.filter((t) => t.children > 0)
  })
  const showGroups = computed(() => onTablet && pickedGroup.value === null && groupId.value === null && groupTiles.value.length > 1)
  const pickedName = computed(() => (typeof pickedGroup.value === 'number' ? groupTiles.value.find((g) => g.id === pickedGroup.value)?.name ?? '' : ''))
  return { onTablet, pickedGroup, groupTiles, showGroups, pickedName }
}

export type GroupTile = ReturnType<typeof useGroupTiles>['groupTiles']['value'][number]
