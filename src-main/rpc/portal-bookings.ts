import type { bookingsPortalProcedures } from '@shared/contract/portal-bookings'
import { declareAbsence, previewAbsence } from '../bookings/absences'
import { commitFamilyChanges, commitPeriod, previewFamilyChanges, previewPeriod } from '../bookings/commit'
import { familyChanges } from '../bookings/my-requests'
import { familyOptions } from '../bookings/options'
import { familyPlanning, firstBookableDay } from '../bookings/planning'
import { requireActor, type FamilyActor, type HandlersFor } from './types'

const absence = (i: { childId: number; from: string; to: string; reason: 'maladie' | 'convenance' | 'autre'; comment: string; certificateUploadId: number | null }) => ({
  ...i,
  certificateDocumentId: null
})

/** Portal handlers of issue #5. */
export const bookingsPortalHandlers: HandlersFor<typeof bookingsPortalProcedures, FamilyActor | null> = {
  'bookings-planning': (i, ctx) => familyPlanning(ctx.core, requireActor(ctx).familyId, i.from, i.to, i.childId),
  'bookings-first-bookable': async (_i, ctx) => ({ day: await firstBookableDay(ctx.core, requireActor(ctx).familyId) }),
  'bookings-preview': (i, ctx) => previewFamilyChanges(ctx.core, requireActor(ctx), i.changes),
  'bookings-commit': (i, ctx) => commitFamilyChanges(ctx.core, requireActor(ctx), i.changes),
  'bookings-period-preview': (i, ctx) => previewPeriod(ctx.core, requireActor(ctx), i),
  'bookings-period-commit': (i, ctx) => commitPeriod(ctx.core, requireActor(ctx), i),
  'bookings-absence-preview': (i, ctx) => previewAbsence(ctx.core, requireActor(ctx), absence(i)),
  'bookings-absence-declare': (i, ctx) => declareAbsence(ctx.core, requireActor(ctx), absence(i)),
  'bookings-options': (_i, ctx) => familyOptions(ctx.core, requireActor(ctx).familyId),
  'bookings-my-requests': (i, ctx) => familyChanges(ctx.core, requireActor(ctx).familyId, i)
}
