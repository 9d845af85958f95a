/**
 * The data of the rush of the 20th, shared by `rush-20th.ts` (HTTP load) and
 * `rush-commit-cost.ts` (the same commits in-process): 3,000 generated
 * families with exactly 2 children each, all enrolled in "Restauration
 * Élémentaire" (school days, automatic validation, "before the 20th", 4,000
 * places per group), one active portal account each. The clock is fixed at
 * 20/12/2026 10:00 Paris: January 2027 closes tonight.
 */
import { rmSync } from 'node:fs'
import { SYSTEM } from '../src-main/core/actor'
import { openCore, type Core } from '../src-main/core/app-core'
import { FixedClock } from '../src-main/core/clock'
import { generateFamilies } from '../src-main/demo/generate'
import { createFamily } from '../src-main/families/families'
import { Structure } from '../src-main/settings/entities'
import { openingDays } from '../src-main/calendar/calendar'
import { openSession } from '../src-main/accounts/sessions'
import { installationSecret } from '../src-main/core/installation-secret'
import { sign } from '@fastify/cookie'
import type { FastifyInstance } from 'fastify'

export const NOW = new Date('2026-12-20T09:00:00Z')
export const MONTH = { from: '2027-01-01', to: '2027-01-31' }

export interface RushData {
  core: Core
  /** Opening days of January 2027 for the activity. */
  days: string[]
  /** Children ids per family id (1…families). */
  byFamily: Map<number, number[]>
  families: number
}

export async function seedRush(dir: string, count: number): Promise<RushData> {
  rmSync(dir, { recursive: true, force: true })
  const core = await openCore({ dataDir: dir, log: () => {}, clock: new FixedClock(NOW) })
  const now = NOW.toISOString()
  await core.tx.run((m) =>
    m.save(Structure, { id: 1, name: 'Commune de Bench', address: '', postalCode: '31000', city: 'Bench', phone: '', email: 'contact@bench.fr', logo: null, siret: '', holidayZone: 'C', holidayRegion: '', portalUrl: '', updatedAt: now })
  )
  // Generated families, each with exactly two children (the generator gives 1 to 3).
  const families = generateFamilies(count, 20).map((f) => {
    const kids = [...(f.children ?? [])]
    while (kids.length < 2) kids.push({ ...kids[0], firstName: kids[0].firstName === 'Léo' ? 'Emma' : 'Léo' })
    return { ...f, children: kids.slice(0, 2) }
  })
  await core.tx.run(async (m) => {
    for (const f of families) await createFamily(m, core, SYSTEM, f)
  })
  const db = core.db
  db.exec(`
    INSERT INTO facility (name) VALUES ('Restauration scolaire');
    INSERT INTO activity_type (facility_id, name, kind) VALUES (1, 'Restauration', 'restauration');
    INSERT INTO activity (activity_type_id, name, opening_rule, validation) VALUES (1, 'Restauration Élémentaire', 'school-days', 'auto');
    INSERT INTO activity_period (activity_id, name, start_date, end_date, window_start, window_end) VALUES (1, '2026/2027', '2026-09-01', '2027-07-03', '2026-03-10', '2026-08-20');
    INSERT INTO activity_group (activity_id, name) VALUES (1, 'Élémentaire'), (1, 'Maternelle');
    INSERT INTO unit (activity_id, name, start_time, end_time, price_cents, sort) VALUES (1, 'Midi + déjeuner', '11:30', '13:30', 385, 1);
    INSERT INTO capacity (group_id, unit_id, places, day) VALUES (1, 1, 4000, NULL), (2, 1, 4000, NULL);
  `)
  const children = db.prepare('SELECT c.id, c.family_id AS familyId FROM child c ORDER BY c.id').all() as { id: number; familyId: number }[]
  const enrol = db.prepare(`INSERT INTO enrolment (child_id, activity_id, period_id, group_id, status, created_at, decided_at) VALUES (?, 1, 1, ?, 'validated', ?, ?)`)
  const account = db.prepare(`INSERT INTO portal_account (family_id, login, password_hash, status, created_at, validated_at) VALUES (?, ?, 'x', 'active', ?, ?)`)
  db.transaction(() => {
    for (const c of children) enrol.run(c.id, (c.id % 2) + 1, now, now)
    families.forEach((f, i) => account.run(i + 1, f.login, now, now))
  })()
  const byFamily = new Map<number, number[]>()
  for (const c of children) byFamily.set(c.familyId, [...(byFamily.get(c.familyId) ?? []), c.id])
  return { core, days: await openingDays(core, 1, MONTH.from, MONTH.to), byFamily, families: families.length }
}

/** The "Terminer" of one family: every opening day of the month for both children. */
export function familyChanges(data: RushData, familyId: number) {
  return (data.byFamily.get(familyId) ?? []).flatMap((childId) => data.days.map((day) => ({ childId, unitId: 1, day, op: 'add' as const })))
}

/** One family's ready-to-send "Terminer": its session and CSRF cookies, its CSRF token and its JSON body. */
export interface Job {
  cookie: string
  csrf: string
  body: string
  lines: number
}

/**
 * Opens a portal session for each family `from`…`to` (pre-created: logging thousands of families in would measure
 * argon2, not bookings), fetches its CSRF token through `app` and prepares its "Terminer".
 */
export async function portalJobs(app: FastifyInstance, data: RushData, from = 1, to = data.families): Promise<Job[]> {
  const secret = installationSecret(data.core.paths.dataDir)
  const jobs: Job[] = []
  for (let familyId = from; familyId <= to; familyId++) {
    const { token } = await openSession(data.core, 'portal', familyId)
    const session = `rb_portal=${encodeURIComponent(sign(token, secret))}`
    const r = await app.inject({ method: 'POST', url: '/api/portal/auth-session', headers: { cookie: session, 'content-type': 'application/json' }, payload: '{}' })
    const csrfCookie = (r.cookies as { name: string; value: string }[]).find((c) => c.name === 'rb_portal_csrf')!
    const changes = familyChanges(data, familyId)
    jobs.push({ cookie: `${session}; rb_portal_csrf=${encodeURIComponent(csrfCookie.value)}`, csrf: JSON.parse(r.body).csrfToken, body: JSON.stringify({ changes }), lines: changes.length })
  }
  return jobs
}
