/**
 * Billing part of the demo structure: one régie, tariffs for the demo
 * activities (every mode), quotients familiaux, a few SEPA mandates, the
 * runs of the months already over in the school year, and the régie's PES V2
 * settings. As an association (default): the Systempay simulator, some runs
 * paid at the desk. As a public régie (`--regie-publique`): every run sent to
 * the Trésor as an ORMC bordereau, and the PayFiP simulator.
 */
import type { Actor } from '../core/actor'
import type { Core } from '../core/app-core'
import { parisDay } from '../core/clock'
import { DomainError } from '../core/errors'
import { Activity, ActivityType, Unit } from '../activities/entities'
import { addDays, addMonths } from '@shared/bookings/days'
import { openingDays } from '../calendar/calendar'
import { Family } from '../families/entities'
import { FamilyCaf } from '../families/file-entities'
import { prng } from '../demo/generate'
import type { DemoCalendar } from '../demo/demo-calendar'
import { tariffInput } from '@shared/contract/billing-shapes'
import { DEFAULT_BILLING_SETTINGS, saveBillingSettings } from './settings'
import { saveRegie } from './regies'
import { saveTariff } from './tariffs/tariffs'
import { saveMandate } from './sepa/mandates'
import { frenchIban } from '@shared/check-digits'
import { issueRun } from './invoicing/issue'
import { recordPayment } from './payments/payments'
import { Invoice, InvoicingRun } from './entities'
import { exportRunToPes, markPesSent } from './pes/export'
import { savePesSettings } from './pes/settings'
import { invoiceRow, markInvoicesNotified } from './invoices'
import { schoolYearBounds, schoolYearOf } from './statement'

const SEED: Actor = { kind: 'system', id: null, label: 'Données de démonstration' }

/**
 * What the children consumed before today this school year (enrolments book from
 * their acceptance day on): attendance taken, a few absences, so the demo has
 * months to invoice. Rows follow the schema agreement with #5.
 */
async function seedPastConsumption(core: Core, r: () => number): Promise<void> {
  const today = parisDay(core.clock.now())
  const enrolments = core.db
    .prepare(
      `SELECT e.id, e.child_id, e.activity_id, e.group_id, e.typical_week, p.start_date, p.end_date
         FROM enrolment e JOIN activity_period p ON p.id = e.period_id WHERE e.status = 'validated' AND p.start_date < ?`
    )
    .all(today) as { id: number; child_id: number; activity_id: number; group_id: number; typical_week: string; start_date: string; end_date: string }[]
  const units = core.db.prepare('SELECT id, activity_id FROM unit ORDER BY sort, id').all() as { id: number; activity_id: number }[]
  const now = core.clock.now().toISOString()
  const ins = core.db.prepare(
    `INSERT OR IGNORE INTO booking (child_id, unit_id, day, enrolment_id, group_id, state, source, price_cents, arrived_at, left_at, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, 'auto', 0, ?, ?, ?, ?)`
  )
  const yearStart = schoolYearBounds(schoolYearOf(today)).from
  for (const e of enrolments) {
    const from = e.start_date > yearStart ? e.start_date : yearStart
    const to = e.end_date < today ? e.end_date : addDays(today, -1)
    if (to < from) continue
    const week = JSON.parse(e.typical_week || '[]') as { weekday: number; unitId: number }[]
    const unitIds = week.length ? [...new Set(week.map((w) => w.unitId))] : units.filter((u) => u.activity_id === e.activity_id).slice(0, 1).map((u) => u.id)
    const days = await openingDays(core, e.activity_id, from, to)
    await core.tx.run(async () => {
      for (const day of days) {
        for (const unitId of unitIds) {
          const x = r()
          const state = x < 0.9 ? 'PRESENT' : x < 0.96 ? 'A_EXC' : 'A_FACT'
          ins.run(e.child_id, unitId, day, e.id, e.group_id, state, null, null, now, now)
        }
      }
    })
  }
}

const br = (qfMin: number, qfMax: number | null, priceCents: number, halfDayPriceCents: number | null = null) => ({ qfMin, qfMax, priceCents, halfDayPriceCents })

/** How the demo structure collects: an association (Systempay and SEPA) or a public régie (PES V2 and PayFiP). */
export type DemoProfile = 'association' | 'regie-publique'

/** Fictitious: a valid SIRET key, no real collectivité. */
const DEMO_SIRET = '21319999000002'

export async function seedDemoBilling(core: Core, cal: DemoCalendar, profile: DemoProfile = 'association'): Promise<string[]> {
  const r = prng(606)
  const regieId = await saveRegie(core, SEED, {
    id: null,
    name: 'Régie enfance-jeunesse',
    code: 'AL',
    invoiceFormat: '{CODE}-{N}',
    creditFormat: '{CODE}-AV{N}',
    paymentFormat: '{CODE}-R{N}',
    isDefault: true,
    dueDays: 20,
    paymentMethods: 'Chèque à l’ordre du Trésor public, espèces, CESU et chèques vacances ANCV à l’accueil de la Maison de l’Enfant.',
    creditorName: 'Régie enfance de Démoville',
    ics: 'FR72ZZZ123456',
    creditorIban: 'FR7630006000011234567890189',
    creditorBic: 'AGRIFRPPXXX',
    active: true,
    activityIds: []
  })
  await saveBillingSettings(core, SEED, {
    ...DEFAULT_BILLING_SETTINGS,
    onlineEnabled: true,
    provider: profile === 'regie-publique' ? 'payfip' : 'systempay',
    simulated: true,
    payfipNumcli: '123456',
    payAt: 'Paiement à l’accueil de la Maison de l’Enfant (espèces, chèque, CESU, ANCV), du lundi au vendredi de 8h30 à 18h.',
    residentPostalCodes: ['31000']
  })
  const activities = await core.tx.read(async (m) => {
    const kinds = new Map((await m.find(ActivityType)).map((t) => [t.id, t.kind]))
    return (await m.find(Activity)).map((a) => ({ id: a.id, name: a.name, kind: kinds.get(a.activityTypeId) }))
  })
  const units = await core.tx.read((m) => m.find(Unit))
  const t = (x: Record<string, unknown>) => saveTariff(core, SEED, tariffInput.parse({ validFrom: `${cal.year - 1}-09-01`, ...x }))
  for (const a of activities) {
    if (a.kind === 'restauration') {
      await t({ name: `${a.name} – repas`, activityId: a.id, mode: 'unit', outsideCommune: { kind: 'amount', value: 100 }, brackets: [br(0, 600, 150), br(601, 1000, 320), br(1001, null, 420)] })
    } else if (a.kind === 'periscolaire' && /soir/i.test(a.name)) {
      await t({ name: `${a.name} – au quart d’heure`, activityId: a.id, mode: 'hourly', stepMinutes: 15, sibling2: { kind: 'pct', value: 10 }, sibling3: { kind: 'pct', value: 20 }, brackets: [br(0, 600, 160), br(601, 1000, 200), br(1001, null, 240)] })
    } else if (a.kind === 'periscolaire') {
      await t({
        name: `${a.name} – à l’unité`,
        activityId: a.id,
        mode: 'unit',
        walkinSurchargeCents: 100,
        sibling2: { kind: 'pct', value: 10 },
        sibling3: { kind: 'pct', value: 20 },
        outsideCommune: { kind: 'pct', value: 25 },
        brackets: [br(0, 600, 70), br(601, 1000, 90), br(1001, 1500, 110), br(1501, null, 130)]
      })
    } else if (a.kind === 'mercredi' || a.kind === 'vacances') {
      // The full day and the « après-midi avec repas » include lunch: 3,20 € of their price is the meal (not on the attestation fiscale).
      const meals = units.filter((u) => u.activityId === a.id && /Journée complète|avec repas/.test(u.name)).map((u) => ({ unitId: u.id, mealCents: 320 }))
      await t({ name: `${a.name} – journée / demi-journée`, activityId: a.id, mode: 'day', absenceRatePct: 50, brackets: [br(0, 800, 900, 500), br(801, null, 1450, 850)], meals })
    }
  }
  // The régie as the Trésor would know it, ready for « Trésor public (PES V2) »; on only for a public régie.
  const codes = { periscolaire: ['PERI', '7066'], restauration: ['REST', '7067'], mercredi: ['ALSH', '7066'], vacances: ['ALSH', '7066'] } as Record<string, [string, string]>
  await savePesSettings(core, SEED, {
    regieId,
    enabled: profile === 'regie-publique',
    collectivite: 'Commune de Démoville',
    siret: DEMO_SIRET,
    poste: '031000',
    codCol: '123',
    codBud: '01',
    defaultProduct: 'ENF',
    defaultNature: '7066',
    products: activities.filter((a) => a.kind && codes[a.kind]).map((a) => ({ kind: 'activity' as const, refId: a.id, code: codes[a.kind!][0], nature: codes[a.kind!][1] }))
  })
  const families = await core.tx.read((m) => m.find(Family, { where: { status: 'active' }, order: { id: 'ASC' } }))
  await core.tx.run(async (m) => {
    const now = core.clock.now().toISOString()
    for (const f of families) {
      if (r() < 0.8) {
        await m.save(FamilyCaf, Object.assign(new FamilyCaf(), { familyId: f.id, allocataireName: '', regime: 'general', allocataireNumber: String(1000000 + f.id), quotient: 350 + Math.floor(r() * 1600), quotientValidUntil: `${cal.today.slice(0, 4)}-12-31`, quotientProofDocumentId: null, updatedAt: now }))
      }
    }
  })
  const staffLike = { kind: 'system' as const, id: null, label: 'Données de démonstration' }
  for (const f of families.filter((x) => x.id > 1 && x.id % 6 === 0)) {
    const iban = frenchIban('30006', String(10000 + f.id), String(f.number))
    await saveMandate(core, staffLike, { id: null, familyId: f.id, rum: '', holder: `Famille ${f.number}`, iban, bic: '', signedOn: `${cal.year - 1}-08-28`, sequenceType: 'FRST' })
  }
  await seedPastConsumption(core, r)
  // Runs of the months already over in the school year (what seedPastConsumption booked), the oldest mostly paid.
  const today = cal.today
  const lines: string[] = []
  for (let month = schoolYearBounds(schoolYearOf(today)).from.slice(0, 7); `${addMonths(month, 1)}-01` <= today; month = addMonths(month, 1)) {
    const next = `${addMonths(month, 1)}-01`
    try {
      const run = await issueRun(core, SEED, { regieId, month, issueDate: next })
      // As if the batch had e-mailed and printed them that day: the direct-debit pre-notification runs from it.
      await core.tx.run(async (m) => markInvoicesNotified(m, (await m.find(Invoice, { where: { runId: run.runId }, select: { id: true } })).map((i) => i.id), next))
      lines.push(`Facturation ${month.slice(5)}/${month.slice(0, 4)} : ${run.invoiceCount} factures (${run.firstNumber} à ${run.lastNumber})`)
    } catch (e) {
      // Nothing billable that month is fine; anything else is a bug to show.
      if (!(e instanceof DomainError) || e.code !== 'nothing_to_bill') throw e
    }
  }
  if (profile === 'regie-publique') {
    // Every run went to the Trésor: families pay their titres there (PayFiP), and the Trésor debits the mandates.
    for (const run of await core.tx.read((m) => m.find(InvoicingRun, { order: { id: 'ASC' } }))) {
      const b = await exportRunToPes(core, SEED, run.id)
      await markPesSent(core, SEED, b.bordereauId)
    }
    lines.push('Régie publique : lots transmis au Trésor public (PES V2 ORMC), paiement en ligne PayFiP (simulateur)')
    return lines
  }
  lines.push('Association : paiement en ligne Systempay (simulateur), prélèvements SEPA')
  const firstRun = await core.tx.read((m) => m.find(Invoice, { where: { collection: 'direct' }, order: { seq: 'ASC' } }))
  for (const inv of firstRun) {
    // Family 1 (the demo portal account) keeps its invoices to pay online; most others paid their oldest one.
    if (inv.familyId === 1 || r() < 0.35) continue
    if (firstRun.findIndex((x) => x.familyId === inv.familyId) !== firstRun.indexOf(inv)) continue
    const due = await core.tx.read(async (m) => {
      const row = invoiceRow(m, inv.id)
      return row.total_cents - row.paid
    })
    if (due <= 0) continue
    const mode = (['especes', 'cheque', 'cheque', 'cb', 'cesu'] as const)[Math.floor(r() * 5)]
    await recordPayment(core, SEED, {
      familyId: inv.familyId,
      regieId,
      mode,
      amountCents: due,
      receivedOn: inv.dueDate < today ? inv.dueDate : today,
      chequeNumber: mode === 'cheque' ? String(1000000 + inv.id) : '',
      bank: mode === 'cheque' ? 'Banque Populaire' : '',
      payer: '',
      reference: '',
      allocations: []
    })
  }
  return lines
}
