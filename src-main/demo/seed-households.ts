import { isoWeek } from '@shared/bookings/days'
import { NO_CUSTODY } from '@shared/custody/rule'
import { PortalAccount, StaffUser } from '../accounts/entities'
import { hashPassword } from '../accounts/passwords'
import type { Actor } from '../core/actor'
import type { Core } from '../core/app-core'
import { parisDay } from '../core/clock'
import { saveCustody } from '../families/custody'
import { Child, Person } from '../families/entities'
import { createFamily, refreshSearchText } from '../families/families'
import { linkSecondHousehold } from '../families/households'
import { dbOf, stmt } from '../bookings/sql'

/** The demo's separated parents (issue 16): the mother keeps family 2, the father gets his own household. */
export const DEMO_FATHER_LOGIN = 'thomas.pere-separe@exemple.fr'

/**
 * Two households sharing a child in alternate weeks: family 2 (the mother,
 * odd ISO weeks) and a new household for the father (even weeks), each with a
 * portal login. The child's bookings not invoiced yet in even weeks become the
 * father's, as if he had booked them. Returns the lines to print.
 */
export async function seedDemoHouseholds(core: Core, password: string): Promise<string[]> {
  const director = await core.tx.read((m) => m.findOneBy(StaffUser, { role: 'direction' }))
  if (!director) return []
  const staff: Actor = { kind: 'staff', id: director.id, label: director.displayName, role: director.role }
  const motherFamilyId = 2
  const { mother, child } = await core.tx.read(async (m) => ({
    mother: await m.findOneByOrFail(Person, { familyId: motherFamilyId, role: 'responsable' }),
    child: await m.findOneOrFail(Child, { where: { familyId: motherFamilyId }, order: { birthDate: 'ASC', id: 'ASC' } })
  }))
  const now = core.clock.now().toISOString()
  const passwordHash = await hashPassword(password)
  const motherLogin = mother.email || `mere-separee-${motherFamilyId}@exemple.fr`
  const father = await core.tx.run(async (m) => {
    const f = await createFamily(m, core, staff, {
      status: 'active',
      responsable: {
        civility: 'M.', lastName: child.lastName, firstName: 'Thomas', birthDate: '1984-06-02', quality: 'Père', situation: 'Séparé(e)',
        address: '8 rue du Moulin', postalCode: '31000', city: 'Démoville', phoneMobile: '07 62 18 44 90', phoneHome: '', phoneWork: '',
        email: DEMO_FATHER_LOGIN, profession: '', employer: '', csp: '', consentEmail: true, consentSms: false
      }
    })
    for (const [familyId, login] of [[f.id, DEMO_FATHER_LOGIN], [motherFamilyId, motherLogin]] as const) {
      if (await m.findOneBy(PortalAccount, { login })) continue
      await m.insert(PortalAccount, { familyId, login, passwordHash, status: 'active', mustChangePassword: false, createdAt: now, validatedAt: now, lastLoginAt: null })
      await refreshSearchText(m, familyId)
    }
    return f
  })
  await linkSecondHousehold(core, staff, child.id, father.id)
  await saveCustody(core, staff, child.id, { ...NO_CUSTODY, kind: 'alternate-weeks', oddWeeksFamilyId: motherFamilyId }, 0)
  const monthStart = `${parisDay(core.clock.now()).slice(0, 7)}-01`
  await core.tx.run(async (m) => {
    const db = dbOf(m)
    const open = stmt(db, `SELECT id, day FROM booking WHERE child_id = ? AND day >= ? AND NOT EXISTS (SELECT 1 FROM billed_booking bb WHERE bb.booking_id = booking.id)`).all(child.id, monthStart) as {
      id: number
      day: string
    }[]
    const move = stmt(db, 'UPDATE booking SET family_id = ? WHERE id = ?')
    for (const b of open) if (isoWeek(b.day) % 2 === 0) move.run(father.id, b.id)
  })
  return [
    `Parents séparés (garde alternée de ${child.firstName}, semaines impaires chez la mère) :`,
    `  mère ${motherLogin} / ${password}`,
    `  père ${DEMO_FATHER_LOGIN} / ${password}`
  ]
}
