import type { Actor, StaffRole } from '../core/actor'
import type { Core } from '../core/app-core'
import { audit } from '../audit/audit'
import { createStaffUser } from '../accounts/admin'
import { PortalAccount } from '../accounts/entities'
import { hashPassword } from '../accounts/passwords'
import { seedDemoLogins } from './seed-logins'
import { registerFamily } from '../accounts/registration'
import { createFamily, refreshSearchText } from '../families/families'
import { putSetting, SMTP_KEY } from '../settings/settings'
import { Structure } from '../settings/entities'
import { generateFamilies } from './generate'
import { OutboxMail } from '../mail/entities'
import { seedDemoActivities } from './seed-activities'
import { seedDemoBilling, type DemoProfile } from '../billing/demo'
import { seedDemoFamilyFile } from './seed-family-file'
import { demoCalendar } from './demo-calendar'
import { seedDemoPortal } from './seed-portal'
import { seedDemoHouseholds } from './seed-households'
import { seedDemoReservations } from './seed-reservations'

const SEED: Actor = { kind: 'system', id: null, label: 'Données de démonstration' }

export const DEMO_STAFF: { login: string; name: string; role: StaffRole; password: string }[] = [
  { login: 'direction', name: 'Claire Directrice', role: 'direction', password: 'demo-direction-2026' },
  { login: 'accueil', name: 'Sophie Accueil', role: 'accueil', password: 'demo-accueil-2026' },
  { login: 'compta', name: 'Marc Comptable', role: 'comptable', password: 'demo-comptable-2026' },
  { login: 'animation', name: 'Léo Animateur', role: 'animateur', password: 'demo-animateur-2026' }
]
export const DEMO_FAMILY_PASSWORD = 'demo-famille-2026'

/**
 * "Maison de l'Enfant de Démo": 40 families (about 70 children), one staff
 * user per role, one family with a portal account, three pending
 * registrations. Every date follows the demo's clock (demo-calendar.ts).
 * Returns the lines to print.
 */
export async function seedDemo(core: Core, opts: { smtpPort?: number; profile?: DemoProfile } = {}): Promise<string[]> {
  const now = core.clock.now().toISOString()
  const cal = await demoCalendar(core, SEED, 'C')
  const families = generateFamilies(40, 2026, cal.year)
  await core.tx.run(async (m) => {
    await m.save(Structure, {
      id: 1,
      name: "Maison de l'Enfant de Démo",
      address: '1 place de la Mairie',
      postalCode: '31000',
      city: 'Démoville',
      phone: '05 61 00 00 00',
      email: 'maison-enfant@demoville.fr',
      logo: null,
      siret: '21310000000017',
      holidayZone: 'C', // demo-calendar.ts reads this zone's holidays
      holidayRegion: '',
      portalUrl: '',
      signatoryName: 'Claire Directrice',
      signatoryRole: 'Directrice de la Maison de l’Enfant',
      updatedAt: now
    })
    await audit(m, SEED, core.clock.now(), { action: 'structure-update', entity: 'structure', entityId: 1 })
    if (opts.smtpPort) {
      await putSetting(m, core, SEED, SMTP_KEY, {
        host: '127.0.0.1',
        port: opts.smtpPort,
        secure: false,
        user: '',
        password: '',
        from: 'Maison de l’Enfant de Démo <maison-enfant@demoville.fr>',
        allowSelfSigned: true
      })
    }
    for (const f of families) await createFamily(m, core, SEED, f)
  })
  for (const s of DEMO_STAFF) {
    await createStaffUser(core, SEED, { login: s.login, displayName: s.name, email: '', role: s.role, password: s.password, mustChangePassword: false })
  }
  const first = families[0]
  const passwordHash = await hashPassword(DEMO_FAMILY_PASSWORD)
  await core.tx.run(async (m) => {
    await m.insert(PortalAccount, {
      familyId: 1,
      login: first.login,
      passwordHash,
      status: 'active',
      mustChangePassword: false,
      createdAt: now,
      validatedAt: now,
      lastLoginAt: null
    })
    await refreshSearchText(m, 1)
  })
  const pending = [
    { civility: 'Mme', lastName: 'Nouvelle', firstName: 'Amélie', email: 'amelie.nouvelle@exemple.fr' },
    { civility: 'M.', lastName: 'Arrivant', firstName: 'Karim', email: 'karim.arrivant@exemple.fr' },
    { civility: 'Mme', lastName: 'Martin', firstName: 'Julie', email: 'julie.martin.nouvelle@exemple.fr' }
  ] as const
  for (const p of pending) {
    await registerFamily(core, {
      ...p,
      birthDate: '1988-04-12',
      phoneMobile: '06 11 22 33 44',
      phoneHome: '',
      address: '12 rue des Écoles',
      postalCode: '31000',
      city: 'Démoville',
      password: 'demande-en-attente-2026'
    })
  }
  await seedDemoActivities(core, cal)
  const billing = await seedDemoBilling(core, cal, opts.profile)
  await seedDemoReservations(core)
  await seedDemoFamilyFile(core, cal)
  await seedDemoPortal(core)
  const households = await seedDemoHouseholds(core, DEMO_FAMILY_PASSWORD)
  const logins = await seedDemoLogins(core, first.login, DEMO_FAMILY_PASSWORD)
  // Keep last: the seeded families are fictitious, so the e-mails their seeded
  // history queued (registrations, enrolments…) are dropped rather than sent.
  await core.tx.run((m) => m.clear(OutboxMail))
  return [
    '',
    "Structure de démonstration : Maison de l'Enfant de Démo (40 familles et le foyer d’un parent séparé, 3 inscriptions en attente)",
    'Back-office (identifiant / mot de passe) :',
    ...DEMO_STAFF.map((s) => `  ${s.role.padEnd(10)} ${s.login} / ${s.password}`),
    'Portail famille :',
    `  ${first.login} / ${DEMO_FAMILY_PASSWORD}`,
    ...households,
    ...logins,
    ...billing,
    ...cal.notes
  ]
}
