import type { Content, TableCell, TDocumentDefinitions } from 'pdfmake/interfaces'
import { DIET_LABELS, DIETS, type MealDayDto } from '@shared/contract/desk-shapes'
import { WEEKDAY_LONG, frDay, isoWeekday } from '@shared/bookings/days'
import type { Core } from '../core/app-core'
import { frenchDateTime, parisDay } from '../core/clock'
import { dbOf } from '../bookings/sql'
import { renderPdf } from '../billing/pdf/printer'
import { getStructure } from '../settings/settings'
import { kitchenDays, mealsByDay } from './meals'

const HEAD = { fillColor: '#e5e7eb', bold: true }
const longDay = (day: string) => `${WEEKDAY_LONG[isoWeekday(day)]} ${frDay(day)}`
const plural = (n: number, one: string, many: string) => `${n} ${n > 1 ? many : one}`

/** A range's overview: one row per day, one column per diet, so the cook orders for the week at a glance. */
function overview(days: MealDayDto[]): Content {
  const body: TableCell[][] = [
    [{ text: 'Jour', ...HEAD }, ...DIETS.map((d) => ({ text: d === 'pai' ? 'PAI' : DIET_LABELS[d], ...HEAD, alignment: 'right' as const })), { text: 'Total', ...HEAD, alignment: 'right' }],
    ...days.map((d): TableCell[] =>
      d.total
        ? [{ text: longDay(d.day) }, ...DIETS.map((x) => ({ text: String(d.counts[x]), alignment: 'right' as const })), { text: String(d.total), alignment: 'right', bold: true }]
        : [{ text: longDay(d.day) }, { text: 'aucun repas', colSpan: DIETS.length + 1, italics: true, color: '#4b5563' }, ...DIETS.map(() => ({ text: '' }))]
    )
  ]
  return { table: { headerRows: 1, widths: ['*', 58, 58, 66, 66, 40, 50], body }, margin: [0, 0, 0, 12] }
}

/** One day: the count per diet in large type, then every PAI child by name with what to watch for. */
function dayPage(d: MealDayDto): Content[] {
  const out: Content[] = [
    { text: `${longDay(d.day)} — ${plural(d.total, 'repas', 'repas')}`, fontSize: 18, bold: true, margin: [0, 4, 0, 6] },
    {
      table: {
        headerRows: 1,
        widths: ['*', 90],
        body: [
          [{ text: 'Régime', ...HEAD }, { text: 'Repas', ...HEAD, alignment: 'right' }],
          ...DIETS.map((x): TableCell[] => [{ text: DIET_LABELS[x], fontSize: 14 }, { text: String(d.counts[x]), fontSize: 14, bold: true, alignment: 'right' }]),
          [{ text: 'Total', fontSize: 14, bold: true }, { text: String(d.total), fontSize: 14, bold: true, alignment: 'right' }]
        ]
      },
      margin: [0, 0, 0, 6]
    }
  ]
  if (d.pending) out.push({ text: `${plural(d.pending, 'demande', 'demandes')} de réservation en attente de validation, non comptée${d.pending > 1 ? 's' : ''}.`, italics: true, margin: [0, 0, 0, 6] })
  if (d.pai.length) {
    out.push({ text: `Enfants avec un PAI (${d.pai.length})`, fontSize: 14, bold: true, color: '#991b1b', margin: [0, 6, 0, 4] })
    out.push({
      table: {
        headerRows: 1,
        widths: ['*', '*', '*'],
        dontBreakRows: true,
        body: [
          [{ text: 'Enfant', ...HEAD }, { text: 'Activité', ...HEAD }, { text: 'Allergies et consignes', ...HEAD }],
          ...d.pai.map((p): TableCell[] => [{ text: p.name, bold: true }, { text: p.activityName }, { text: p.allergies || 'voir le PAI', color: '#991b1b' }])
        ]
      }
    })
  }
  return out
}

/**
 * The kitchen sheet (« fiche cuisine »), A4 portrait: for the days asked
 * (else the next day with meals), the overview when there are several days,
 * then a page per day with meals: the count per diet and the PAI children by
 * name with their allergies. The same figures as the home's « Repas » tile.
 */
export async function kitchenSheetPdf(core: Core, q: { from?: string; to?: string }): Promise<{ fileName: string; pdfBase64: string }> {
  const now = core.clock.now()
  const { days, structure } = await core.tx.read(async (m) => {
    const { from, to } = kitchenDays(dbOf(m), parisDay(now), q)
    return { days: mealsByDay(dbOf(m), from, to), structure: await getStructure(m) }
  })
  const from = days[0].day
  const to = days[days.length - 1].day
  const when = (from === to ? `le ${longDay(from)}` : `du ${longDay(from)} au ${longDay(to)}`).toLowerCase()
  const content: Content[] = [
    { text: structure.name, fontSize: 12, color: '#374151' },
    { text: 'Fiche cuisine', fontSize: 22, bold: true, margin: [0, 2, 0, 0] },
    { text: `Repas à servir ${when}`, fontSize: 13, margin: [0, 2, 0, 10] }
  ]
  if (days.length > 1) content.push(overview(days))
  const served = days.filter((d) => d.total > 0 || d.pending > 0)
  served.forEach((d, i) => content.push({ stack: dayPage(d), pageBreak: i > 0 || days.length > 1 ? 'before' : undefined }))
  if (!served.length) content.push({ text: 'Aucun repas réservé sur cette période.', fontSize: 14 })
  const doc: TDocumentDefinitions = {
    pageSize: 'A4',
    pageMargins: [36, 36, 36, 40],
    info: { title: `Fiche cuisine ${frDay(from)}${from === to ? '' : ` au ${frDay(to)}`}` },
    footer: (page: number, pages: number) => ({
      text: `Fiche cuisine – imprimée le ${frenchDateTime(now)} – page ${page}/${pages}`,
      alignment: 'center',
      fontSize: 9,
      margin: [0, 10, 0, 0]
    }),
    content,
    defaultStyle: { fontSize: 11 }
  }
  const pdf = await renderPdf(doc)
  return { fileName: `fiche-cuisine-${from}${from === to ? '' : `-au-${to}`}.pdf`, pdfBase64: pdf.toString('base64') }
}
