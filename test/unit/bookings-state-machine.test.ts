import { describe, expect, it } from 'vitest'
import {
  ACTIONS,
  BOOKING_STATES,
  CAPACITY_STATES,
  CELL_LABELS,
  LEGEND,
  allowedActions,
  cellOfState,
  nextState,
  type ActorKind,
  type BookingAction,
  type BookingState
} from '@shared/bookings/state-machine'

/**
 * The specification, written out by hand (not derived from TRANSITIONS):
 * "from action actor → to". Every combination not listed must be refused.
 */
const ALLOWED = `
- request family DR
CANCELLED request family DR
REFUSED request family DR
DR withdraw family CANCELLED
DR withdraw staff CANCELLED
- book staff R
- book system R
CANCELLED book staff R
CANCELLED book system R
REFUSED book staff R
REFUSED book system R
DR accept staff R
DR accept system R
DR refuse staff REFUSED
R request-cancel family DA
R declare-absence family DA
DA withdraw-cancel family R
DA keep staff R
DR cancel staff CANCELLED
DR cancel system CANCELLED
DA cancel staff CANCELLED
DA cancel system CANCELLED
R cancel staff CANCELLED
R cancel system CANCELLED
DA excuse staff A_EXC
DA excuse system A_EXC
R excuse staff A_EXC
R excuse system A_EXC
A_FACT excuse staff A_EXC
A_FACT excuse system A_EXC
ABSENT excuse staff A_EXC
ABSENT excuse system A_EXC
DA bill staff A_FACT
DA bill system A_FACT
R bill staff A_FACT
R bill system A_FACT
A_EXC bill staff A_FACT
A_EXC bill system A_FACT
R mark-present staff PRESENT
DA mark-present staff PRESENT
ABSENT mark-present staff PRESENT
A_EXC mark-present staff PRESENT
A_FACT mark-present staff PRESENT
R mark-absent staff ABSENT
DA mark-absent staff ABSENT
PRESENT mark-absent staff ABSENT
- walk-in staff PRESENT
CANCELLED walk-in staff PRESENT
REFUSED walk-in staff PRESENT
PRESENT unmark staff R
ABSENT unmark staff R
`
  .trim()
  .split('\n')
  .map((l) => l.trim())

const FROM: (BookingState | null)[] = [null, ...BOOKING_STATES]
const ACTORS: ActorKind[] = ['family', 'staff', 'system']
const key = (from: BookingState | null, action: string, actor: string) => `${from ?? '-'} ${action} ${actor}`

describe('booking state machine', () => {
  const expected = new Map(ALLOWED.map((l) => {
    const [f, a, who, to] = l.split(' ')
    return [`${f} ${a} ${who}`, to]
  }))

  it('lists the same actions as the specification', () => {
    expect([...ACTIONS].sort()).toEqual([...new Set(ALLOWED.map((l) => l.split(' ')[1]))].sort())
  })

  // One test per (state × action × actor): every allowed and every forbidden transition.
  for (const from of FROM) {
    for (const action of ACTIONS) {
      for (const actor of ACTORS) {
        const k = key(from, action, actor)
        const to = expected.get(k) ?? null
        it(`${to ? 'allows' : 'forbids'} ${k}${to ? ` → ${to}` : ''}`, () => {
          expect(nextState(from, action as BookingAction, actor)).toBe(to)
        })
      }
    }
  }

  it('never lets a family reach a billed, excused, attended or refused state', () => {
    for (const from of FROM) {
      for (const a of allowedActions(from, 'family')) {
        expect(['DR', 'DA', 'R', 'CANCELLED']).toContain(nextState(from, a, 'family'))
      }
    }
  })

  it('offers on an R cell exactly what the portal shows: cancel or declare an absence', () => {
    expect(allowedActions('R', 'family').sort()).toEqual(['declare-absence', 'request-cancel'])
    expect(allowedActions(null, 'family')).toEqual(['request'])
    expect(allowedActions('A_FACT', 'family')).toEqual([])
  })

  it('counts pending and attended bookings against capacity, not freed ones', () => {
    expect([...CAPACITY_STATES].sort()).toEqual(['DA', 'DR', 'PRESENT', 'R'])
  })

  it('has a French label for every cell state and a legend covering them', () => {
    for (const s of LEGEND) expect(CELL_LABELS[s].label.length).toBeGreaterThan(3)
    expect(CELL_LABELS.complet.label).toBe('Plus de place disponible')
    expect(CELL_LABELS.DA.short).toBe('DA')
    expect(cellOfState('CANCELLED', 'complet')).toBe('complet')
    expect(cellOfState(null, 'libre')).toBe('libre')
    expect(cellOfState('A_FACT', 'libre')).toBe('A_FACT')
  })
})
