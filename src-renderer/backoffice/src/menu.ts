import type { StaffRole } from '@shared/contract'
import { unreadBadge } from './views/messaging/badge'
import { demoMailboxShown } from './views/mail/mail-status'
import { bookingLinesBadge, requestsBadge } from './views/queue/counters'
import { DESK, DIRECTION, FAMILY_READERS } from '@shared/contract/staff-foundation'
import { BILLING, CASHIER } from '@shared/contract/staff-billing'

/**
 * The side menu, built from this list. A later issue adds its screen with
 * ONE entry here (and one route in routes.ts). Entries are grouped under
 * their `section` heading, in order of first appearance; an entry is hidden
 * from roles not listed (absent `roles` = every role). Hiding is a courtesy:
 * the API refuses the calls anyway.
 */
export interface MenuEntry {
  label: string
  /** PrimeIcons class, e.g. 'pi pi-users'. */
  icon: string
  /** Route path. */
  to: string
  roles?: readonly StaffRole[]
  section: string
  /** A count shown beside the label (0 hides it); reactive, read at render. */
  badge?: () => number
  /** Shown only while this is true (reactive, read at render): a screen that exists only in some set-ups. */
  when?: () => boolean
  /** What the count is, for screen readers (« 3 en attente »). */
  badgeLabel?: string
}

export const menu: MenuEntry[] = [
  { label: 'Tableau de bord', icon: 'pi pi-home', to: '/', section: 'Accueil' },
  { label: 'Familles', icon: 'pi pi-users', to: '/familles', roles: FAMILY_READERS, section: 'Familles' },
  { label: 'File de validation', icon: 'pi pi-inbox', to: '/validation', roles: DESK, section: 'Familles', badge: requestsBadge, badgeLabel: 'en attente' },
  { label: 'Paramètres', icon: 'pi pi-cog', to: '/parametres', roles: DIRECTION, section: 'Administration' },
  { label: "Journal d'audit", icon: 'pi pi-history', to: '/audit', roles: DIRECTION, section: 'Administration' },
  { label: 'E-mails envoyés', icon: 'pi pi-envelope', to: '/emails', roles: DIRECTION, section: 'Administration' },
  { label: 'Boîte de démonstration', icon: 'pi pi-inbox', to: '/boite-demo', roles: DIRECTION, section: 'Administration', when: demoMailboxShown },
  { label: 'Sauvegardes', icon: 'pi pi-database', to: '/sauvegardes', roles: DIRECTION, section: 'Administration' },
  { label: 'État du système', icon: 'pi pi-server', to: '/systeme', section: 'Administration' },
  { label: 'Inscriptions', icon: 'pi pi-file-edit', to: '/inscriptions', roles: FAMILY_READERS, section: 'Activités' },
  { label: 'Activités', icon: 'pi pi-sitemap', to: '/activites', roles: FAMILY_READERS, section: 'Activités' },
  { label: 'Calendrier', icon: 'pi pi-calendar', to: '/calendrier', roles: FAMILY_READERS, section: 'Activités' },
  { label: 'Réservations à valider', icon: 'pi pi-check-square', to: '/reservations/validation', roles: DESK, section: 'Réservations', badge: bookingLinesBadge, badgeLabel: 'en attente' },
  { label: 'Pointage', icon: 'pi pi-list-check', to: '/pointage', roles: ['direction', 'accueil', 'animateur'], section: 'Réservations' },
  { label: 'Planning par enfant', icon: 'pi pi-user', to: '/reservations/enfant', roles: FAMILY_READERS, section: 'Réservations' },
  { label: 'Planning du jour', icon: 'pi pi-calendar-clock', to: '/reservations/jour', roles: FAMILY_READERS, section: 'Réservations' },
  { label: 'Occupation', icon: 'pi pi-chart-bar', to: '/reservations/occupation', roles: FAMILY_READERS, section: 'Réservations' },
  { label: 'Délais de réservation', icon: 'pi pi-clock', to: '/reservations/delais', roles: DIRECTION, section: 'Réservations' },
  { label: 'Facturation', icon: 'pi pi-calculator', to: '/facturation', roles: BILLING, section: 'Facturation' },
  { label: 'Factures', icon: 'pi pi-file', to: '/facturation/factures', roles: CASHIER, section: 'Facturation' },
  { label: 'Règlements', icon: 'pi pi-wallet', to: '/facturation/reglements', roles: CASHIER, section: 'Facturation' },
  { label: 'Impayés et relances', icon: 'pi pi-exclamation-circle', to: '/facturation/impayes', roles: BILLING, section: 'Facturation' },
  { label: 'Prélèvements SEPA', icon: 'pi pi-building-columns', to: '/facturation/prelevements', roles: BILLING, section: 'Facturation' },
  { label: 'Trésor public (PES V2)', icon: 'pi pi-send', to: '/facturation/tresor', roles: BILLING, section: 'Facturation' },
  { label: 'Tarifs et régies', icon: 'pi pi-tags', to: '/facturation/tarifs', roles: BILLING, section: 'Facturation' },
  { label: 'Exports comptables', icon: 'pi pi-file-excel', to: '/facturation/exports', roles: BILLING, section: 'Facturation' },
  { label: 'Modifications du dossier', icon: 'pi pi-pen-to-square', to: '/modifications-dossier', roles: ['direction', 'accueil', 'comptable'], section: 'Familles' },
  { label: 'Imports', icon: 'pi pi-upload', to: '/imports', roles: DESK, section: 'Familles' },
  { label: 'Messagerie', icon: 'pi pi-comments', to: '/messagerie', roles: ['direction', 'accueil', 'comptable'], section: 'Communication', badge: unreadBadge, badgeLabel: 'non lu(s)' },
  { label: 'Documents', icon: 'pi pi-folder-open', to: '/documents', roles: ['direction', 'accueil', 'comptable'], section: 'Communication' },
  { label: 'Actualités', icon: 'pi pi-megaphone', to: '/actualites', roles: ['direction', 'accueil', 'comptable'], section: 'Communication' }
]
