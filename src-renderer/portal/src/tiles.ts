/**
 * The home page's tile grid. A later section adds itself by appending one
 * entry here and one route in routes.ts (same `to`).
 */
export interface Tile {
  title: string
  /** A PrimeIcons class, e.g. 'pi pi-calendar'. */
  icon: string
  /** Route path. */
  to: string
  description: string
}

export const tiles: Tile[] = [
  { title: 'Mon dossier', icon: 'pi pi-users', to: '/mon-dossier', description: 'Responsables, enfants, santé et autorisations.' },
  { title: 'Inscriptions', icon: 'pi pi-file-edit', to: '/inscriptions', description: 'Inscrire vos enfants aux activités.' },
  { title: 'Planning-Réservations', icon: 'pi pi-calendar', to: '/planning-reservations', description: 'Réservations, annulations et absences.' },
  { title: 'Déclarer une absence', icon: 'pi pi-calendar-times', to: '/planning-reservations/absence', description: 'Maladie, convenance : prévenez la structure.' },
  { title: 'Factures et documents', icon: 'pi pi-euro', to: '/factures', description: 'Factures, paiement et attestations.' },
  { title: 'Messagerie', icon: 'pi pi-envelope', to: '/messagerie', description: 'Écrire à la structure et lire ses réponses.' },
  { title: 'Actualités', icon: 'pi pi-megaphone', to: '/actualites', description: 'Les nouvelles des services.' },
  { title: 'Téléchargements', icon: 'pi pi-download', to: '/telechargements', description: 'Menus, règlement intérieur, documents utiles.' },
  { title: 'Contact', icon: 'pi pi-phone', to: '/contact', description: 'Coordonnées et horaires de la structure.' },
  { title: 'Mon compte', icon: 'pi pi-user', to: '/mon-compte', description: 'Identifiant, mot de passe et agenda des réservations.' },
  { title: 'Mes demandes', icon: 'pi pi-list', to: '/mes-demandes', description: 'Vos demandes et leur réponse : en attente, acceptées, refusées.' }
]
