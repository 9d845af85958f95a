import type { EntityManager } from 'typeorm'
import { formatEuro } from '@shared/billing/money'
import type { Core } from '../core/app-core'
import type Database from 'better-sqlite3'
import type { MailContext, RenderedMail } from '../mail/templates'
import type { BookingContext } from './context'
import { recapMail, type RecapRow } from './mails'
import type { PlanError, PlannedLine } from './plan'
import { dbOf, stmt } from './sql'
import { upperName } from '@shared/names'

export interface RecapLine {
  childId: number
  childName: string
  unitId: number
  unitName: string
  activityId: number
  activityName: string
  day: string
  kind: PlannedLine['kind']
  status: PlannedLine['status']
  late: boolean
  /** French description of the line: "Réservation", "Demande d’annulation (hors délai)"… */
  label: string
  priceCents: number
  /** Effect on the bill: + for a booking, − for a cancellation not billed, 0 for a withdrawal. */
  signedCents: number
  tariff: string
}

export interface RecapResult {
  lines: RecapLine[]
  errors: PlanError[]
  count: number
  totalCents: number
  /** "5 modifications à l'unité : 20,80 €" */
  summary: string
  pending: number
}

export function lineLabel(l: Pick<PlannedLine, 'kind' | 'status' | 'late' | 'action'>): string {
  const late = l.late ? ' (hors délai)' : ''
  if (l.kind === 'reservation') {
    if (l.status === 'withdrawn') return 'Retrait de la demande de réservation'
    return l.status === 'pending' ? 'Demande de réservation' : 'Réservation'
  }
  if (l.kind === 'cancellation') {
    if (l.status === 'withdrawn') return 'Retrait de la demande d’annulation'
    if (l.status === 'pending') return `Demande d’annulation${late}`
    return l.status === 'billed' ? 'Annulation hors délai (facturée)' : 'Annulation'
  }
  if (l.status === 'pending') return `Déclaration d’absence${late}`
  return l.status === 'billed' ? 'Absence facturée' : 'Absence excusée'
}

export function signedCents(l: PlannedLine): number {
  if (l.status === 'withdrawn') return l.kind === 'reservation' ? -l.priceCents : l.priceCents
  if (l.kind === 'reservation') return l.priceCents
  // A cancellation or absence not billed takes the price off; a billed one leaves it (pending ones are shown as hoped for).
  return l.status === 'billed' ? 0 : -l.priceCents
}

export function recapLines(ctx: BookingContext, lines: PlannedLine[]): RecapLine[] {
  return lines.map((l) => {
    const unit = ctx.units.get(l.unitId)
    const activity = ctx.activities.get(l.activityId)
    return {
      childId: l.childId,
      childName: ctx.children.get(l.childId)?.firstName ?? '',
      unitId: l.unitId,
      unitName: unit?.name ?? '',
      activityId: l.activityId,
      activityName: activity?.name ?? '',
      day: l.day,
      kind: l.kind,
      status: l.status,
      late: l.late,
      label: lineLabel(l),
      priceCents: l.priceCents,
      signedCents: signedCents(l),
      tariff: l.tariff
    }
  })
}

export function summarize(ctx: BookingContext, lines: PlannedLine[], errors: PlanError[]): RecapResult {
  const rl = recapLines(ctx, lines)
  const total = rl.reduce((s, l) => s + l.signedCents, 0)
  const n = rl.length
  return {
    lines: rl,
    errors,
    count: n,
    totalCents: total,
    summary: `${n} modification${n > 1 ? 's' : ''} à l’unité : ${formatEuro(total)}`,
    pending: lines.filter((l) => l.status === 'pending').length
  }
}

/**
 * mail/outbox's `mailContext` + `enqueueMail`, as two cached statements: the
 * recap is queued inside every "Terminer" of the rush. Same row, same
 * transaction semantics (the e-mail exists iff the bookings do).
 */
export function queueMail(db: Database.Database, core: Core, to: string, mail: RenderedMail): void {
  const now = core.clock.now().toISOString()
  stmt(
    db,
    `INSERT INTO outbox_mail (recipient, subject, text_body, html_body, attachments, status, attempts, next_attempt_at, created_at)
     VALUES (?, ?, ?, ?, '[]', 'pending', 0, ?, ?)`
  ).run(to, mail.subject, mail.text, mail.html, now, now)
}

export function structureMailContext(db: Database.Database, core: Core): MailContext {
  const s = stmt(db, 'SELECT name, email, phone, portal_url AS portalUrl FROM structure WHERE id = 1').get() as
    | { name: string; email: string; phone: string; portalUrl: string }
    | undefined
  return {
    structureName: s?.name ?? 'Ma structure',
    structureEmail: s?.email ?? '',
    structurePhone: s?.phone ?? '',
    portalUrl: core.runtime.portalUrl || s?.portalUrl || ''
  }
}

/** Queues the recap e-mail of a commit (same transaction) to the account that made it. */
export async function sendRecap(m: EntityManager, core: Core, to: string, result: RecapResult): Promise<void> {
  if (!to || !result.lines.length) return
  const db = dbOf(m)
  const ctx = structureMailContext(db, core)
  const rows: RecapRow[] = result.lines.map((l) => ({
    day: l.day,
    child: upperName(l.childName),
    activity: `${l.activityName} – ${l.unitName}`,
    what: l.label,
    cents: l.signedCents,
    tariff: l.tariff || '—'
  }))
  queueMail(db, core, to, recapMail(ctx, core.clock.now(), rows, result.pending > 0))
}
