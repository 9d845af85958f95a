import { describe, expect, test } from 'vitest'
import type { AttendanceListDto, AttendanceRowDto } from '@shared/contract/bookings-shapes'
import { canteenCounts } from '../../src-renderer/backoffice/src/views/bookings/canteen'

let n = 0
function row(unitId: number, state: AttendanceRowDto['state'], extra: Partial<AttendanceRowDto> = {}): AttendanceRowDto {
  n++
  return {
    bookingId: n, state, walkIn: false, arrivedAt: null, leftAt: null, markedAt: null, markedBy: null, childId: n, firstName: `Enfant${n}`, lastName: 'Test',
    initials: 'ET', birthDate: '', grade: '', familyNumber: n, unitId, unitName: '', groupId: null, groupName: '', allergies: false, allergyNotes: '', pai: false,
    diet: '', mealType: 'standard', healthNotes: '', leaveAlone: false, pickups: [], emergencyPhones: [], ...extra
  }
}

describe('canteen counts', () => {
  test('per meal unit: meals of each type among the children present, those still to mark, and the special diets by name', () => {
    const list: AttendanceListDto = {
      day: '2026-11-23', activityId: 1, activityName: 'ALAE',
      units: [
        { id: 1, name: 'Matin', startTime: '07:30', endTime: '08:30', slot: 'matin' },
        { id: 2, name: 'Midi', startTime: '11:30', endTime: '13:30', slot: 'midi' }
      ],
      groups: [],
      rows: [
        row(1, 'PRESENT'),
        row(2, 'PRESENT'),
        row(2, 'PRESENT', { mealType: 'sans-porc' }),
        row(2, 'PRESENT', { mealType: 'sans-porc', pai: true, allergies: true, allergyNotes: 'arachide', firstName: 'Léa', lastName: 'Dupont' }),
        row(2, 'PRESENT', { mealType: 'vegetarien', diet: 'sans gluten', firstName: 'Tom', lastName: 'Petit' }),
        row(2, 'ABSENT', { mealType: 'vegetarien' }),
        row(2, 'R'),
        row(2, 'A_EXC')
      ],
      counts: { expected: 0, present: 0, absent: 0, excused: 0, pending: 0 }
    }
    expect(canteenCounts(list)).toEqual([
      {
        unitId: 2,
        unitName: 'Midi',
        present: 4,
        toMark: 1,
        byMeal: [
          { label: 'Standard', count: 1 },
          { label: 'Sans porc', count: 2 },
          { label: 'Végétarien', count: 1 }
        ],
        special: [
          { name: 'Léa Dupont', what: 'PAI, allergie arachide' },
          { name: 'Tom Petit', what: 'sans gluten' }
        ]
      }
    ])
  })
})
