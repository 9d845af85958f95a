import type { bookingsStaffProcedures } from '@shared/contract/staff-bookings'
import { describeRule } from '@shared/bookings/deadlines'
import { attendancePdf } from '../bookings/attendance-pdf'
import { healthSheetsPdf } from '../bookings/health-sheets-pdf'
import { attendanceList, markAttendance, walkIn, walkInCandidates } from '../bookings/attendance'
import { decideChanges, decideRequestLines, listQueue } from '../bookings/decisions'
import { occupancy } from '../bookings/occupancy'
import { searchChildren } from '../bookings/options'
import { childPlanning } from '../bookings/planning'
import { getRules, setRules, type ActivityRules } from '../bookings/rules'
import { staffApply } from '../bookings/staff-actions'
import { requireActor, type HandlersFor, type StaffActor } from './types'

const rulesDto = (r: Omit<ActivityRules, 'isDefault'> & { isDefault: boolean }) => ({
  ...r,
  bookingText: describeRule(r.booking),
  cancellationText: describeRule(r.cancellation)
})

/** Staff handlers of issue #5. */
export const bookingsStaffHandlers: HandlersFor<typeof bookingsStaffProcedures, StaffActor | null> = {
  'bookings-rules-get': async (i, ctx) => rulesDto(await ctx.core.tx.read((m) => getRules(m, i.activityId))),
  'bookings-rules-set': async ({ activityId, ...r }, ctx) => rulesDto(await setRules(ctx.core, requireActor(ctx), activityId, r)),
  'bookings-queue': (i, ctx) => listQueue(ctx.core, i),
  'bookings-decide': (i, ctx) => decideChanges(ctx.core, requireActor(ctx), i),
  'bookings-decide-request': (i, ctx) => decideRequestLines(ctx.core, requireActor(ctx), i.requestId, i.decision, i.reason),
  'bookings-children-search': (i, ctx) => searchChildren(ctx.core, i.query),
  'bookings-child-planning': (i, ctx) => childPlanning(ctx.core, i.childId, i.from, i.to),
  'bookings-activity-day': (i, ctx) => attendanceList(ctx.core, { ...i, withRequests: true }),
  'bookings-staff-apply': (i, ctx) => staffApply(ctx.core, requireActor(ctx), i),
  'attendance-list': (i, ctx) => attendanceList(ctx.core, i),
  'attendance-mark': (i, ctx) => markAttendance(ctx.core, requireActor(ctx), i),
  'attendance-walk-in': (i, ctx) => walkIn(ctx.core, requireActor(ctx), i),
  'attendance-candidates': (i, ctx) => walkInCandidates(ctx.core, i),
  'attendance-pdf': (i, ctx) => attendancePdf(ctx.core, i),
  'attendance-health-sheets-pdf': (i, ctx) => healthSheetsPdf(ctx.core, requireActor(ctx), i),
  'bookings-occupancy': (i, ctx) => occupancy(ctx.core, i)
}
