import type { RouteRecordRaw } from 'vue-router'
import type { StaffRole } from '@shared/contract'
import { DESK, DIRECTION, FAMILY_READERS } from '@shared/contract/staff-foundation'
import { BILLING, CASHIER } from '@shared/contract/staff-billing'

declare module 'vue-router' {
  interface RouteMeta {
    /** Page title (document title and heading). */
    title?: string
    /** Roles allowed; absent = every logged-in role. */
    roles?: readonly StaffRole[]
    /** Reachable without a session (login). */
    public?: boolean
  }
}

/**
 * The screens shown inside the main layout (top bar + side menu). A later
 * issue adds its screen with ONE entry here (lazy `component: () => import(...)`)
 * and one in menu.ts. Paths are French, as users see them in the address bar.
 */
export const routes: RouteRecordRaw[] = [
  { path: '', name: 'home', component: () => import('./views/HomeView.vue'), meta: { title: 'Tableau de bord' } },
  { path: 'familles', name: 'families', component: () => import('./views/families/FamiliesView.vue'), meta: { title: 'Familles', roles: FAMILY_READERS } },
  {
    path: 'familles/:familyId(\\d+)',
    name: 'family',
    component: () => import('./views/families/FamilyView.vue'),
    props: (r) => ({ familyId: Number(r.params.familyId) }),
    meta: { title: 'Fiche famille', roles: FAMILY_READERS }
  },
  { path: 'validation', name: 'queue', component: () => import('./views/queue/QueueView.vue'), meta: { title: 'File de validation', roles: DESK } },
  {
    path: 'parametres/:tab?',
    name: 'settings',
    component: () => import('./views/settings/SettingsView.vue'),
    props: true,
    meta: { title: 'Paramètres', roles: DIRECTION }
  },
  { path: 'audit', name: 'audit', component: () => import('./views/admin/AuditView.vue'), meta: { title: "Journal d'audit", roles: DIRECTION } },
  { path: 'emails', name: 'outbox', component: () => import('./views/admin/OutboxView.vue'), meta: { title: 'E-mails envoyés', roles: DIRECTION } },
  { path: 'boite-demo', name: 'demo-mailbox', component: () => import('./views/mail/DemoMailboxView.vue'), meta: { title: 'Boîte de démonstration', roles: DIRECTION } },
  { path: 'sauvegardes', name: 'backups', component: () => import('./views/admin/BackupsView.vue'), meta: { title: 'Sauvegardes', roles: DIRECTION } },
  { path: 'systeme', name: 'system-health', component: () => import('./views/admin/SystemHealthView.vue'), meta: { title: 'État du système' } },
  { path: 'inscriptions', name: 'enrolments', component: () => import('./views/activities/EnrolmentsView.vue'), meta: { title: 'Inscriptions', roles: FAMILY_READERS } },
  { path: 'activites', name: 'activities', component: () => import('./views/activities/ActivitiesConfigView.vue'), meta: { title: 'Activités', roles: FAMILY_READERS } },
  { path: 'calendrier', name: 'calendar', component: () => import('./views/activities/CalendarView.vue'), meta: { title: 'Calendrier', roles: FAMILY_READERS } },
  { path: 'reservations/validation', name: 'booking-queue', component: () => import('./views/bookings/BookingQueueView.vue'), meta: { title: 'Réservations à valider', roles: DESK } },
  { path: 'pointage', name: 'attendance', component: () => import('./views/bookings/AttendanceView.vue'), meta: { title: 'Pointage', roles: ['direction', 'accueil', 'animateur'] } },
  {
    path: 'reservations/enfant/:childId(\\d+)?',
    name: 'child-planning',
    component: () => import('./views/bookings/ChildPlanningView.vue'),
    props: (r) => ({ childId: r.params.childId ? Number(r.params.childId) : undefined }),
    meta: { title: 'Planning par enfant', roles: FAMILY_READERS }
  },
  { path: 'reservations/jour', name: 'activity-day', component: () => import('./views/bookings/ActivityDayView.vue'), meta: { title: 'Planning du jour', roles: FAMILY_READERS } },
  { path: 'reservations/occupation', name: 'occupancy', component: () => import('./views/bookings/OccupancyView.vue'), meta: { title: 'Occupation', roles: FAMILY_READERS } },
  { path: 'reservations/delais', name: 'booking-rules', component: () => import('./views/bookings/BookingRulesView.vue'), meta: { title: 'Délais de réservation', roles: DIRECTION } },
  { path: 'facturation', name: 'billing-runs', component: () => import('./views/billing/RunsView.vue'), meta: { title: 'Facturation', roles: BILLING } },
  { path: 'facturation/factures', name: 'billing-invoices', component: () => import('./views/billing/InvoicesView.vue'), meta: { title: 'Factures', roles: CASHIER } },
  { path: 'facturation/reglements', name: 'billing-payments', component: () => import('./views/billing/PaymentsView.vue'), meta: { title: 'Règlements', roles: CASHIER } },
  { path: 'facturation/impayes', name: 'billing-unpaid', component: () => import('./views/billing/UnpaidView.vue'), meta: { title: 'Impayés et relances', roles: BILLING } },
  { path: 'facturation/prelevements', name: 'billing-debits', component: () => import('./views/billing/DirectDebitView.vue'), meta: { title: 'Prélèvements SEPA', roles: BILLING } },
  { path: 'facturation/tresor', name: 'billing-tresor', component: () => import('./views/billing/TresorView.vue'), meta: { title: 'Trésor public (PES V2)', roles: BILLING } },
  { path: 'facturation/tarifs', name: 'billing-tariffs', component: () => import('./views/billing/TariffsView.vue'), meta: { title: 'Tarifs et régies', roles: BILLING } },
  { path: 'facturation/exports', name: 'billing-exports', component: () => import('./views/billing/ExportsView.vue'), meta: { title: 'Exports comptables', roles: BILLING } },
  {
    path: 'facturation/compte/:familyId(\\d+)',
    name: 'billing-account',
    component: () => import('./views/billing/FamilyAccountView.vue'),
    props: (r) => ({ familyId: Number(r.params.familyId) }),
    meta: { title: 'Compte famille', roles: CASHIER }
  },
  { path: 'familles/:familyId(\\d+)/dossier', name: 'family-file', component: () => import('./views/family-file/FamilyFileView.vue'), props: (r) => ({ familyId: Number(r.params.familyId) }), meta: { title: 'Dossier famille', roles: FAMILY_READERS } },
  { path: 'modifications-dossier', name: 'file-changes', component: () => import('./views/family-file/FileChangesView.vue'), meta: { title: 'Modifications du dossier', roles: ['direction', 'accueil', 'comptable'] } },
  { path: 'messagerie', name: 'messages', component: () => import('./views/messaging/MessagesView.vue'), meta: { title: 'Messagerie', roles: ['direction', 'accueil', 'comptable'] } },
  { path: 'documents', name: 'documents', component: () => import('./views/documents/DocumentsView.vue'), meta: { title: 'Documents', roles: ['direction', 'accueil', 'comptable'] } },
  { path: 'imports', name: 'imports', component: () => import('./views/imports/ImportsView.vue'), meta: { title: 'Imports', roles: DESK } },
  { path: 'imports/nouveau', name: 'import-new', component: () => import('./views/imports/ImportWizardView.vue'), meta: { title: 'Nouvel import', roles: DIRECTION } },
  {
    path: 'imports/:batchId(\\d+)',
    name: 'import-batch',
    component: () => import('./views/imports/ImportBatchView.vue'),
    props: (r) => ({ batchId: Number(r.params.batchId) }),
    meta: { title: 'Lot d’import', roles: DESK }
  },
  { path: 'actualites', name: 'news', component: () => import('./views/news/NewsView.vue'), meta: { title: 'Actualités', roles: ['direction', 'accueil', 'comptable'] } }
]
