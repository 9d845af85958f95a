/**
 * Commune-scale billing data for the invoicing benchmark and the
 * kill-midway test: families and children from the demo generator, four
 * activities with tariffs of every mode, and a month of bookings (about 24
 * billable lines per child). Written with prepared statements in one
 * transaction: this is test data, not a code path to measure.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { SYSTEM } from '../src-main/core/actor'
import { openCore, type Core } from '../src-main/core/app-core'
import { FixedClock } from '../src-main/core/clock'
import { saveActivity, saveActivityType, saveFacility, saveUnit } from '../src-main/activities/config'
import { saveRegie } from '../src-main/billing/regies'
import { saveBillingSettings, DEFAULT_BILLING_SETTINGS } from '../src-main/billing/settings'
import { saveTariff } from '../src-main/billing/tariffs/tariffs'
import { tariffInput } from '../src-shared/contract/billing-shapes'
import { generateFamilies, prng } from '../src-main/demo/generate'
import { Structure } from '../src-main/settings/entities'

/** The accountant the billing benchmarks act as (staff user 1, inserted by openBillingBench). */
export const BENCH_COMPTABLE = { kind: 'staff' as const, id: 1, label: 'Bench', role: 'comptable' as const }

/**
 * A fresh core in a temporary directory, its clock on 2 April 2026 (the day after the benchmarked month), with the
 * accountant the benchmarks act as; `close` closes it and removes the directory.
 */
export async function openBillingBench(name: string): Promise<{ core: Core; clock: FixedClock; dir: string; close(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), `rb-bench-${name}-`))
  const clock = new FixedClock(new Date('2026-04-02T07:00:00Z'))
  const core = await openCore({ dataDir: dir, clock, log: () => {} })
  core.db.prepare(`INSERT INTO staff_user (id, login, display_name, role, password_hash, created_at) VALUES (1, 'bench', 'Bench', 'comptable', 'x', '2026-01-01')`).run()
  return {
    core,
    clock,
    dir,
    async close() {
      await core.close()
      rmSync(dir, { recursive: true, force: true })
    }
  }
}

export interface LoadResult {
  regieId: number
  month: string
  families: number
  children: number
  bookings: number
}

function weekdays(month: string): { school: string[]; wednesdays: string[] } {
  const [y, m] = month.split('-').map(Number)
  const school: string[] = []
  const wednesdays: string[] = []
  for (let d = 1; d <= 31; d++) {
    const dt = new Date(Date.UTC(y, m - 1, d))
    if (dt.getUTCMonth() !== m - 1) break
    const day = dt.toISOString().slice(0, 10)
    const w = dt.getUTCDay()
    if (w === 3) wednesdays.push(day)
    else if (w >= 1 && w <= 5) school.push(day)
  }
  return { school, wednesdays }
}

export async function seedInvoicingLoad(core: Core, opts: { families: number; month?: string; seed?: number }): Promise<LoadResult> {
  const month = opts.month ?? '2026-03'
  const r = prng(opts.seed ?? 7)
  const a = SYSTEM
  const now = core.clock.now().toISOString()
  await core.tx.run((m) =>
    m.save(Structure, {
      id: 1,
      name: 'Mairie de Benchville – Enfance',
      address: '1 place de la Mairie',
      postalCode: '31000',
      city: 'Benchville',
      phone: '05 61 00 00 00',
      email: 'enfance@benchville.fr',
      logo: null,
      siret: '21310000000017',
      holidayZone: 'C',
      holidayRegion: '',
      portalUrl: '',
      updatedAt: now
    })
  )
  const fac = await saveFacility(core, a, { name: 'Accueil périscolaire', active: true, sort: 1 })
  const periType = await saveActivityType(core, a, { facilityId: fac.id, name: 'Périscolaire', kind: 'periscolaire' })
  const restoType = await saveActivityType(core, a, { facilityId: fac.id, name: 'Restauration', kind: 'restauration' })
  const mercType = await saveActivityType(core, a, { facilityId: fac.id, name: 'Mercredis', kind: 'mercredi' })
  const act = (typeId: number, name: string, rule: 'school-days' | 'wednesdays') =>
    saveActivity(core, a, { activityTypeId: typeId, name, openingRule: rule, validation: 'auto', autoBook: false, typicalWeek: false, active: true, description: '' })
  const alae = await act(periType.id, 'ALAE', 'school-days')
  const resto = await act(restoType.id, 'Restauration scolaire', 'school-days')
  const merc = await act(mercType.id, 'Mercredis', 'wednesdays')
  const u = (activityId: number, name: string, s: string, e: string, sort: number) => saveUnit(core, a, { activityId, name, startTime: s, endTime: e, priceCents: 0, sort, excludes: [] })
  const matin = await u(alae.id, 'Matin', '07:30', '08:20', 1)
  const soir = await u(alae.id, 'Soir', '16:00', '18:30', 2)
  const repas = await u(resto.id, 'Repas', '11:30', '13:30', 1)
  const mercJ = await u(merc.id, 'Journée', '08:30', '17:30', 1)
  const regieId = await saveRegie(core, a, {
    id: null, name: 'Régie enfance', code: 'EN', invoiceFormat: '{AA}{MM}EN{N:6}', creditFormat: '{CODE}-AV{N}', paymentFormat: '{CODE}-R{N}',
    isDefault: true, dueDays: 20, paymentMethods: 'Chèque, espèces, CESU à l’accueil ; carte bancaire sur le portail.', creditorName: 'Régie enfance de Benchville',
    ics: 'FR72ZZZ123456', creditorIban: 'FR7630006000011234567890189', creditorBic: '', active: true, activityIds: []
  })
  await saveBillingSettings(core, a, { ...DEFAULT_BILLING_SETTINGS, onlineEnabled: true, testKey: 'cle-de-test-bench', residentPostalCodes: ['31000'] })
  const br = (qfMin: number, qfMax: number | null, price: number, half: number | null = null) => ({ qfMin, qfMax, priceCents: price, halfDayPriceCents: half })
  const t = (x: Record<string, unknown>) => saveTariff(core, a, tariffInput.parse({ validFrom: '2025-09-01', ...x }))
  await t({ name: 'Matin', unitId: matin.id, mode: 'unit', sibling2: { kind: 'pct', value: 10 }, sibling3: { kind: 'pct', value: 20 }, outsideCommune: { kind: 'pct', value: 25 }, walkinSurchargeCents: 100, brackets: [br(0, 600, 70), br(601, 1000, 110), br(1001, 1500, 140), br(1501, null, 170)] })
  await t({ name: 'Soir au quart d’heure', unitId: soir.id, mode: 'hourly', stepMinutes: 15, sibling2: { kind: 'pct', value: 10 }, brackets: [br(0, 600, 160), br(601, 1000, 200), br(1001, null, 260)] })
  await t({ name: 'Repas', activityId: resto.id, mode: 'unit', outsideCommune: { kind: 'amount', value: 100 }, brackets: [br(0, 600, 180), br(601, 1000, 320), br(1001, null, 420)] })
  await t({ name: 'Mercredis', activityId: merc.id, mode: 'day', brackets: [br(0, 800, 900, 500), br(801, null, 1500, 900)] })

  const fams = generateFamilies(opts.families, opts.seed ?? 7)
  const { school, wednesdays } = weekdays(month)
  let children = 0
  let bookings = 0
  await core.tx.run(async () => {
    const db = core.db
    const insFamily = db.prepare(`INSERT INTO family (number, status, address, postal_code, city, notes, search_text, created_at, updated_at) VALUES (?, 'active', ?, ?, ?, '', '', ?, ?)`)
    const insPerson = db.prepare(`INSERT INTO person (family_id, role, civility, last_name, first_name, email, consent_email, address, postal_code, city) VALUES (?, 'responsable', ?, ?, ?, ?, ?, ?, ?, ?)`)
    const insChild = db.prepare(`INSERT INTO child (family_id, last_name, first_name, birth_date, sex, school, grade, created_at) VALUES (?, ?, ?, ?, ?, '', ?, ?)`)
    const insCaf = db.prepare(`INSERT INTO family_caf (family_id, quotient, quotient_valid_until, updated_at) VALUES (?, ?, NULL, ?)`)
    const insBooking = db.prepare(`INSERT INTO booking (child_id, unit_id, day, state, source, price_cents, arrived_at, left_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 0, ?, ?, ?, ?)`)
    const counter = db.prepare(`INSERT INTO counter(name, value) VALUES ('family', 1000) ON CONFLICT(name) DO NOTHING`)
    counter.run()
    let number = (db.prepare(`SELECT value FROM counter WHERE name = 'family'`).get() as { value: number }).value
    const state = () => {
      const x = r()
      return x < 0.88 ? 'R' : x < 0.94 ? 'PRESENT' : x < 0.97 ? 'A_EXC' : 'A_FACT'
    }
    for (const f of fams) {
      number++
      const outside = r() < 0.08
      const postal = outside ? '31500' : '31000'
      const fid = Number(insFamily.run(number, f.address ?? '', postal, outside ? 'Voisinville' : 'Benchville', now, now).lastInsertRowid)
      const p = f.responsable
      insPerson.run(fid, p.civility, p.lastName, p.firstName, p.email || `famille${number}@exemple.fr`, r() < 0.7 ? 1 : 0, f.address ?? '', postal, 'Benchville')
      if (r() < 0.85) insCaf.run(fid, 300 + Math.floor(r() * 2200), now)
      for (const c of f.children ?? []) {
        const cid = Number(insChild.run(fid, c.lastName, c.firstName, c.birthDate, c.sex, c.grade ?? '', now).lastInsertRowid)
        children++
        const pMatin = 0.3 + r() * 0.3
        const pRepas = 0.6 + r() * 0.35
        const pSoir = r() < 0.5 ? 0.2 + r() * 0.4 : 0
        for (const day of school) {
          if (r() < pMatin) (insBooking.run(cid, matin.id, day, state(), 'family', null, null, now, now), bookings++)
          if (r() < pRepas) (insBooking.run(cid, repas.id, day, state(), 'family', null, null, now, now), bookings++)
          if (r() < pSoir) {
            const s = state()
            const left = `${16 + Math.floor(r() * 2)}:${String(Math.floor(r() * 60)).padStart(2, '0')}`
            insBooking.run(cid, soir.id, day, s, 'family', s === 'PRESENT' ? '16:00' : null, s === 'PRESENT' ? left : null, now, now)
            bookings++
          }
        }
        if (r() < 0.25) for (const day of wednesdays) if (r() < 0.7) (insBooking.run(cid, mercJ.id, day, state(), 'family', null, null, now, now), bookings++)
      }
    }
    db.prepare(`UPDATE counter SET value = ? WHERE name = 'family'`).run(number)
  })
  return { regieId, month, families: fams.length, children, bookings }
}
