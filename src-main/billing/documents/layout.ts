/**
 * Shared pieces of billing PDFs: letterhead (structure identity and logo),
 * recipient block, amount cells, page footer. Everything is pdfmake content.
 */
import type { Content, TableCell, TDocumentDefinitions } from 'pdfmake/interfaces'
import { formatEuro } from '@shared/billing/money'
import { frenchDate } from '../../core/clock'
import { pdfLogo, pdfSafe } from '../pdf/printer'

export interface Identity {
  name: string
  address: string
  postalCode: string
  city: string
  phone: string
  email: string
  siret: string
  logo: string | null
}

export interface Recipient {
  name: string
  familyNumber: number
  address: string
  postalCode: string
  city: string
}

export function letterhead(s: Identity, title: string, meta: [string, string][]): Content {
  const logo = pdfLogo(s.logo)
  const identity: Content = {
    stack: [
      { text: s.name, bold: true, fontSize: 12 },
      s.address,
      `${s.postalCode} ${s.city}`.trim(),
      [s.phone && `Tél. ${s.phone}`, s.email].filter(Boolean).join(' – '),
      s.siret ? `SIRET ${s.siret}` : ''
    ].filter((x) => x !== '') as Content[]
  }
  return {
    columns: [
      logo ? { columns: [{ image: logo, fit: [60, 60], width: 66 }, identity] } : identity,
      {
        width: 220,
        stack: [
          { text: title, bold: true, fontSize: 15, alignment: 'right', margin: [0, 0, 0, 6] },
          {
            table: { widths: ['*', 'auto'], body: meta.map(([k, v]) => [{ text: k, color: '#4b5563' }, { text: v, bold: true, alignment: 'right' }]) },
            layout: 'noBorders'
          }
        ]
      }
    ],
    margin: [0, 0, 0, 16]
  }
}

export function recipientBlock(r: Recipient): Content {
  return {
    columns: [
      { width: '*', text: '' },
      {
        width: 230,
        stack: [
          { text: r.name, bold: true },
          r.address,
          `${r.postalCode} ${r.city}`.trim(),
          { text: `N° famille : ${r.familyNumber}`, margin: [0, 4, 0, 0] }
        ],
        margin: [0, 0, 0, 16]
      }
    ]
  }
}

export const money = (cents: number, bold = false): TableCell => ({ text: formatEuro(cents), alignment: 'right', bold, noWrap: true })
export const th = (text: string, alignment: 'left' | 'right' | 'center' = 'left'): TableCell => ({ text, bold: true, fillColor: '#e5e7eb', alignment })

/** "02, 03, 09/03 ; 01/04": the days of a grouped line, compact. */
export function compactDays(days: string[]): string {
  const byMonth = new Map<string, string[]>()
  for (const d of [...new Set(days)].sort()) {
    const k = d.slice(0, 7)
    const list = byMonth.get(k) ?? []
    list.push(d.slice(8, 10))
    byMonth.set(k, list)
  }
  return [...byMonth.entries()].map(([k, ds]) => `${ds.join(', ')}/${k.slice(5, 7)}`).join(' ; ')
}

/** The page footer's look, which the print file's merger (pdf/merge.ts) draws its page numbers with too. */
export const FOOTER = { fontSize: 7, color: '#6b7280', margin: [40, 10, 40, 0] as [number, number, number, number], bottom: 50 }

/** `pageNumbers: false` leaves them out: a part of the print file is numbered once merged (pdf/merge.ts). */
export function documentDef(content: Content[], footerText: string, pageNumbers = true): TDocumentDefinitions {
  const foot = pdfSafe(footerText)
  return {
    pageSize: 'A4',
    pageMargins: [40, 40, 40, FOOTER.bottom],
    info: { creator: 'Ribambelle', producer: 'Ribambelle' },
    content,
    footer: (page: number, pages: number) => ({
      columns: [
        { text: foot, fontSize: FOOTER.fontSize, color: FOOTER.color },
        { text: pageNumbers ? `Page ${page} / ${pages}` : '', fontSize: FOOTER.fontSize, alignment: 'right', color: FOOTER.color, width: 60 }
      ],
      margin: FOOTER.margin
    })
  }
}

export const periodText = (from: string, to: string) => `${frenchDate(from)} - ${frenchDate(to)}`
