type Severity = 'success' | 'info' | 'warn' | 'danger' | 'secondary' | 'contrast'

const FAMILY: Record<string, Severity> = { active: 'success', pending: 'warn', archived: 'secondary', refused: 'danger' }
const ACCOUNT: Record<string, Severity> = { active: 'success', pending: 'warn', disabled: 'secondary', refused: 'danger' }
const REQUEST: Record<string, Severity> = { pending: 'warn', accepted: 'success', refused: 'danger', cancelled: 'secondary' }

export const familyStatusSeverity = (s: string): Severity => FAMILY[s] ?? 'secondary'
export const accountStatusSeverity = (s: string): Severity => ACCOUNT[s] ?? 'secondary'
export const requestStatusSeverity = (s: string): Severity => REQUEST[s] ?? 'secondary'

export const ACCOUNT_STATUS_LABELS: Record<string, string> = {
  pending: 'En attente de validation',
  active: 'Actif',
  disabled: 'Désactivé',
  refused: 'Refusé'
}
