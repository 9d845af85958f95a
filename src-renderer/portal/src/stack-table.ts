import type { Directive } from 'vue'

/**
 * `v-stack-table`: on phones a table becomes one card per row, and each cell
 * shows its column's heading before its value (styles.css, `.stack-table`),
 * so no table is wider than a 320 px screen. The headings are copied from the
 * table's <thead> into each cell's `data-label` whenever the rows change;
 * headings that are only for screen readers (a « Sélection » column) and
 * cells spanning several columns get none.
 */
function headingText(th: HTMLTableCellElement): string {
  const copy = th.cloneNode(true) as HTMLElement
  copy.querySelectorAll('.sr-only').forEach((e) => e.remove())
  return (copy.textContent ?? '').replace(/\s+/g, ' ').trim()
}

function label(table: HTMLTableElement): void {
  const names: string[] = []
  for (const th of table.tHead?.rows[0]?.cells ?? []) for (let i = 0; i < th.colSpan; i++) names.push(headingText(th))
  const sections = [...table.tBodies, ...(table.tFoot ? [table.tFoot] : [])]
  for (const section of sections) {
    for (const row of section.rows) {
      let col = 0
      for (const cell of row.cells) {
        const name = cell.tagName === 'TD' && cell.colSpan === 1 ? names[col] : ''
        if (name) cell.dataset.label = name
        else delete cell.dataset.label
        col += cell.colSpan
      }
    }
  }
}

export const vStackTable: Directive<HTMLTableElement> = {
  mounted(el) {
    el.classList.add('stack-table')
    label(el)
  },
  updated: label
}

declare module 'vue' {
  interface GlobalDirectives {
    vStackTable: typeof vStackTable
  }
}
