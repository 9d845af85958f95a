import { createSSRApp, h, type Component } from 'vue'
import { renderToString } from '@vue/server-renderer'
import PrimeVue from 'primevue/config'
import Column from 'primevue/column'
import { fr } from 'primelocale/js/fr.js'
import { describe, expect, test } from 'vitest'
import ListTable from '../../src-renderer/backoffice/src/components/ListTable.vue'
import { filterRows } from '../../src-renderer/backoffice/src/components/list-table'

/**
 * The back-office's shared list (components/ListTable.vue), rendered by Vue's server renderer with PrimeVue as the
 * app installs it: the states every list must say the same way, in French, and the table's accessible name.
 */
async function render(props: Record<string, unknown>): Promise<string> {
  const app = createSSRApp({
    render: () =>
      // Props are given loosely here: each test names the ones it exercises.
      h(ListTable as Component, props, {
        default: () => [h(Column, { field: 'name', header: 'Nom', sortable: true }), h(Column, { field: 'city', header: 'Ville' })]
      })
  })
  app.use(PrimeVue, { unstyled: true, locale: fr })
  return (await renderToString(app)).replace(/<!--[^>]*-->/g, '')
}
const people = (n: number) => Array.from({ length: n }, (_, i) => ({ id: i + 1, name: i === 1 ? 'Noël Zoé' : `Enfant ${i + 1}`, city: i % 2 ? 'Muret' : 'Toulouse' }))
const text = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ')

describe('ListTable', () => {
  test('rows in a table named by its label; pages of 50 with the French report only past 50 rows', async () => {
    const few = await render({ label: 'Lots d’import', empty: 'Aucun import.', value: people(3) })
    expect(few).toMatch(/<table[^>]*aria-label="Lots d’import"/)
    expect(text(few)).toContain('Noël Zoé Muret')
    expect(few).not.toContain('paginator')
    const many = await render({ label: 'Factures', empty: 'Aucune facture.', value: people(120) })
    expect(text(many)).toContain('1 à 50 sur 120')
    expect(many.match(/data-pc-section="bodyrow"/g)).toHaveLength(50)
  })

  test('empty, loading and failed lists each say so in French; a failure never reads « Aucun… »', async () => {
    expect(text(await render({ label: 'Factures', empty: 'Aucune facture.', value: [] }))).toContain('Aucune facture.')
    const loading = await render({ label: 'Factures', empty: 'Aucune facture.', value: [], loading: true })
    expect(loading).toMatch(/<table[^>]*aria-busy="true"/)
    expect(loading).toMatch(/role="status"[^>]*>\s*Chargement…/)
    expect(text(loading)).not.toContain('Aucune facture.')
    const failed = await render({ label: 'Factures', empty: 'Aucune facture.', value: [], error: 'Le serveur ne répond pas.', retry: () => {} })
    expect(failed).toMatch(/role="alert"/)
    expect(text(failed)).toContain('Le serveur ne répond pas.')
    expect(text(failed)).toContain('Réessayer')
    expect(text(failed)).toContain('La liste n’a pas pu être chargée.')
    expect(text(failed)).not.toContain('Aucune facture.')
  })

  test('« Filtrer la liste » keeps the matching rows (accents and case ignored) and says how many', async () => {
    const html = await render({ label: 'Familles', empty: 'Aucune famille.', value: people(3), searchFields: ['name', 'city'], search: 'noel MURET', idPrefix: 'fam' })
    expect(html).toMatch(/<label for="fam-filter"[^>]*>Filtrer la liste<\/label><input type="search"[^>]*id="fam-filter"/)
    expect(text(html)).toContain('Noël Zoé Muret')
    expect(text(html)).not.toContain('Enfant 3')
    expect(text(html)).toContain('1 ligne sur 3')
    const none = await render({ label: 'Familles', empty: 'Aucune famille.', value: people(3), searchFields: ['name'], search: 'zzz' })
    expect(text(none)).toContain('Aucune ligne ne correspond au filtre.')
  })

  test('a server-paged list takes usePagedList’s binding: its rows, its total in the report', async () => {
    const html = await render({
      label: 'Journal',
      empty: 'Aucune entrée.',
      paged: { value: people(2), lazy: true, paginator: true, rows: 50, first: 50, totalRecords: 52, loading: false, dataKey: 'id', paginatorTemplate: 'CurrentPageReport', currentPageReportTemplate: '{first} à {last} sur {totalRecords}' }
    })
    expect(text(html)).toContain('51 à 52 sur 52')
    expect(html).toMatch(/<table[^>]*aria-label="Journal"/)
  })

  test('filterRows reads nested fields and needs every word', () => {
    const rows = [{ family: { name: 'Gérard' }, n: 1 }, { family: { name: 'Martin' }, n: 2 }]
    expect(filterRows(rows, 'gerard', ['family.name'])).toEqual([rows[0]])
    expect(filterRows(rows, 'gerard 2', ['family.name', 'n'])).toEqual([])
    expect(filterRows(rows, '  ', ['family.name'])).toEqual(rows)
  })
})
