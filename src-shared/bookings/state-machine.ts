/**
 * The one booking state machine, shared by the server (which enforces it) and
 * both UIs (which only offer what it allows). A booking row exists per
 * child × unit × day; "no row" is the `null` state, and CANCELLED/REFUSED rows
 * are reused when the family asks again (the table is UNIQUE on that key).
 */

export const BOOKING_STATES = ['DR', 'R', 'DA', 'A_EXC', 'A_FACT', 'REFUSED', 'CANCELLED', 'PRESENT', 'ABSENT'] as const
export type BookingState = (typeof BOOKING_STATES)[number]

/** States that hold a place: the capacity check counts them (schema agreement). */
export const CAPACITY_STATES: readonly BookingState[] = ['DR', 'R', 'DA', 'PRESENT']

/** States the attendance list expects to see on the day. */
export const EXPECTED_STATES: readonly BookingState[] = ['R', 'DA', 'PRESENT', 'ABSENT']

/** States that free the slot: the cell is shown as if no booking existed. */
export const FREE_STATES: readonly (BookingState | null)[] = [null, 'CANCELLED']

export type ActorKind = 'family' | 'staff' | 'system'

export type BookingAction =
  | 'request'
  | 'withdraw'
  | 'book'
  | 'accept'
  | 'refuse'
  | 'request-cancel'
  | 'declare-absence'
  | 'withdraw-cancel'
  | 'keep'
  | 'cancel'
  | 'excuse'
  | 'bill'
  | 'mark-present'
  | 'mark-absent'
  | 'walk-in'
  | 'unmark'

export interface Transition {
  action: BookingAction
  from: readonly (BookingState | null)[]
  to: BookingState
  actors: readonly ActorKind[]
  /** What the transition means, in French, for the audit log and help texts. */
  meaning: string
}

const FREE: (BookingState | null)[] = [null, 'CANCELLED', 'REFUSED']

/**
 * Every allowed transition. Anything not listed is forbidden; the unit test
 * walks the full (state × action × actor) cube against this table.
 * Which of cancel/excuse/bill applies to a cancellation depends on the
 * deadline rules (bookings/deadlines.ts), not on the state machine.
 */
export const TRANSITIONS: readonly Transition[] = [
  { action: 'request', from: FREE, to: 'DR', actors: ['family'], meaning: 'La famille demande une réservation.' },
  { action: 'withdraw', from: ['DR'], to: 'CANCELLED', actors: ['family', 'staff'], meaning: 'La demande de réservation est retirée avant décision.' },
  { action: 'book', from: FREE, to: 'R', actors: ['staff', 'system'], meaning: 'Réservation directe (par la structure ou réservation automatique de l’inscription).' },
  { action: 'accept', from: ['DR'], to: 'R', actors: ['staff', 'system'], meaning: 'La demande de réservation est acceptée.' },
  { action: 'refuse', from: ['DR'], to: 'REFUSED', actors: ['staff'], meaning: 'La demande de réservation est refusée (avec un motif).' },
  { action: 'request-cancel', from: ['R'], to: 'DA', actors: ['family'], meaning: 'La famille demande l’annulation d’une réservation.' },
  { action: 'declare-absence', from: ['R'], to: 'DA', actors: ['family'], meaning: 'La famille déclare une absence sur un jour réservé.' },
  { action: 'withdraw-cancel', from: ['DA'], to: 'R', actors: ['family'], meaning: 'La famille retire sa demande d’annulation avant décision.' },
  { action: 'keep', from: ['DA'], to: 'R', actors: ['staff'], meaning: 'La demande d’annulation est refusée : la réservation est maintenue.' },
  { action: 'cancel', from: ['DR', 'DA', 'R'], to: 'CANCELLED', actors: ['staff', 'system'], meaning: 'Annulation acceptée dans les délais (non facturée).' },
  { action: 'excuse', from: ['DA', 'R', 'A_FACT', 'ABSENT'], to: 'A_EXC', actors: ['staff', 'system'], meaning: 'Absence excusée (non facturée).' },
  { action: 'bill', from: ['DA', 'R', 'A_EXC'], to: 'A_FACT', actors: ['staff', 'system'], meaning: 'Absence facturée (annulation ou absence hors délai).' },
  { action: 'mark-present', from: ['R', 'DA', 'ABSENT', 'A_EXC', 'A_FACT'], to: 'PRESENT', actors: ['staff'], meaning: 'Pointage : l’enfant est présent.' },
  { action: 'mark-absent', from: ['R', 'DA', 'PRESENT'], to: 'ABSENT', actors: ['staff'], meaning: 'Pointage : l’enfant est absent sans avoir prévenu.' },
  { action: 'walk-in', from: FREE, to: 'PRESENT', actors: ['staff'], meaning: 'Pointage : enfant présent sans réservation.' },
  { action: 'unmark', from: ['PRESENT', 'ABSENT'], to: 'R', actors: ['staff'], meaning: 'Correction du pointage : retour à « réservé ».' }
]

export const ACTIONS: readonly BookingAction[] = [...new Set(TRANSITIONS.map((t) => t.action))]

/** The target state if `actor` may apply `action` to a booking in state `from`, else null. */
export function nextState(from: BookingState | null, action: BookingAction, actor: ActorKind): BookingState | null {
  const t = TRANSITIONS.find((x) => x.action === action && x.actors.includes(actor) && x.from.includes(from))
  return t ? t.to : null
}

export function canApply(from: BookingState | null, action: BookingAction, actor: ActorKind): boolean {
  return nextState(from, action, actor) !== null
}

/** Actions `actor` may take on a booking in state `from` (what a UI offers on click). */
export function allowedActions(from: BookingState | null, actor: ActorKind): BookingAction[] {
  return TRANSITIONS.filter((t) => t.actors.includes(actor) && t.from.includes(from)).map((t) => t.action)
}

export function transitionMeaning(action: BookingAction): string {
  return TRANSITIONS.find((t) => t.action === action)?.meaning ?? action
}

/** Why a transition is refused, in French (for error messages). */
export function refusalMessage(from: BookingState | null, action: BookingAction): string {
  const label = from === null || from === 'CANCELLED' ? 'libre' : CELL_LABELS[from].label.toLowerCase()
  return `Action impossible : ce jour est « ${label} » et ne peut pas faire l’objet de cette modification.`
}

// ---------------------------------------------------------------- display

/** What a planning cell shows. Computed cells (libre, indisponible, complet) have no booking row behind them. */
export type CellState = 'libre' | 'indisponible' | 'complet' | 'autre-parent' | Exclude<BookingState, 'CANCELLED'>

export interface CellLabel {
  /** Short text in the cell ('' when the colour alone plus the legend say it, e.g. libre). */
  short: string
  /** Legend label (same meaning as the source portals' legends). */
  label: string
  /** Colour token for both UIs (background); text is always dark on light for contrast. */
  color: string
}

export const CELL_LABELS: Record<CellState, CellLabel> = {
  libre: { short: '', label: 'Réservation disponible', color: '#ffffff' },
  indisponible: { short: '', label: 'Réservation non disponible', color: '#d1d5db' },
  complet: { short: 'C', label: 'Plus de place disponible', color: '#fecaca' },
  DR: { short: 'DR', label: 'Demande de réservation', color: '#fde68a' },
  R: { short: 'R', label: 'Réservation validée', color: '#bbf7d0' },
  DA: { short: 'DA', label: 'Demande d’annulation', color: '#fed7aa' },
  A_EXC: { short: 'A Exc.', label: 'Absence excusée', color: '#bfdbfe' },
  A_FACT: { short: 'A Fact.', label: 'Absence facturée', color: '#f5d0fe' },
  REFUSED: { short: '✕', label: 'Réservation refusée', color: '#fca5a5' },
  PRESENT: { short: 'P', label: 'Présent', color: '#86efac' },
  ABSENT: { short: 'Abs', label: 'Absent', color: '#e5e7eb' },
  /** A shared child's day with its other household (issue 16): no detail is shown. */
  'autre-parent': { short: '', label: 'Chez l’autre parent', color: '#e0e7ff' }
}

/** The legend in display order (portal and back-office plannings). */
export const LEGEND: readonly CellState[] = ['libre', 'R', 'A_EXC', 'indisponible', 'DR', 'A_FACT', 'complet', 'DA', 'REFUSED', 'PRESENT', 'ABSENT']

/** The cell a booking state shows (CANCELLED frees the slot; the caller decides libre/complet/indisponible). */
export function cellOfState(state: BookingState | null, free: 'libre' | 'indisponible' | 'complet'): CellState {
  return state === null || state === 'CANCELLED' ? free : state
}
