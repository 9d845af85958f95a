/**
 * Test cores: a real SQLite file in a fresh temp directory, a movable clock,
 * and seeders that go through the domain functions (never raw SQL), so tests
 * exercise the same code paths as the app.
 *
 *   const core = await openTestCore()
 *   const staff = await seedStaff(core, 'direction')
 *   const fam = await seedFamily(core)
 *   core.clock.advance(15 * 60_000)
 *   await core.cleanup()
 */
import { loginLabel } from '../../src-main/accounts/logins'
import { PORTAL_RIGHTS } from '@shared/portal-rights'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { childInput, personInput } from '@shared/contract/shapes'
import { SYSTEM, type StaffRole } from '../../src-main/core/actor'
import { openCore, type Core, type CoreOptions } from '../../src-main/core/app-core'
import { FixedClock } from '../../src-main/core/clock'
import { createStaffUser } from '../../src-main/accounts/admin'
import { PortalAccount } from '../../src-main/accounts/entities'
import { hashPassword } from '../../src-main/accounts/passwords'
import { AuditEntry } from '../../src-main/audit/entities'
import { createFamily, refreshSearchText } from '../../src-main/families/families'
import { OutboxMail } from '../../src-main/mail/entities'
import type { FamilyActor, StaffActor } from '../../src-main/rpc/types'

/** A Monday of the school year, 10:00 in Paris. */
export const TEST_NOW = new Date('2026-09-07T08:00:00.000Z')

/** Password given to every seeded user (12+ characters, not a common one). */
export const TEST_PASSWORD = 'cerf-volant-bleu-42'

export type TestCore = Core & {
  clock: FixedClock
  /** Closes the core and deletes its temp directory. */
  cleanup(): Promise<void>
}

export interface TestCoreOptions extends Partial<Omit<CoreOptions, 'clock'>> {
  /** Start time of the FixedClock (default TEST_NOW). */
  now?: Date
}

/**
 * Opens a Core on `<tmp>/ribambelle-test-XXXX/ribambelle.sqlite` (or on
 * `opts.dataDir`, to reopen an existing one). Logging is silent unless
 * `opts.log` is given.
 */
export async function openTestCore(opts: TestCoreOptions = {}): Promise<TestCore> {
  const { now, ...rest } = opts
  const ownDir = !rest.dataDir
  const dataDir = rest.dataDir ?? mkdtempSync(join(tmpdir(), 'ribambelle-test-'))
  const clock = new FixedClock(now ?? TEST_NOW)
  // The explicit test mode by default (payment simulators allowed); pass runMode: 'production' to test a normal install.
  // One movable clock for both: TOTP codes in tests are computed at the test's time.
  const core = await openCore({ log: () => {}, runMode: 'test', ...rest, dataDir, clock, wallClock: clock })
  return Object.assign(core, {
    clock,
    cleanup: async () => {
      await core.close()
      if (ownDir) rmSync(dataDir, { recursive: true, force: true })
    }
  })
}

let seq = 0

export interface SeededStaff {
  id: number
  login: string
  password: string
  actor: StaffActor
}

/** A staff user of `role` with TEST_PASSWORD and no forced change (unless asked). */
export async function seedStaff(
  core: Core,
  role: StaffRole,
  opts: { login?: string; displayName?: string; password?: string; mustChangePassword?: boolean } = {}
): Promise<SeededStaff> {
  const login = opts.login ?? `${role}-${++seq}`
  const password = opts.password ?? TEST_PASSWORD
  const displayName = opts.displayName ?? `Test ${role} ${seq}`
  const id = await createStaffUser(core, SYSTEM, {
    login,
    displayName,
    email: '',
    role,
    password,
    mustChangePassword: opts.mustChangePassword ?? false
  })
  return { id, login, password, actor: { kind: 'staff', id, label: displayName, role } }
}

export interface SeededFamily {
  familyId: number
  number: number
  accountId: number | null
  login: string
  password: string
  lastName: string
  firstName: string
  actor: FamilyActor
}

/**
 * An active family (responsable + one child) with an active portal account
 * whose login is the responsable's e-mail and password TEST_PASSWORD.
 * `account: false` leaves the family without portal account.
 */
export async function seedFamily(
  core: Core,
  opts: { lastName?: string; firstName?: string; email?: string; phone?: string; password?: string; account?: boolean; mustChangePassword?: boolean } = {}
): Promise<SeededFamily> {
  const n = ++seq
  const lastName = opts.lastName ?? `Famille${n}`
  const firstName = opts.firstName ?? 'Camille'
  const login = (opts.email ?? `camille.famille${n}@exemple.fr`).toLowerCase()
  const password = opts.password ?? TEST_PASSWORD
  const withAccount = opts.account ?? true
  const passwordHash = withAccount ? await hashPassword(password) : ''
  return core.tx.run(async (m) => {
    const responsable = personInput.parse({
      civility: 'Mme',
      lastName,
      firstName,
      email: login,
      phoneMobile: opts.phone ?? '06 12 34 56 78',
      address: '3 rue des Écoles',
      postalCode: '31000',
      city: 'Démoville'
    })
    const child = childInput.parse({ lastName, firstName: 'Léo', birthDate: '2018-05-04', sex: 'M' })
    const family = await createFamily(m, core, SYSTEM, { status: 'active', responsable, children: [child] })
    let accountId: number | null = null
    if (withAccount) {
      const now = core.clock.now().toISOString()
      const a = await m.save(
        PortalAccount,
        Object.assign(new PortalAccount(), {
          familyId: family.id,
          login,
          passwordHash,
          status: 'active',
          mustChangePassword: opts.mustChangePassword ?? false,
          createdAt: now,
          validatedAt: now,
          lastLoginAt: null
        })
      )
      accountId = a.id
      await refreshSearchText(m, family.id)
    }
    return {
      familyId: family.id,
      number: family.number,
      accountId,
      login,
      password,
      lastName,
      firstName,
      // Named as the portal names a login in the audit log (issue 16): the adult, then the login.
      actor: { kind: 'family', id: accountId ?? 0, familyId: family.id, label: loginLabel(firstName, lastName, login), login, main: true, rights: [...PORTAL_RIGHTS] }
    }
  })
}

/** Audit rows (oldest first) with before/after parsed, optionally filtered by action. */
export async function auditRows(core: Core, action?: string) {
  const rows = await core.tx.read((m) => m.find(AuditEntry, { where: action ? { action } : {}, order: { id: 'ASC' } }))
  const parse = (s: string | null) => (s ? JSON.parse(s) : null)
  return rows.map((r) => ({ ...r, before: parse(r.before), after: parse(r.after) }))
}

/** Outbox rows, oldest first. */
export function outboxMails(core: Core) {
  return core.tx.read((m) => m.find(OutboxMail, { order: { id: 'ASC' } }))
}
