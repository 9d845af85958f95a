import { Foundation0000000000001 } from './0001-foundation'
import { FamilyFile0000000000002 } from './0002-family-file'
import { ActivitiesCalendar0000000000003 } from './0003-activities-calendar'
import { Bookings0000000000004 } from './0004-bookings'
import { Billing0000000000005 } from './0005-billing'
import { RushIndexes0000000000006 } from './0006-rush-indexes'
import { DecidedQueueIndex0000000000007 } from './0007-decided-queue-index'
import { StructureWebsite0000000000008 } from './0008-structure-website'
import { LoginThrottle0000000000009 } from './0009-login-throttle'
import { SepaRulebook0000000000010 } from './0010-sepa-rulebook'
import { OutboxSending0000000000011 } from './0011-outbox-sending'
import { RecordVersions0000000000012 } from './0012-record-versions'
import { AllocationDates0000000000013 } from './0013-allocation-dates'
import { MealShares0000000000014 } from './0014-meal-shares'
import { OnePaymentPerDebt0000000000015 } from './0015-one-payment-per-debt'
import { PesRecette0000000000016 } from './0016-pes-recette'
import { StructureContact0000000000017 } from './0017-structure-contact'
import { Imports0000000000018 } from './0018-imports'
import { StaffNetwork0000000000019 } from './0019-staff-network'
import { AttendanceMarks0000000000020 } from './0020-attendance-marks'
import { DeskDay0000000000021 } from './0021-desk-day'
import { InvoiceStaging0000000000022 } from './0022-invoice-staging'
import { AgendaFeed0000000000023 } from './0023-agenda-feed'
import { InvoiceInPlace0000000000024 } from './0024-invoice-in-place'
import { PickupPhotos0000000000025 } from './0025-pickup-photos'
import { ChildConsents0000000000026 } from './0026-child-consents'
import { Households0000000000027 } from './0027-households'
import { BillingSplit0000000000028 } from './0028-billing-split'
import { Exports0000000000029 } from './0029-exports'
import { BulkJobs0000000000030 } from './0030-bulk-jobs'
import { PortalLogins0000000000031 } from './0031-portal-logins'
import { PesTitreStage0000000000032 } from './0032-pes-titre-stage'
import { OutboxDocuments0000000000033 } from './0033-outbox-documents'
import { BillingSplitHistory0000000000034 } from './0034-billing-split-history'

/**
 * Numbered migrations, applied in this order. The number at the end of each
 * class name is its position (TypeORM sorts by it); a unit test checks the
 * list is consecutive so two branches cannot both add "0005".
 */
export const migrations = [
  Foundation0000000000001,
  FamilyFile0000000000002,
  ActivitiesCalendar0000000000003,
  Bookings0000000000004,
  Billing0000000000005,
  RushIndexes0000000000006,
  DecidedQueueIndex0000000000007,
  StructureWebsite0000000000008,
  LoginThrottle0000000000009,
  SepaRulebook0000000000010,
  OutboxSending0000000000011,
  RecordVersions0000000000012,
  AllocationDates0000000000013,
  MealShares0000000000014,
  OnePaymentPerDebt0000000000015,
  PesRecette0000000000016,
  StructureContact0000000000017,
  Imports0000000000018,
  StaffNetwork0000000000019,
  AttendanceMarks0000000000020,
  DeskDay0000000000021,
  InvoiceStaging0000000000022,
  AgendaFeed0000000000023,
  InvoiceInPlace0000000000024,
  PickupPhotos0000000000025,
  ChildConsents0000000000026,
  Households0000000000027,
  BillingSplit0000000000028,
  Exports0000000000029,
  BulkJobs0000000000030,
  PortalLogins0000000000031,
  PesTitreStage0000000000032,
  OutboxDocuments0000000000033,
  BillingSplitHistory0000000000034
]
