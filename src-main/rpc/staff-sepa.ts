import type { sepaStaffProcedures } from '@shared/contract/staff-sepa'
import { parisDay } from '../core/clock'
import { collectionDtos, sepaExportDtos } from '../billing/sepa/collections'
import { progressOf } from '../billing/job-progress'
import { exportDirectDebits, previewDirectDebits } from '../billing/sepa/export'
import { endMandate, mandateDtos, revokeMandate, saveMandate } from '../billing/sepa/mandates'
import { importStatusReport, rejectDebit } from '../billing/sepa/rejects'
import { saveSepaSettings, sepaSettingsForm } from '../billing/sepa/settings'
import { requireActor, type HandlersFor, type StaffActor } from './types'

/** Staff handlers of SEPA direct debit (#13): thin, the work is in src-main/billing/sepa. */
export const sepaStaffHandlers: HandlersFor<typeof sepaStaffProcedures, StaffActor | null> = {
  'billing-sepa-settings-get': async (_i, { core }) => core.tx.read((m) => sepaSettingsForm(m)),
  'billing-sepa-settings-save': async (input, ctx) => {
    await saveSepaSettings(ctx.core, requireActor(ctx), input)
    return { ok: true as const }
  },

  'billing-mandates-list': async (input, { core }) => core.tx.read(async (m) => mandateDtos(m, input)),
  'billing-mandate-save': async (input, ctx) => ({ mandateId: await saveMandate(ctx.core, requireActor(ctx), input) }),
  'billing-mandate-revoke': async (input, ctx) => {
    await revokeMandate(ctx.core, requireActor(ctx), input.mandateId)
    return { ok: true as const }
  },
  'billing-mandate-end': async (input, ctx) => {
    await endMandate(ctx.core, requireActor(ctx), input.mandateId)
    return { ok: true as const }
  },

  'billing-sepa-preview': async (input, { core }) => previewDirectDebits(core, input),
  'billing-sepa-export': async (input, ctx) => exportDirectDebits(ctx.core, requireActor(ctx), input),
  'billing-export-progress': async (input) => progressOf(input.kind, input.regieId),
  'billing-sepa-exports-list': async (input, { core }) => core.tx.read(async (m) => sepaExportDtos(m, parisDay(core.clock.now()), input.regieId)),
  'billing-sepa-collections': async (input, { core }) => core.tx.read(async (m) => collectionDtos(m, parisDay(core.clock.now()), input)),
  'billing-sepa-reject': async (input, ctx) => rejectDebit(ctx.core, requireActor(ctx), input),
  'billing-sepa-status-import': async (input, ctx) => importStatusReport(ctx.core, requireActor(ctx), input)
}
