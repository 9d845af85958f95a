import { SYSTEM } from '../../../src-main/core/actor'
import { createAdjustment } from '../../../src-main/billing/invoicing/adjustments'
import { issueRun } from '../../../src-main/billing/invoicing/issue'
import { saveRegie } from '../../../src-main/billing/regies'
import { Invoice } from '../../../src-main/billing/entities'
import type { CrossFamilyModule } from './types'

/**
 * Cross-family cases of #6 (billing): each family gets one invoice (from a
 * manual adjustment billed by a run), whose id is the owned `invoice`.
 */
let regieId: number | null = null

export const module: CrossFamilyModule = {
  async seed(ctx, { family }) {
    const staff = { kind: 'staff' as const, id: ctx.director.id, label: 'Direction', role: 'direction' as const }
    regieId ??= await saveRegie(ctx.core, SYSTEM, {
      id: null, name: 'Régie croisée', code: 'CF', invoiceFormat: '{CODE}-{N}', creditFormat: '{CODE}-AV{N}', paymentFormat: '{CODE}-R{N}', isDefault: true,
      dueDays: 20, paymentMethods: '', creditorName: '', ics: '', creditorIban: '', creditorBic: '', active: true, activityIds: []
    })
    await createAdjustment(ctx.core, staff, { regieId, familyId: family.familyId, childId: null, month: '2026-08', label: `Frais de dossier ${family.lastName}`, amountCents: 1234 })
    await issueRun(ctx.core, staff, { regieId, month: '2026-08' })
    const inv = await ctx.core.tx.read((m) => m.findOneByOrFail(Invoice, { familyId: family.familyId }))
    return { invoice: inv.id }
  },
  markers: ({ family }) => [`Frais de dossier ${family.lastName}`],
  cases: {
    'billing-invoice-detail': (id) => ({ invoiceId: id('invoiceId') }),
    'billing-pay-online': (id) => ({ invoiceIds: [id('invoiceIds')] })
  }
}
