import type { PortalRight } from '@shared/portal-rights'

/** Who does something. Every audit row and every decision names one. */
export type Actor =
  | { kind: 'staff'; id: number; label: string; role: StaffRole; mustChangePassword?: boolean; mustSetUpTwoFactor?: boolean }
  /** A portal login (one per adult of the household): `rights` and `main` as the dispatcher reads them (portal-rights.ts). */
  | { kind: 'family'; id: number; familyId: number; label: string; mustChangePassword?: boolean; rights?: readonly PortalRight[]; main?: boolean; login?: string }
  | { kind: 'system'; id: null; label: string }

export type StaffRole = 'direction' | 'accueil' | 'comptable' | 'animateur'

export const SYSTEM: Actor = { kind: 'system', id: null, label: 'Système' }
