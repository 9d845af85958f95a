import { ENROLMENTS_RGPD_LABELS, ENROLMENTS_RGPD_TITLE, enrolmentsRgpdSection } from '../activities/rgpd-section'
import { BOOKINGS_RGPD_LABELS, BOOKINGS_RGPD_TITLE, bookingsRgpdSection } from '../bookings/rgpd-section'
import { BILLING_RGPD_LABELS, BILLING_RGPD_TITLE, billingRgpdSection } from '../billing/rgpd-section'
import { registerRgpdExportSection } from './export-sections'

/**
 * Each capability's part of the RGPD export, in the order the PDF shows them
 * (like rpc/ownership.ts for resolvers: one line per capability). Imported by
 * export.ts, so every way of exporting (portal, back-office, RPC) has them.
 */
registerRgpdExportSection(ENROLMENTS_RGPD_TITLE, enrolmentsRgpdSection, ENROLMENTS_RGPD_LABELS)
registerRgpdExportSection(BOOKINGS_RGPD_TITLE, bookingsRgpdSection, BOOKINGS_RGPD_LABELS)
registerRgpdExportSection(BILLING_RGPD_TITLE, billingRgpdSection, BILLING_RGPD_LABELS)
