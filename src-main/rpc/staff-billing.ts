import type { billingStaffProcedures } from '@shared/contract/staff-billing'
import type { FileOutDto } from '@shared/contract/billing-shapes'
import { Activity, ActivityType, Unit } from '../activities/entities'
import { parisDay } from '../core/clock'
import { DomainError, forbidden, notFound } from '../core/errors'
import { dbOf } from '../bookings/sql'
import { createAttestation } from '../billing/attestation'
import { renderCreditNote, renderDeposit, renderInvoice, renderReceipt, renderStatement } from '../billing/documents/render'
import { Payment, RegieActivity, SepaExport } from '../billing/entities'
import { buildExport } from '../billing/exports/reports'
import { XLSX_MIME } from '../billing/exports/xlsx'
import { familyBalance, cancelInvoice, invoiceDetail, listInvoices } from '../billing/invoices'
import { createAdjustment } from '../billing/invoicing/adjustments'
import { getJob, jobDto, startInvoiceBatch } from '../billing/invoicing/batch'
import { issueRun } from '../billing/invoicing/issue'
import { discardStage, stagedRunDto } from '../billing/invoicing/staging'
import { previewFamily, previewRun, runDtos } from '../billing/invoicing/runs'
import { IPN_PATH, PAYFIP_NOTIFY_PATH } from '../billing/payments/online'
import { allocateCredit, createDeposit, depositDtos, listPayments, recordPayment, rejectPaymentIn, reviewPayment } from '../billing/payments/payments'
import { collectionOfPayment, rejectCollectionIn } from '../billing/sepa/rejects'
import { regieDtos, saveRegie } from '../billing/regies'
import { unpaidList, sendReminders } from '../billing/reminders'
import { mandateDtos } from '../billing/sepa/mandates'
import { sepaExportXml } from '../billing/sepa/export'
import { billingSettingsForm, saveBillingSettings, billingSettingsSync, simulatorAllowed } from '../billing/settings'
import { familyStatement, schoolYearOf } from '../billing/statement'
import { pricePreview } from '../billing/tariffs/preview'
import { PesBordereau, RegiePes } from '../billing/pes/entities'
import { exportCreditNotesToPes, exportRunToPes, markPesSent, pendingCredits, pesBordereauDtos, pesBordereauXml, pesTitreDtos } from '../billing/pes/export'
import { getPesSettings, savePesSettings } from '../billing/pes/settings'
import { saveTariff, tariffDtos } from '../billing/tariffs/tariffs'
import { requireActor, type HandlersFor, type StaffActor } from './types'

const file = (f: { filename: string; data: Buffer }, mime: string): FileOutDto => ({ filename: f.filename, mime, base64: f.data.toString('base64') })

/** Staff handlers of issue #6: thin, the work is in src-main/billing. */
export const billingStaffHandlers: HandlersFor<typeof billingStaffProcedures, StaffActor | null> = {
  'billing-settings-get': async (_i, { core }) => {
    const s = await core.tx.read((m) => billingSettingsForm(m))
    const { testKey, productionKey, ...rest } = s
    return {
      ...rest,
      testKey: '',
      productionKey: '',
      hasTestKey: Boolean(testKey),
      hasProductionKey: Boolean(productionKey),
      ipnUrl: `${core.runtime.portalUrl}${IPN_PATH}`,
      payfipNotifyUrl: `${core.runtime.portalUrl}${PAYFIP_NOTIFY_PATH}`,
      simulatorAllowed: simulatorAllowed(core.options.runMode)
    }
  },
  'billing-settings-save': async (input, ctx) => {
    await saveBillingSettings(ctx.core, requireActor(ctx), input)
    return { ok: true as const }
  },
  'billing-catalog': async (_i, { core }) =>
    core.tx.read(async (m) => {
      const types = new Map((await m.find(ActivityType)).map((t) => [t.id, t.kind]))
      const links = new Map((await m.find(RegieActivity)).map((l) => [l.activityId, l.regieId]))
      return {
        activities: (await m.find(Activity, { order: { name: 'ASC' } })).map((a) => ({ id: a.id, name: a.name, kind: types.get(a.activityTypeId) ?? '', regieId: links.get(a.id) ?? null })),
        units: (await m.find(Unit, { order: { activityId: 'ASC', sort: 'ASC', id: 'ASC' } })).map((u) => ({ id: u.id, name: u.name, activityId: u.activityId, startTime: u.startTime, endTime: u.endTime }))
      }
    }),

  'billing-regies-list': async (_i, { core }) => core.tx.read((m) => regieDtos(m)),
  'billing-regie-save': async (input, ctx) => ({ regieId: await saveRegie(ctx.core, requireActor(ctx), input) }),

  'billing-tariffs-list': async (_i, { core }) => core.tx.read((m) => tariffDtos(m)),
  'billing-tariff-save': async (input, ctx) => ({ tariffId: await saveTariff(ctx.core, requireActor(ctx), input) }),
  'billing-price-preview': async (input, { core }) =>
    core.tx.read(async (m) => {
      const db = dbOf(m)
      return pricePreview(db, billingSettingsSync(db), { childId: input.childId, unitId: input.unitId, day: input.day, state: input.state, source: input.walkIn ? 'walk-in' : undefined })
    }),

  'billing-run-preview': async (input, { core }) => previewRun(core, input.regieId, input.month),
  'billing-run-preview-family': async (input, { core }) => previewFamily(core, input.regieId, input.month, input.familyId),
  'billing-run-issue': async (input, ctx) => issueRun(ctx.core, requireActor(ctx), input),
  'billing-run-staged': async (input, { core }) => core.tx.read(async () => stagedRunDto(core.db, input.regieId)),
  'billing-run-discard': async (input, ctx) => discardStage(ctx.core, requireActor(ctx), input.regieId),
  'billing-runs-list': async (input, { core }) => core.tx.read((m) => runDtos(m, input.regieId)),
  'billing-run-batch': async (input, ctx) => startInvoiceBatch(ctx.core, requireActor(ctx), input),
  'billing-job-get': async (input) => jobDto(getJob(input.jobId)),

  'billing-invoices-list': async (input, { core }) => core.tx.read((m) => listInvoices(m, { ...input, today: parisDay(core.clock.now()) })),
  'billing-invoice-get': async (input, { core }) => core.tx.read((m) => invoiceDetail(m, input.invoiceId, parisDay(core.clock.now()))),
  'billing-invoice-cancel': async (input, ctx) => cancelInvoice(ctx.core, requireActor(ctx), input.invoiceId, input.reason),
  'billing-adjustment-create': async (input, ctx) => ({ adjustmentId: await createAdjustment(ctx.core, requireActor(ctx), input) }),

  'billing-payment-record': async (input, ctx) => recordPayment(ctx.core, requireActor(ctx), input),
  'billing-payments-list': async (input, { core }) => core.tx.read(async (m) => listPayments(m, { ...input, today: parisDay(core.clock.now()) })),
  'billing-payment-reject': async (input, ctx) => {
    const actor = requireActor(ctx)
    const on = input.rejectedOn ?? parisDay(ctx.core.clock.now())
    // A debit of a SEPA file: its mandate and the bank fee follow (sepa/rejects.ts).
    await ctx.core.tx.run(async (m) => {
      const p = await m.findOneBy(Payment, { id: input.paymentId })
      if (!p) throw notFound('Règlement')
      const c = p.mode === 'prelevement' ? await collectionOfPayment(m, p.id) : null
      if (c) await rejectCollectionIn(m, ctx.core, actor, c, input.reason, on)
      else await rejectPaymentIn(m, ctx.core, actor, p, input.reason, on)
    })
    return { ok: true as const }
  },
  'billing-payment-review': async (input, ctx) => {
    await reviewPayment(ctx.core, requireActor(ctx), input.paymentId, input.note)
    return { ok: true as const }
  },
  'billing-credit-allocate': async (input, ctx) => ({ allocatedCents: await allocateCredit(ctx.core, requireActor(ctx), input.familyId, input.regieId) }),
  'billing-family-account': async (input, { core }) =>
    core.tx.read(async (m) => {
      const today = parisDay(core.clock.now())
      const year = input.schoolYear ?? schoolYearOf(today)
      const b = familyBalance(m, input.familyId, today)
      return {
        statement: familyStatement(m, input.familyId, year, today),
        balanceCents: b.balanceCents,
        unpaidCents: b.unpaidCents,
        creditCents: b.creditCents,
        debitInFlightCents: b.debitInFlightCents,
        openInvoices: (await listInvoices(m, { today, familyId: input.familyId, unpaidOnly: true, limit: 200, offset: 0 })).items,
        payments: listPayments(m, { today, familyId: input.familyId, limit: 50, offset: 0 }).items,
        mandate: mandateDtos(m, { familyId: input.familyId, status: 'active' })[0] ?? null
      }
    }),

  'billing-deposit-create': async (input, ctx) => createDeposit(ctx.core, requireActor(ctx), input),
  'billing-deposits-list': async (input, { core }) => core.tx.read((m) => depositDtos(m, input.regieId)),

  'billing-pes-settings-get': async (input, { core }) => core.tx.read((m) => getPesSettings(m, input.regieId)),
  'billing-pes-settings-save': async (input, ctx) => {
    await savePesSettings(ctx.core, requireActor(ctx), input)
    return { ok: true as const }
  },
  'billing-pes-list': async (input, { core }) =>
    core.tx.read(async (m) => {
      const regies = input.regieId ? [input.regieId] : (await m.find(RegiePes, { where: { enabled: true } })).map((r) => r.regieId)
      return { bordereaux: pesBordereauDtos(m, input.regieId), pendingCredits: regies.flatMap((r) => pendingCredits(m, r)) }
    }),
  'billing-pes-titres': async (input, { core }) => core.tx.read(async (m) => pesTitreDtos(m, input.bordereauId)),
  'billing-pes-export-run': async (input, ctx) => exportRunToPes(ctx.core, requireActor(ctx), input.runId),
  'billing-pes-export-credits': async (input, ctx) => exportCreditNotesToPes(ctx.core, requireActor(ctx), input.regieId),
  'billing-pes-mark-sent': async (input, ctx) => {
    await markPesSent(ctx.core, requireActor(ctx), input.bordereauId)
    return { ok: true as const }
  },

  'billing-unpaid-list': async (input, { core }) => core.tx.read((m) => unpaidList(m, parisDay(core.clock.now()), input)),
  'billing-reminders-send': async (input, ctx) => {
    const r = await sendReminders(ctx.core, requireActor(ctx), input)
    return { emailed: r.emailed, letters: r.letters, file: r.lettersPdf ? file({ filename: `relances-niveau-${input.level}.pdf`, data: r.lettersPdf }, 'application/pdf') : null }
  },

  'billing-export': async (input, { core }) => file(await buildExport(core, input), XLSX_MIME),
  'billing-file': async (input, ctx) => {
    const actor = requireActor(ctx)
    const { core } = ctx
    const need = <T>(v: T | undefined): T => {
      if (v === undefined) throw new DomainError('invalid_input', 'Document non précisé.', 400)
      return v
    }
    switch (input.kind) {
      case 'invoice':
        return file(await renderInvoice(core, need(input.id)), 'application/pdf')
      case 'credit-note':
        return file(await renderCreditNote(core, need(input.id)), 'application/pdf')
      case 'receipt':
        return file(await renderReceipt(core, need(input.id)), 'application/pdf')
      case 'deposit':
        return file(await renderDeposit(core, need(input.id)), 'application/pdf')
      case 'statement':
        return file(await renderStatement(core, need(input.familyId), input.schoolYear ?? schoolYearOf(parisDay(core.clock.now()))), 'application/pdf')
      case 'sepa': {
        // Debtors' IBANs: billing roles only, not the desk.
        if (actor.role === 'accueil') throw forbidden()
        const e = await core.tx.read((m) => m.findOneBy(SepaExport, { id: need(input.id) }))
        if (!e) throw new DomainError('not_found', 'Fichier de prélèvement introuvable.', 404)
        return { filename: `prelevements-sepa-${e.msgId}.xml`, mime: 'application/xml', base64: Buffer.from(sepaExportXml(core, e), 'utf8').toString('base64') }
      }
      case 'pes': {
        // Debtors' identities and bank details: billing roles only.
        if (actor.role === 'accueil') throw forbidden()
        const b = await core.tx.read((m) => m.findOneBy(PesBordereau, { id: need(input.id) }))
        if (!b) throw new DomainError('not_found', 'Bordereau PES introuvable.', 404)
        return { filename: b.fileName, mime: 'application/xml', base64: Buffer.from(pesBordereauXml(core, b), 'utf8').toString('base64') }
      }
      case 'job': {
        const j = getJob(need(input.jobId))
        if (!j.file) throw new DomainError('not_found', 'Ce traitement n’a pas produit de fichier.', 404)
        return file({ filename: j.file.filename, data: j.file.data }, j.file.mime)
      }
    }
  },
  'billing-attestation-create': async (input, ctx) => createAttestation(ctx.core, requireActor(ctx), input.familyId, input.year)
}
