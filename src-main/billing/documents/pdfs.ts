/**
 * The billing PDFs: invoice, credit note, receipt, deposit slip, account
 * statement, attestation fiscale, reminder letter. Builders take plain data
 * (already read from the database) and return pdfmake definitions, so a
 * batch can render many without touching the database in between.
 */
import type { Content, TableCell, TDocumentDefinitions } from 'pdfmake/interfaces'
import type { PaymentDto, PreviewLineDto, StatementDto } from '@shared/contract/billing-shapes'
import { PAYMENT_MODE_LABELS } from '@shared/contract/billing-shapes'
import { formatEuro } from '@shared/billing/money'
import { quantityText, unitPriceLabel } from '@shared/billing/lines'
import { frenchDate } from '../../core/clock'
import type { InvoiceSnapshot } from '../entities'
import { schoolYearBounds } from '../school-year'
import { compactDays, documentDef, letterhead, money, periodText, recipientBlock, th, type Identity } from './layout'

export interface InvoicePdfData {
  number: string
  issueDate: string
  dueDate: string
  periodStart: string
  periodEnd: string
  totalCents: number
  paidCents: number
  collection: 'direct' | 'debit'
  cancelled: boolean
  creditNoteNumber: string | null
  snapshot: InvoiceSnapshot
  logo: string | null
  lines: PreviewLineDto[]
  onlinePayment: boolean
  payAt: string
}

interface Group {
  child: string
  label: string
  days: string[]
  lines: { quantity: number; quantityLabel: string }[]
  unitPrice: number
  amount: number
  kind: string
}

/**
 * Lines of one child × service × unit price, so a month of mornings is one
 * row with its dates; hourly lines also by duration, so a row reads
 * « 16 × 6 quarts d'heure » at its price per hour. A row's amount is the sum
 * of its lines, each rounded on its own.
 */
export function groupLines(lines: PreviewLineDto[]): Map<string, Group[]> {
  const byChild = new Map<string, Group[]>()
  for (const l of lines) {
    const child = l.childName || 'Famille'
    const groups = byChild.get(child) ?? []
    const label = l.activityName && !l.label.startsWith(l.activityName) && l.kind !== 'flat' ? `${l.activityName} – ${l.label}` : l.label
    const absence = l.bookingState === 'A_FACT' ? ' (absence facturée)' : l.bookingState === 'ABSENT' ? ' (absence non excusée)' : ''
    const fullLabel = label + absence
    const same = (x: Group) => x.label === fullLabel && x.unitPrice === l.unitPriceCents && x.kind === l.kind && (l.kind !== 'hourly' || x.lines[0].quantityLabel === l.quantityLabel)
    let g = groups.find(same)
    if (!g) {
      g = { child, label: fullLabel, days: [], lines: [], unitPrice: l.unitPriceCents, amount: 0, kind: l.kind }
      groups.push(g)
    }
    if (l.day) g.days.push(l.day)
    g.lines.push({ quantity: l.quantity, quantityLabel: l.quantityLabel })
    g.amount += l.amountCents
    byChild.set(child, groups)
  }
  return byChild
}

function structureOf(s: InvoiceSnapshot['structure'], logo: string | null): Identity {
  return { ...s, logo }
}

export function invoicePdf(d: InvoicePdfData): TDocumentDefinitions {
  const s = d.snapshot
  const due = d.cancelled ? 0 : d.totalCents - d.paidCents
  const content: Content[] = [
    letterhead(structureOf(s.structure, d.logo), `FACTURE N° ${d.number}`, [
      ['Date', frenchDate(d.issueDate)],
      ['Période', periodText(d.periodStart, d.periodEnd)],
      ['Échéance', frenchDate(d.dueDate)],
      ['Régie', s.regieName]
    ]),
    recipientBlock({ name: s.familyName, familyNumber: s.familyNumber, address: s.address, postalCode: s.postalCode, city: s.city })
  ]
  if (d.cancelled) content.push({ text: `FACTURE ANNULÉE – avoir N° ${d.creditNoteNumber ?? ''}`, bold: true, color: '#b91c1c', fontSize: 12, margin: [0, 0, 0, 8] })
  for (const [child, groups] of groupLines(d.lines)) {
    const body: TableCell[][] = [[th('Prestation'), th('Dates'), th('Qté', 'right'), th('Prix unitaire', 'right'), th('Montant', 'right')]]
    for (const g of groups) {
      body.push([
        g.label,
        { text: g.days.length ? compactDays(g.days) : '', fontSize: 8 },
        { text: quantityText(g.kind, g.lines), alignment: 'right', noWrap: true },
        { text: unitPriceLabel(g.kind, g.unitPrice), alignment: 'right', noWrap: true },
        money(g.amount)
      ])
    }
    const subtotal = groups.reduce((x, g) => x + g.amount, 0)
    body.push([{ text: `Sous-total ${child}`, colSpan: 4, bold: true, alignment: 'right' }, '', '', '', money(subtotal, true)])
    content.push({ text: child === 'Famille' ? 'Ajustements' : `Enfant : ${child}`, bold: true, margin: [0, 6, 0, 3] })
    content.push({ table: { headerRows: 1, widths: ['*', 110, 'auto', 60, 60], body, dontBreakRows: true }, layout: 'lightHorizontalLines' })
  }
  content.push({
    margin: [0, 12, 0, 0],
    columns: [
      { width: '*', text: '' },
      {
        width: 240,
        table: {
          widths: ['*', 80],
          body: [
            ['Total de la facture', money(d.totalCents, true)],
            ['Déjà réglé', money(d.paidCents)],
            [{ text: 'Reste à payer', bold: true }, money(due, true)],
            [{ text: 'À régler avant le', bold: true }, { text: frenchDate(d.dueDate), alignment: 'right', bold: true }]
          ]
        }
      }
    ]
  })
  const methods: string[] = []
  if (d.collection === 'debit') methods.push(`Cette facture sera prélevée sur votre compte à l’échéance du ${frenchDate(d.dueDate)} (mandat SEPA).`)
  else {
    if (s.paymentMethods) methods.push(s.paymentMethods)
    methods.push(d.onlinePayment ? 'Paiement en ligne par carte bancaire sur le portail famille (Factures et documents).' : d.payAt)
  }
  content.push({ text: 'Moyens de paiement', bold: true, margin: [0, 16, 0, 2] }, ...methods.map((t) => ({ text: t, margin: [0, 0, 0, 2] }) as Content))
  content.push({ text: `Rappelez le numéro de facture ${d.number} et votre N° famille ${s.familyNumber} avec tout règlement.`, margin: [0, 6, 0, 0], color: '#4b5563' })
  return documentDef(content, `${s.structure.name} – Facture ${d.number} – ${s.familyName}`)
}

export function creditNotePdf(d: {
  number: string
  issueDate: string
  amountCents: number
  reason: string
  invoiceNumber: string
  invoiceDate: string
  snapshot: InvoiceSnapshot
  logo: string | null
}): TDocumentDefinitions {
  const s = d.snapshot
  return documentDef(
    [
      letterhead(structureOf(s.structure, d.logo), `AVOIR N° ${d.number}`, [
        ['Date', frenchDate(d.issueDate)],
        ['Facture annulée', d.invoiceNumber],
        ['Régie', s.regieName]
      ]),
      recipientBlock({ name: s.familyName, familyNumber: s.familyNumber, address: s.address, postalCode: s.postalCode, city: s.city }),
      { text: `Cet avoir annule la facture ${d.invoiceNumber} du ${frenchDate(d.invoiceDate)}.`, margin: [0, 0, 0, 6] },
      { text: `Motif : ${d.reason}`, margin: [0, 0, 0, 12] },
      { table: { widths: ['*', 100], body: [[{ text: 'Montant de l’avoir', bold: true }, money(d.amountCents, true)]] } },
      { text: 'Les sommes déjà réglées sur cette facture restent à votre crédit et seront déduites de vos prochaines factures.', margin: [0, 12, 0, 0] }
    ],
    `${s.structure.name} – Avoir ${d.number}`
  )
}

export function receiptPdf(d: { structure: Identity; regieName: string; payment: PaymentDto; address: { address: string; postalCode: string; city: string } }): TDocumentDefinitions {
  const p = d.payment
  const rows: TableCell[][] = [
    ['Mode de règlement', PAYMENT_MODE_LABELS[p.mode]],
    ['Montant', { text: formatEuro(p.amountCents), bold: true }]
  ]
  if (p.chequeNumber) rows.push(['Chèque n°', p.chequeNumber])
  if (p.bank) rows.push(['Banque', p.bank])
  if (p.payer) rows.push(['Payeur', p.payer])
  if (p.reference) rows.push(['Référence', p.reference])
  rows.push(['Factures réglées', p.invoices.length ? p.invoices.join(', ') : '–'])
  const credit = p.amountCents - p.allocatedCents
  if (credit > 0) rows.push(['Conservé en avoir', formatEuro(credit)])
  return documentDef(
    [
      letterhead(d.structure, `REÇU N° ${p.number}`, [
        ['Date', frenchDate(p.receivedOn)],
        ['Régie', d.regieName]
      ]),
      recipientBlock({ name: p.familyName, familyNumber: p.familyNumber, ...d.address }),
      { text: `Reçu de ${p.familyName} la somme de ${formatEuro(p.amountCents)}.`, fontSize: 11, margin: [0, 0, 0, 10] },
      { table: { widths: [140, '*'], body: rows }, layout: 'lightHorizontalLines' },
      p.status === 'rejected' ? { text: `Règlement rejeté le ${frenchDate(p.rejectedOn ?? '')}.`, color: '#b91c1c', bold: true, margin: [0, 10, 0, 0] } : ''
    ],
    `${d.structure.name} – Reçu ${p.number}`
  )
}

export function depositPdf(d: {
  structure: Identity
  regieName: string
  number: string
  mode: string
  depositedOn: string
  bankAccount: string
  payments: PaymentDto[]
}): TDocumentDefinitions {
  const body: TableCell[][] = [[th('N°'), th('Règlement'), th('Famille'), th('Chèque n°'), th('Banque / payeur'), th('Montant', 'right')]]
  d.payments.forEach((p, i) => body.push([String(i + 1), p.number, `${p.familyName} (${p.familyNumber})`, p.chequeNumber, [p.bank, p.payer].filter(Boolean).join(' – '), money(p.amountCents)]))
  const total = d.payments.reduce((s, p) => s + p.amountCents, 0)
  body.push([{ text: `${d.payments.length} règlement${d.payments.length > 1 ? 's' : ''}`, colSpan: 5, bold: true, alignment: 'right' }, '', '', '', '', money(total, true)])
  return documentDef(
    [
      letterhead(d.structure, 'BORDEREAU DE REMISE', [
        ['N°', d.number],
        ['Date de remise', frenchDate(d.depositedOn)],
        ['Nature', PAYMENT_MODE_LABELS[d.mode as keyof typeof PAYMENT_MODE_LABELS] ?? d.mode],
        ['Régie', d.regieName],
        ['Compte', d.bankAccount || '–']
      ]),
      { table: { headerRows: 1, widths: [20, 60, '*', 55, 110, 60], body }, layout: 'lightHorizontalLines' },
      { text: `Total de la remise : ${formatEuro(total)}`, bold: true, fontSize: 11, margin: [0, 12, 0, 30] },
      { columns: [{ text: 'Le régisseur (date et signature)' }, { text: 'Cachet de la banque', alignment: 'right' }] }
    ],
    `${d.structure.name} – Remise ${d.number}`
  )
}

export function statementPdf(d: { structure: Identity; statement: StatementDto; today: string }): TDocumentDefinitions {
  const st = d.statement
  const body: TableCell[][] = [[th('N° Opération'), th('Date'), th('Description'), th('Régie'), th('Débit', 'right'), th('Crédit', 'right')]]
  // The balance carried over opens the statement, as on a bank statement.
  body.push([{ text: 'Ancien solde', bold: true }, { text: frenchDate(schoolYearBounds(st.schoolYear).from), colSpan: 3 }, '', '', money(Math.max(0, st.openingCents)), money(Math.max(0, -st.openingCents))])
  for (const r of st.rows) {
    body.push([r.operation, frenchDate(r.date), r.description, r.regie, r.debitCents ? money(r.debitCents) : '', r.creditCents ? money(r.creditCents) : ''])
  }
  body.push([{ text: 'Totaux de l’année scolaire', bold: true, colSpan: 4 }, '', '', '', money(st.totalDebitCents, true), money(st.totalCreditCents, true)])
  return documentDef(
    [
      letterhead(d.structure, 'RELEVÉ DE COMPTE', [
        ['Année scolaire', st.schoolYear.replace('-', '-')],
        ['Au', frenchDate(d.today)],
        ['N° famille', String(st.familyNumber)]
      ]),
      { text: st.familyName, bold: true, margin: [0, 0, 0, 10] },
      { table: { headerRows: 1, widths: [60, 50, '*', 80, 55, 55], body }, layout: 'lightHorizontalLines' },
      {
        margin: [0, 12, 0, 0],
        table: {
          widths: ['*', 100],
          body: [
            ['Ancien solde', money(st.openingCents)],
            [{ text: st.closingCents >= 0 ? 'Solde du compte (reste dû)' : 'Solde du compte (en votre faveur)', bold: true }, money(Math.abs(st.closingCents), true)]
          ]
        }
      },
      // Direct debits sent to the bank but not collected yet: not in the balance until their date.
      ...st.pendingDebits.map((p) => ({ text: `${p.description} : ${formatEuro(p.amountCents)} (${p.operation}), déduit du solde à cette date.`, italics: true, margin: [0, 6, 0, 0] as [number, number, number, number] }))
    ],
    `${d.structure.name} – Relevé de compte ${st.schoolYear} – ${st.familyName}`
  )
}

export interface AttestationChild {
  name: string
  birthDate: string
  /** Childcare paid in the year, meals left out. */
  amountCents: number
  /** The meals inside what was paid, left out of amountCents (shown so the family sees why the total is lower). */
  mealCents: number
}

export function attestationPdf(d: {
  structure: Identity
  /** Paramètres → Structure: who signs, and as what. */
  signatory: { name: string; role: string }
  year: number
  familyName: string
  familyNumber: number
  address: { address: string; postalCode: string; city: string }
  children: AttestationChild[]
  today: string
}): TDocumentDefinitions {
  const total = d.children.reduce((s, c) => s + c.amountCents, 0)
  const body: TableCell[][] = [[th('Enfant'), th('Date de naissance'), th('Repas (non déductibles)', 'right'), th('Frais de garde payés', 'right')]]
  for (const c of d.children) body.push([c.name, frenchDate(c.birthDate), { text: c.mealCents ? formatEuro(c.mealCents) : '–', alignment: 'right', color: '#4b5563' }, money(c.amountCents)])
  body.push([{ text: 'Total des frais de garde', bold: true, colSpan: 3 }, '', '', money(total, true)])
  const signer = [d.signatory.name, d.signatory.role].filter(Boolean).join(', ')
  return documentDef(
    [
      letterhead(d.structure, `ATTESTATION FISCALE ${d.year}`, [
        ['Date', frenchDate(d.today)],
        ['N° famille', String(d.familyNumber)]
      ]),
      recipientBlock({ name: d.familyName, familyNumber: d.familyNumber, ...d.address }),
      { text: 'Frais de garde des enfants de moins de 6 ans (article 200 quater B du code général des impôts)', bold: true, margin: [0, 0, 0, 8] },
      {
        text: `La structure ${d.structure.name}${d.structure.siret ? ` (SIRET ${d.structure.siret})` : ''} atteste que ${d.familyName} a versé au cours de l’année ${d.year} les sommes suivantes pour la garde de ${d.children.length > 1 ? 'ses enfants' : 'son enfant'} âgé${d.children.length > 1 ? 's' : ''} de moins de 6 ans au 1er janvier ${d.year} :`,
        margin: [0, 0, 0, 10]
      },
      { table: { headerRows: 1, widths: ['*', 90, 100, 110], body }, layout: 'lightHorizontalLines' },
      {
        text: 'Montants établis d’après les règlements effectivement reçus dans l’année, hors frais de repas et hors CESU préfinancés. Les aides perçues pour la garde (complément de libre choix du mode de garde, aides de l’employeur) sont à déduire par le contribuable.',
        fontSize: 8,
        color: '#4b5563',
        margin: [0, 10, 0, 24]
      },
      { text: `Fait à ${d.structure.city || '…'}, le ${frenchDate(d.today)}`, margin: [0, 0, 0, 6] },
      { text: signer ? `Pour la structure, ${signer}` : 'Pour la structure, le responsable', margin: [0, 0, 0, 0] }
    ],
    `${d.structure.name} – Attestation fiscale ${d.year} – ${d.familyName}`
  )
}

export interface ReminderLetter {
  level: 1 | 2
  number: string
  issueDate: string
  dueDate: string
  dueCents: number
  familyName: string
  familyNumber: number
  address: { address: string; postalCode: string; city: string }
}

export function reminderLettersPdf(d: { structure: Identity; today: string; payAt: string; letters: ReminderLetter[] }): TDocumentDefinitions {
  const content: Content[] = []
  d.letters.forEach((l, i) => {
    content.push(
      letterhead(d.structure, l.level === 1 ? 'RAPPEL' : 'DEUXIÈME RELANCE', [
        ['Date', frenchDate(d.today)],
        ['Facture', l.number]
      ]),
      recipientBlock({ name: l.familyName, familyNumber: l.familyNumber, ...l.address }),
      { text: `Objet : ${l.level === 1 ? 'rappel' : 'deuxième relance'} – facture ${l.number} impayée`, bold: true, margin: [0, 0, 0, 10] },
      'Madame, Monsieur,',
      {
        text:
          l.level === 1
            ? `Sauf erreur de notre part, votre facture ${l.number} du ${frenchDate(l.issueDate)}, arrivée à échéance le ${frenchDate(l.dueDate)}, n’a pas été réglée.`
            : `Malgré notre premier rappel, votre facture ${l.number} du ${frenchDate(l.issueDate)} (échéance du ${frenchDate(l.dueDate)}) reste impayée.`,
        margin: [0, 8, 0, 4]
      },
      { text: `Montant restant dû : ${formatEuro(l.dueCents)}.`, bold: true, margin: [0, 4, 0, 4] },
      { text: d.payAt, margin: [0, 4, 0, 4] },
      {
        text:
          l.level === 2
            ? 'Sans règlement de votre part sous 15 jours, la créance sera transmise au comptable public pour recouvrement.'
            : 'Si vous avez réglé entre-temps, merci de ne pas tenir compte de ce courrier.',
        margin: [0, 4, 0, 16]
      },
      'Veuillez agréer, Madame, Monsieur, nos salutations distinguées.',
      { text: d.structure.name, margin: [0, 16, 0, 0], ...(i < d.letters.length - 1 ? { pageBreak: 'after' as const } : {}) }
    )
  })
  return documentDef(content, `${d.structure.name} – Relances`)
}
