import { PortalAccount } from '../accounts/entities'
import { hashPassword } from '../accounts/passwords'
import type { Core } from '../core/app-core'
import { Person } from '../families/entities'
import { refreshSearchText } from '../families/families'

/**
 * One login per adult (issue 16): family 1's conjoint (or, without one, a new partner) gets their own login beside
 * the responsable's, and may book and declare absences but neither pay nor change the file. Returns the lines to print.
 */
export async function seedDemoLogins(core: Core, mainLogin: string, password: string): Promise<string[]> {
  const familyId = 1
  const passwordHash = await hashPassword(password)
  const now = core.clock.now().toISOString()
  const second = await core.tx.run(async (m) => {
    const conjoint = await m.findOneBy(Person, { familyId, role: 'conjoint' })
    const responsable = await m.findOneByOrFail(Person, { familyId, role: 'responsable' })
    const wanted = conjoint?.email && !(await m.findOneBy(PortalAccount, { login: conjoint.email })) ? conjoint.email : 'second-adulte-famille1@exemple.fr'
    const account = {
      familyId,
      login: wanted.toLowerCase(),
      passwordHash,
      status: 'active' as const,
      mustChangePassword: false,
      createdAt: now,
      validatedAt: now,
      lastLoginAt: null,
      main: false,
      rights: 'book',
      firstName: conjoint?.firstName ?? 'Julien',
      lastName: conjoint?.lastName ?? responsable.lastName,
      personId: conjoint?.id ?? null
    }
    await m.insert(PortalAccount, account)
    await refreshSearchText(m, familyId)
    return account
  })
  return [
    `Deux adultes du même foyer (famille 1), chacun son identifiant :`,
    `  responsable principal (tous les droits) ${mainLogin} / ${password}`,
    `  ${second.firstName} ${second.lastName} (réserve, ne paie pas, ne modifie pas le dossier) ${second.login} / ${password}`
  ]
}
