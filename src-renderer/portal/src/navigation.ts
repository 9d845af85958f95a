import { tiles } from './tiles'

/**
 * The portal's persistent navigation: 003's tab bar (« Accueil, Dossier,
 * Inscriptions, Planning, Facturation, Messagerie, Actualités ») on a
 * computer; on a phone, a bottom bar with the four sections families open
 * most and « Menu » for every other one. Paths and icons are the home
 * tiles' (tiles.ts); the labels are short, as on 003's bar, so the tabs fit
 * one line.
 */
export interface NavItem {
  to: string
  label: string
  icon: string
}

const tile = (to: string, label: string): NavItem => {
  const t = tiles.find((x) => x.to === to)
  if (!t) throw new Error(`no tile for ${to}`)
  return { to, label, icon: t.icon }
}

export const HOME: NavItem = { to: '/', label: 'Accueil', icon: 'pi pi-home' }

/** The computer's tabs, in 003's order. */
export const TABS: NavItem[] = [
  HOME,
  tile('/mon-dossier', 'Mon dossier'),
  tile('/inscriptions', 'Inscriptions'),
  tile('/planning-reservations', 'Planning'),
  tile('/factures', 'Factures'),
  tile('/messagerie', 'Messagerie'),
  tile('/actualites', 'Actualités')
]

/** The phone's bottom bar (then « Menu »): labels of at most 8 letters, 64 px each at 320 px. */
export const BAR: NavItem[] = [HOME, tile('/planning-reservations', 'Planning'), tile('/factures', 'Factures'), tile('/messagerie', 'Messages')]

/** « Menu » on a phone: every section not on the bar, named as on the home page. */
export const MENU: NavItem[] = tiles.filter((t) => !BAR.some((b) => b.to === t.to)).map((t) => ({ to: t.to, label: t.title, icon: t.icon }))

/** A tab is current on its page and on the pages under it (« Planning » on « Déclarer une absence »). */
export function isCurrent(item: NavItem, path: string): boolean {
  return item.to === '/' ? path === '/' : path === item.to || path.startsWith(`${item.to}/`)
}
