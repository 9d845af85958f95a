import type { activitiesStaffProcedures } from '@shared/contract/staff-activities'
import {
  activitiesTree,
  deleteActivity,
  deleteActivityType,
  deleteCapacity,
  deleteFacility,
  deleteGroup,
  deletePeriod,
  deleteUnit,
  saveActivity,
  saveActivityType,
  saveCapacity,
  saveFacility,
  saveGroup,
  savePeriod,
  saveUnit
} from '../activities/config'
import { previewClosureCancellations } from '../calendar/closure-bookings'
import { groupDto, unitExclusions, unitDto } from '../activities/dto'
import { acceptEnrolments, changeEnrolment, endEnrolment, enrolDirectly, enrolmentIdForRequest, refuseEnrolment, waitlistEnrolment } from '../activities/enrolment'
import { listEnrolments } from '../activities/queries'
import { startAutobookJob } from '../activities/autobook-job'
import { getJob, jobDto, listUnfinishedJobs, resumeJob } from '../jobs/kinds'
import {
  calendarYear,
  deleteClosure,
  deleteSchoolHoliday,
  getCalendarSettings,
  listClosures,
  listSchoolHolidays,
  reloadSchoolHolidays,
  saveClosure,
  saveSchoolHoliday,
  updateCalendarSettings
} from '../calendar/admin'
import { requireActor, type HandlersFor, type StaffActor } from './types'

const done = { ok: true as const }

/** Staff handlers of issue #4: thin calls into activities/ and calendar/. */
export const activitiesStaffHandlers: HandlersFor<typeof activitiesStaffProcedures, StaffActor | null> = {
  'activities-tree': (_i, ctx) => activitiesTree(ctx.core),
  'facilities-save': (i, ctx) => saveFacility(ctx.core, requireActor(ctx), i),
  'facilities-delete': async (i, ctx) => (await deleteFacility(ctx.core, requireActor(ctx), i.id), done),
  'activity-types-save': (i, ctx) => saveActivityType(ctx.core, requireActor(ctx), i),
  'activity-types-delete': async (i, ctx) => (await deleteActivityType(ctx.core, requireActor(ctx), i.id), done),
  'activities-save': (i, ctx) => saveActivity(ctx.core, requireActor(ctx), i),
  'activities-delete': async (i, ctx) => (await deleteActivity(ctx.core, requireActor(ctx), i.id), done),
  'periods-save': (i, ctx) => savePeriod(ctx.core, requireActor(ctx), i),
  'periods-delete': async (i, ctx) => (await deletePeriod(ctx.core, requireActor(ctx), i.id), done),
  'groups-save': async (i, ctx) => groupDto(await saveGroup(ctx.core, requireActor(ctx), i)),
  'groups-delete': async (i, ctx) => (await deleteGroup(ctx.core, requireActor(ctx), i.id), done),
  'units-save': async (i, ctx) => {
    const u = await saveUnit(ctx.core, requireActor(ctx), i)
    const excl = await ctx.core.tx.read((m) => unitExclusions(m, [u.id]))
    return unitDto(u, excl.get(u.id) ?? [])
  },
  'units-delete': async (i, ctx) => (await deleteUnit(ctx.core, requireActor(ctx), i.id), done),
  'capacities-save': (i, ctx) => saveCapacity(ctx.core, requireActor(ctx), i),
  'capacities-delete': async (i, ctx) => (await deleteCapacity(ctx.core, requireActor(ctx), i.id), done),

  'closures-list': (i, ctx) => listClosures(ctx.core, i.from, i.to),
  'closures-preview': (i, ctx) => previewClosureCancellations(ctx.core, i),
  'closures-save': (i, ctx) => saveClosure(ctx.core, requireActor(ctx), i),
  'closures-delete': async (i, ctx) => (await deleteClosure(ctx.core, requireActor(ctx), i.id), done),
  'school-holidays-list': (i, ctx) => listSchoolHolidays(ctx.core, i.zone),
  'school-holidays-save': (i, ctx) => saveSchoolHoliday(ctx.core, requireActor(ctx), i),
  'school-holidays-delete': async (i, ctx) => (await deleteSchoolHoliday(ctx.core, requireActor(ctx), i.id), done),
  'school-holidays-reload': (_i, ctx) => reloadSchoolHolidays(ctx.core, requireActor(ctx)),
  'calendar-settings-get': (_i, ctx) => getCalendarSettings(ctx.core),
  'calendar-settings-update': async (i, ctx) => (await updateCalendarSettings(ctx.core, requireActor(ctx), i), done),
  'calendar-year': (i, ctx) => calendarYear(ctx.core, i),

  'enrolments-list': (i, ctx) =>
    ctx.core.tx.read((m) => listEnrolments(m, { ...i, statuses: i.statuses.length ? i.statuses : undefined })),
  'enrolments-accept': (i, ctx) => acceptEnrolments(ctx.core, requireActor(ctx), i.enrolmentIds, i.waitlistIfFull),
  'enrolments-accept-period': async (i, ctx) => jobDto(ctx.core, await startAutobookJob(ctx.core, requireActor(ctx), i)),
  'bulk-jobs-get': (i, ctx) => getJob(ctx.core, i.id),
  'bulk-jobs-unfinished': (i, ctx) => listUnfinishedJobs(ctx.core, i.kind),
  'bulk-jobs-resume': (i, ctx) => resumeJob(ctx.core, requireActor(ctx), i.id),
  'enrolment-requests-accept': async (i, ctx) => {
    const id = await enrolmentIdForRequest(ctx.core, i.requestId)
    return (await acceptEnrolments(ctx.core, requireActor(ctx), [id], i.waitlistIfFull))[0]
  },
  'enrolment-requests-refuse': async (i, ctx) => (await refuseEnrolment(ctx.core, requireActor(ctx), await enrolmentIdForRequest(ctx.core, i.requestId), i.reason), done),
  'enrolments-waitlist': (i, ctx) => waitlistEnrolment(ctx.core, requireActor(ctx), i.enrolmentId),
  'enrolments-refuse': async (i, ctx) => (await refuseEnrolment(ctx.core, requireActor(ctx), i.enrolmentId, i.reason), done),
  'enrolments-create': (i, ctx) => enrolDirectly(ctx.core, requireActor(ctx), i),
  'enrolments-update': (i, ctx) => changeEnrolment(ctx.core, requireActor(ctx), i.enrolmentId, i),
  'enrolments-end': (i, ctx) => endEnrolment(ctx.core, requireActor(ctx), i.enrolmentId, i.lastDay)
}
