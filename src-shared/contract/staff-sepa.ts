import { z } from '../zod-fr'
import { id, ok, recordVersion } from './common'
import { proc, type ProcedureMap } from './procedure'
import { BILLING } from './staff-billing'
import {
  collectionDto,
  debitExportResult,
  debitPlan,
  debitPlanInput,
  debitRejectInput,
  mandateDto,
  mandateInput,
  sepaExportDto,
  sepaSettingsDto,
  statusReportResult
} from './sepa'

/** Staff procedures of SEPA direct debit (#13). Debtors' IBANs: billing roles only, never the desk. */
export const sepaStaffProcedures = {
  'billing-sepa-settings-get': proc({ input: z.object({}), output: sepaSettingsDto.extend({ version: z.number().int() }), roles: BILLING, query: true }),
  'billing-sepa-settings-save': proc({ input: sepaSettingsDto.extend({ version: recordVersion }), output: ok, roles: BILLING }),

  'billing-mandates-list': proc({ input: z.object({ familyId: id.optional(), status: z.enum(['active', 'revoked', 'used']).optional() }), output: z.array(mandateDto), roles: BILLING, query: true }),
  'billing-mandate-save': proc({ input: mandateInput, output: z.object({ mandateId: id }), roles: BILLING }),
  'billing-mandate-revoke': proc({ input: z.object({ mandateId: id }), output: ok, roles: BILLING }),
  /** « Dernier prélèvement » : the next collection is a FNAL, then the mandate is over. */
  'billing-mandate-end': proc({ input: z.object({ mandateId: id }), output: ok, roles: BILLING }),

  'billing-sepa-preview': proc({ input: debitPlanInput, output: debitPlan, roles: BILLING, query: true }),
  'billing-sepa-export': proc({ input: debitPlanInput, output: debitExportResult, roles: BILLING }),
  /** Progress of a commune-wide export running now (null: none), polled by the screen that started it. */
  'billing-export-progress': proc({
    input: z.object({ kind: z.enum(['sepa', 'pes']), regieId: id }),
    output: z.object({ step: z.string(), done: z.number().int(), total: z.number().int() }).nullable(),
    roles: BILLING,
    query: true
  }),
  'billing-sepa-exports-list': proc({ input: z.object({ regieId: id.optional() }), output: z.array(sepaExportDto), roles: BILLING, query: true }),
  'billing-sepa-collections': proc({
    input: z.object({ exportId: id.optional(), familyId: id.optional(), inFlight: z.boolean().default(false), limit: z.number().int().min(1).max(5000).default(500) }),
    output: z.array(collectionDto),
    roles: BILLING,
    query: true
  }),
  'billing-sepa-reject': proc({ input: debitRejectInput, output: z.object({ feeCents: z.number().int() }), roles: BILLING }),
  /** The bank's pain.002 status report: `apply: false` shows what it says, `apply: true` records its rejects. */
  'billing-sepa-status-import': proc({
    input: z.object({ xml: z.string().min(1, { error: 'Choisissez le fichier du compte rendu (pain.002).' }).max(5_000_000, { error: 'Fichier trop volumineux (5 Mo au plus).' }), apply: z.boolean().default(false) }),
    output: statusReportResult,
    roles: BILLING
  })
} satisfies ProcedureMap
