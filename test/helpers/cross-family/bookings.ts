import type { CrossFamilyModule } from './types'

/**
 * Cross-family cases of #5 (reservations, absences). The child and upload
 * ids come from the family-file module's seed; activity and unit ids are
 * catalogue ids (the ownership check runs before anything reads them).
 */
export const module: CrossFamilyModule = {
  async seed() {
    return {}
  },
  cases: {
    'bookings-planning': (id) => ({ from: '2027-01-01', to: '2027-01-31', childId: id('childId') }),
    'bookings-period-preview': (id) => ({ childId: id('childId'), activityId: 1, from: '2027-01-01', to: '2027-01-31', weekType: 'all', slots: [{ weekday: 3, unitId: 1 }] }),
    'bookings-period-commit': (id) => ({ childId: id('childId'), activityId: 1, from: '2027-01-01', to: '2027-01-31', weekType: 'all', slots: [{ weekday: 3, unitId: 1 }] }),
    'bookings-absence-preview': (id) => ({ childId: id('childId'), from: '2027-01-04', to: '2027-01-08', reason: 'maladie', certificateUploadId: id('certificateUploadId') }),
    'bookings-absence-declare': (id) => ({ childId: id('childId'), from: '2027-01-04', to: '2027-01-08', reason: 'maladie', certificateUploadId: id('certificateUploadId') })
  }
}
