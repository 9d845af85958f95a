import type { RouteRecordRaw } from 'vue-router'

// Merged with the back-office's augmentation (both UIs are one TS project): same modifiers on shared keys.
declare module 'vue-router' {
  interface RouteMeta {
    /** Page title (document.title starts with it); every portal route sets one. */
    title?: string
    /** Reachable without a session. */
    public?: boolean
    /** Only without a session (a logged-in family goes home instead). */
    guestOnly?: boolean
  }
}

/** Every portal route; a section's path is the one its tile uses in tiles.ts (and navigation.ts). */
export const routes: RouteRecordRaw[] = [
  { path: '/connexion', name: 'login', component: () => import('./pages/LoginPage.vue'), meta: { title: 'Connexion', public: true, guestOnly: true } },
  { path: '/creer-un-compte', name: 'register', component: () => import('./pages/RegisterPage.vue'), meta: { title: 'Créer un compte', public: true, guestOnly: true } },
  {
    path: '/creer-un-compte/confirmation',
    name: 'register-done',
    component: () => import('./pages/RegisterDonePage.vue'),
    meta: { title: 'Demande de compte envoyée', public: true }
  },
  { path: '/mot-de-passe-oublie', name: 'forgot', component: () => import('./pages/ForgotPasswordPage.vue'), meta: { title: 'Mot de passe oublié', public: true } },
  { path: '/reinitialisation', name: 'reset', component: () => import('./pages/ResetPasswordPage.vue'), meta: { title: 'Nouveau mot de passe', public: true } },
  {
    path: '/changement-mot-de-passe',
    name: 'forced-change',
    component: () => import('./pages/ForcedPasswordChangePage.vue'),
    meta: { title: 'Changement de mot de passe obligatoire' }
  },
  { path: '/', name: 'home', component: () => import('./pages/HomePage.vue'), meta: { title: 'Accueil' } },
  { path: '/mon-compte', name: 'account', component: () => import('./pages/AccountPage.vue'), meta: { title: 'Mon compte' } },
  { path: '/mon-dossier', name: 'file', component: () => import('./family-file/FilePage.vue'), meta: { title: 'Mon dossier' } },
  { path: '/mon-dossier/ajouter-un-enfant', name: 'add-child', component: () => import('./family-file/ChildWizardPage.vue'), meta: { title: 'Ajouter un enfant' } },
  { path: '/mon-dossier/autre-parent', name: 'coparent', component: () => import('./family-file/CoparentRequestPage.vue'), meta: { title: 'Je suis l’autre parent' } },
  { path: '/mes-demandes', name: 'requests', component: () => import('./family-file/RequestsPage.vue'), meta: { title: 'Mes demandes' } },
  { path: '/inscriptions', name: 'enrolments', component: () => import('./enrolments/EnrolmentsPage.vue'), meta: { title: 'Inscriptions' } },
  { path: '/planning-reservations', name: 'bookings', component: () => import('./bookings/BookingsPage.vue'), meta: { title: 'Planning-Réservations' } },
  { path: '/planning-reservations/periode', name: 'bookings-period', component: () => import('./bookings/PeriodPage.vue'), meta: { title: 'Réservations sur période' } },
  { path: '/planning-reservations/absence', name: 'bookings-absence', component: () => import('./bookings/AbsencePage.vue'), meta: { title: 'Déclarer une absence' } },
  { path: '/planning-reservations/demandes', name: 'bookings-requests', component: () => import('./bookings/MyBookingRequestsPage.vue'), meta: { title: 'Mes demandes de réservation' } },
  { path: '/factures', name: 'billing', component: () => import('./pages/BillingPage.vue'), meta: { title: 'Factures et documents' } },
  { path: '/factures/paiement', name: 'billing-return', component: () => import('./pages/PaymentReturnPage.vue'), meta: { title: 'Paiement en ligne' } },
  { path: '/messagerie', name: 'messages', component: () => import('./family-file/MessagesPage.vue'), meta: { title: 'Messagerie' } },
  { path: '/actualites', name: 'news', component: () => import('./family-file/NewsPage.vue'), meta: { title: 'Actualités' } },
  { path: '/telechargements', name: 'downloads', component: () => import('./family-file/DownloadsPage.vue'), meta: { title: 'Téléchargements et documents' } },
  { path: '/contact', name: 'contact', component: () => import('./pages/ContactPage.vue'), meta: { title: 'Contact', public: true } },
  { path: '/:pathMatch(.*)*', name: 'not-found', component: () => import('./pages/NotFoundPage.vue'), meta: { title: 'Page introuvable', public: true } }
]
