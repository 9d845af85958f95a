import type { Actor } from '../core/actor'
import type { Core } from '../core/app-core'
import { StaffUser } from '../accounts/entities'
import { PortalAccount } from '../accounts/entities'
import { Child } from '../families/entities'
import { requestFileChange } from '../families/change-requests'
import { writeSection } from '../families/file'
import { replyAsStaff, sendFamilyMessage } from '../messaging/messaging'
import type { DemoCalendar } from './demo-calendar'

const SEED: Actor = { kind: 'system', id: null, label: 'Données de démonstration' }

/**
 * Demo content of #3: health files (some allergies and PAI, for attendance
 * lists), a conversation and a pending change request for the demo family,
 * so each screen has something to show (news and published documents:
 * seed-portal.ts).
 */
export async function seedDemoFamilyFile(core: Core, cal: DemoCalendar): Promise<void> {
  const children = await core.tx.read((m) => m.find(Child, { order: { id: 'ASC' } }))
  await core.tx.run(async (m) => {
    for (const [i, c] of children.entries()) {
      if (i % 5 === 0) {
        await writeSection(m, core, SEED, 'health', { familyId: c.familyId, childId: c.id }, {
          allergies: true,
          allergyNotes: i % 10 === 0 ? 'Arachide (PAI)' : 'Kiwi',
          pai: i % 10 === 0,
          mealType: i % 15 === 0 ? 'sans-porc' : 'standard',
          vaccines: [{ name: 'DTP', date: `${cal.year - 2}-05-02` }],
          doctorName: 'Dr Bernard',
          doctorPhone: '05 61 11 22 33'
        })
      }
      await writeSection(m, core, SEED, 'authorisations', { familyId: c.familyId, childId: c.id }, {
        imageRights: i % 3 !== 0,
        leaveAlone: false,
        // Most families answered; a few did not yet, as at the start of a real year.
        outings: i % 4 === 3 ? '' : 'yes',
        emergencyCare: i % 6 === 5 ? '' : 'yes',
        pickups: [{ name: 'Mamie Jeanne', relationship: 'Grand-mère', phone: '06 11 22 33 44', emergency: true }]
      })
    }
  })
  const director = await core.tx.read((m) => m.findOneBy(StaffUser, { role: 'direction' }))
  const account = await core.tx.read((m) => m.findOne(PortalAccount, { where: { status: 'active' }, order: { id: 'ASC' } }))
  if (!director || !account?.familyId) return
  const staff = { kind: 'staff' as const, id: director.id, label: director.displayName, role: director.role }
  const family = { kind: 'family' as const, id: account.id, familyId: account.familyId, label: account.login }
  const threadId = await sendFamilyMessage(core, family, {
    serviceId: 4,
    themeId: 1,
    subject: 'Certificat médical',
    body: 'Bonjour, faut-il un certificat médical pour le centre de loisirs ?',
    confirmByEmail: false,
    uploadIds: []
  })
  await replyAsStaff(core, staff, threadId, 'Bonjour, non : seule la fiche sanitaire à jour est demandée. Bonne journée.', [])
  await requestFileChange(core, family, { section: 'fiscal', values: { taxYear: Number(cal.today.slice(0, 4)) - 1, referenceIncome: 31_500, taxShares: 2.5, dependentChildren: 2 } })
}
