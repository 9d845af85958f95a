import type Database from 'better-sqlite3'
import type { EntityManager } from 'typeorm'
import type { TariffDto, TariffInput } from '@shared/contract/billing-shapes'
import { Activity, Unit } from '../../activities/entities'
import type { Actor } from '../../core/actor'
import type { Core } from '../../core/app-core'
import { frenchDate } from '../../core/clock'
import { DomainError, notFound } from '../../core/errors'
import { audit } from '../../audit/audit'
import { claimVersion } from '../../db/versions'
import { stmt } from '../../bookings/sql'
import { Tariff, TariffBracket, TariffMeal } from '../entities'
import { formatEuro } from '@shared/billing/money'
import type { TariffDef } from './resolve'

export function toDef(t: Tariff, brackets: TariffBracket[]): TariffDef {
  return {
    id: t.id,
    name: t.name,
    mode: t.mode,
    stepMinutes: t.stepMinutes,
    flatPeriod: t.flatPeriod,
    dayThresholdMinutes: t.dayThresholdMinutes,
    validFrom: t.validFrom,
    validTo: t.validTo,
    absenceRatePct: Number(t.absenceRatePct),
    walkinSurchargeCents: t.walkinSurchargeCents,
    sibling2: { kind: t.sibling2Kind, value: Number(t.sibling2Value) },
    sibling3: { kind: t.sibling3Kind, value: Number(t.sibling3Value) },
    outsideCommune: { kind: t.outsideKind, value: Number(t.outsideValue) },
    brackets: [...brackets]
      .sort((a, b) => a.sort - b.sort || a.qfMin - b.qfMin)
      .map((b) => ({ qfMin: b.qfMin, qfMax: b.qfMax, priceCents: b.priceCents, halfDayPriceCents: b.halfDayPriceCents }))
  }
}

interface TariffRow {
  id: number
  name: string
  activity_id: number | null
  unit_id: number | null
  mode: TariffDef['mode']
  step_minutes: number
  flat_period: TariffDef['flatPeriod']
  day_threshold_minutes: number
  valid_from: string
  valid_to: string | null
  absence_rate_pct: number
  walkin_surcharge_cents: number
  sibling2_kind: TariffDef['sibling2']['kind']
  sibling2_value: number
  sibling3_kind: TariffDef['sibling3']['kind']
  sibling3_value: number
  outside_kind: TariffDef['outsideCommune']['kind']
  outside_value: number
}

function rowToDef(r: TariffRow, brackets: TariffDef['brackets']): TariffDef & { unitId: number | null; activityId: number | null } {
  return {
    id: r.id,
    name: r.name,
    unitId: r.unit_id,
    activityId: r.activity_id,
    mode: r.mode,
    stepMinutes: r.step_minutes,
    flatPeriod: r.flat_period,
    dayThresholdMinutes: r.day_threshold_minutes,
    validFrom: r.valid_from,
    validTo: r.valid_to,
    absenceRatePct: r.absence_rate_pct,
    walkinSurchargeCents: r.walkin_surcharge_cents,
    sibling2: { kind: r.sibling2_kind, value: r.sibling2_value },
    sibling3: { kind: r.sibling3_kind, value: r.sibling3_value },
    outsideCommune: { kind: r.outside_kind, value: r.outside_value },
    brackets
  }
}

/** A tariff as a run uses it: its definition, its scope and its meal share per unit (« dont repas », cents). */
export type IndexedTariff = ReturnType<typeof rowToDef> & { meals?: Map<number, number> }

/**
 * Every active tariff in memory, for a run: a lookup per booking is then a
 * few array scans instead of two queries. A unit tariff wins over an
 * activity-wide one; among those valid on the day, the latest start wins.
 */
export class TariffIndex {
  private byUnit = new Map<number, IndexedTariff[]>()
  private byActivity = new Map<number, IndexedTariff[]>()

  constructor(tariffs: IndexedTariff[]) {
    for (const t of tariffs) {
      if (t.unitId !== null) push(this.byUnit, t.unitId, t)
      else if (t.activityId !== null) push(this.byActivity, t.activityId, t)
    }
    for (const list of [...this.byUnit.values(), ...this.byActivity.values()]) list.sort((a, b) => b.validFrom.localeCompare(a.validFrom))
  }

  find(unitId: number, activityId: number, day: string): IndexedTariff | null {
    const valid = (t: IndexedTariff) => t.validFrom <= day && (t.validTo === null || day <= t.validTo)
    return this.byUnit.get(unitId)?.find(valid) ?? this.byActivity.get(activityId)?.find(valid) ?? null
  }

  static load(db: Database.Database): TariffIndex {
    return TariffIndex.fromRows(db, stmt(db, 'SELECT * FROM tariff WHERE active = 1').all() as TariffRow[])
  }

  /** Only the tariffs that can apply to one unit: its own and its activity's (a recap prices a few units, not all). */
  static loadFor(db: Database.Database, unitId: number, activityId: number): TariffIndex {
    const rows = stmt(db, 'SELECT * FROM tariff WHERE active = 1 AND (unit_id = ? OR (unit_id IS NULL AND activity_id = ?))').all(unitId, activityId) as TariffRow[]
    return TariffIndex.fromRows(db, rows)
  }

  private static fromRows(db: Database.Database, rows: TariffRow[]): TariffIndex {
    if (!rows.length) return new TariffIndex([])
    const brackets = stmt(
      db,
      'SELECT tariff_id, qf_min, qf_max, price_cents, half_day_price_cents FROM tariff_bracket WHERE tariff_id IN (SELECT value FROM json_each(?)) ORDER BY tariff_id, sort, qf_min'
    ).all(JSON.stringify(rows.map((r) => r.id))) as {
      tariff_id: number
      qf_min: number
      qf_max: number | null
      price_cents: number
      half_day_price_cents: number | null
    }[]
    const byTariff = new Map<number, TariffDef['brackets']>()
    for (const b of brackets) push(byTariff, b.tariff_id, { qfMin: b.qf_min, qfMax: b.qf_max, priceCents: b.price_cents, halfDayPriceCents: b.half_day_price_cents })
    const meals = new Map<number, Map<number, number>>()
    for (const x of stmt(db, 'SELECT tariff_id, unit_id, meal_cents FROM tariff_meal WHERE tariff_id IN (SELECT value FROM json_each(?))').all(JSON.stringify(rows.map((r) => r.id))) as { tariff_id: number; unit_id: number; meal_cents: number }[]) {
      const m = meals.get(x.tariff_id) ?? new Map<number, number>()
      m.set(x.unit_id, x.meal_cents)
      meals.set(x.tariff_id, m)
    }
    return new TariffIndex(rows.map((r) => ({ ...rowToDef(r, byTariff.get(r.id) ?? []), meals: meals.get(r.id) ?? new Map<number, number>() })))
  }
}

function push<K, V>(map: Map<K, V[]>, k: K, v: V): void {
  const list = map.get(k)
  if (list) list.push(v)
  else map.set(k, [v])
}

/** The tariff of one unit on one day, in two indexed reads (used by the booking recap, per line). */
export function findTariff(db: Database.Database, unitId: number, activityId: number, day: string): IndexedTariff | null {
  const pick = (sql: string, key: number) =>
    stmt(db, sql).get(key, day, day) as TariffRow | undefined
  const row =
    pick('SELECT * FROM tariff WHERE active = 1 AND unit_id = ? AND valid_from <= ? AND (valid_to IS NULL OR valid_to >= ?) ORDER BY valid_from DESC LIMIT 1', unitId) ??
    pick('SELECT * FROM tariff WHERE active = 1 AND unit_id IS NULL AND activity_id = ? AND valid_from <= ? AND (valid_to IS NULL OR valid_to >= ?) ORDER BY valid_from DESC LIMIT 1', activityId)
  if (!row) return null
  const brackets = (stmt(db, 'SELECT qf_min, qf_max, price_cents, half_day_price_cents FROM tariff_bracket WHERE tariff_id = ? ORDER BY sort, qf_min').all(row.id) as {
    qf_min: number
    qf_max: number | null
    price_cents: number
    half_day_price_cents: number | null
  }[]).map((b) => ({ qfMin: b.qf_min, qfMax: b.qf_max, priceCents: b.price_cents, halfDayPriceCents: b.half_day_price_cents }))
  return rowToDef(row, brackets)
}

export async function tariffDtos(m: EntityManager): Promise<TariffDto[]> {
  const tariffs = await m.find(Tariff, { order: { validFrom: 'DESC', id: 'DESC' } })
  const brackets = await m.find(TariffBracket)
  const meals = await m.find(TariffMeal, { order: { unitId: 'ASC' } })
  const activities = new Map((await m.find(Activity)).map((a) => [a.id, a.name]))
  const units = new Map((await m.find(Unit)).map((u) => [u.id, u]))
  return tariffs.map((t) => {
    const def = toDef(t, brackets.filter((b) => b.tariffId === t.id))
    const unit = t.unitId ? units.get(t.unitId) : undefined
    const activityId = t.activityId ?? unit?.activityId ?? null
    return {
      id: t.id,
      name: t.name,
      activityId,
      unitId: t.unitId,
      activityName: activityId ? (activities.get(activityId) ?? '') : '',
      unitName: unit?.name ?? null,
      version: t.version,
      mode: t.mode,
      stepMinutes: t.stepMinutes as TariffDto['stepMinutes'],
      flatPeriod: t.flatPeriod,
      dayThresholdMinutes: t.dayThresholdMinutes,
      validFrom: t.validFrom,
      validTo: t.validTo,
      absenceRatePct: def.absenceRatePct,
      walkinSurchargeCents: t.walkinSurchargeCents,
      sibling2: def.sibling2,
      sibling3: def.sibling3,
      outsideCommune: def.outsideCommune,
      brackets: def.brackets,
      meals: meals.filter((x) => x.tariffId === t.id).map((x) => ({ unitId: x.unitId, mealCents: x.mealCents })),
      active: Boolean(t.active)
    }
  })
}

function checkBrackets(input: TariffInput): void {
  const sorted = [...input.brackets].sort((a, b) => a.qfMin - b.qfMin)
  for (let i = 0; i < sorted.length; i++) {
    const b = sorted[i]
    if (b.qfMax !== null && b.qfMax < b.qfMin) throw new DomainError('invalid_input', `Tranche de QF ${b.qfMin}–${b.qfMax} : la borne haute est inférieure à la borne basse.`, 400, { brackets: 'invalide' })
    const next = sorted[i + 1]
    if (next && (b.qfMax === null || b.qfMax >= next.qfMin)) {
      throw new DomainError('invalid_input', `Les tranches de QF se chevauchent (à partir de ${next.qfMin}). Chaque QF doit tomber dans une seule tranche.`, 400, { brackets: 'chevauchement' })
    }
    if (input.mode === 'day' && b.halfDayPriceCents === null) {
      throw new DomainError('invalid_input', 'Mode journée / demi-journée : indiquez aussi le prix de la demi-journée pour chaque tranche.', 400, { brackets: 'demi-journée manquante' })
    }
  }
}

/** « Dont repas »: only for the units the tariff prices, once each, and never more than the price it is part of. */
async function checkMeals(m: EntityManager, input: TariffInput, activityId: number): Promise<void> {
  const seen = new Set<number>()
  const top = Math.max(...input.brackets.map((b) => b.priceCents))
  for (const x of input.meals) {
    const unit = await m.findOneBy(Unit, { id: x.unitId })
    if (!unit || unit.activityId !== activityId || (input.unitId && x.unitId !== input.unitId)) {
      throw new DomainError('invalid_input', 'Part repas : choisissez une unité à laquelle ce tarif s’applique.', 400, { meals: 'unité hors du tarif' })
    }
    if (seen.has(x.unitId)) throw new DomainError('invalid_input', `Part repas : « ${unit.name} » apparaît deux fois.`, 400, { meals: 'doublon' })
    seen.add(x.unitId)
    if (input.mode !== 'hourly' && x.mealCents > top) {
      throw new DomainError('invalid_input', `Part repas de « ${unit.name} » (${formatEuro(x.mealCents)}) : elle ne peut pas dépasser le prix (${formatEuro(top)} au plus).`, 400, { meals: 'supérieure au prix' })
    }
  }
}

/**
 * Creates or updates a tariff with its brackets. Two active tariffs of the
 * same unit (or the same activity-wide scope) may not overlap in time: the
 * price of a day must never depend on which one a query finds first.
 * Invoices keep the prices they were issued with, so editing a tariff never
 * changes an issued invoice.
 */
export async function saveTariff(core: Core, actor: Actor, input: TariffInput): Promise<number> {
  if (input.validTo && input.validTo < input.validFrom) {
    throw new DomainError('invalid_input', 'La fin de validité précède son début.', 400, { validTo: 'avant le début' })
  }
  checkBrackets(input)
  return core.tx.run(async (m) => {
    let activityId = input.activityId
    if (input.unitId) {
      const unit = await m.findOneBy(Unit, { id: input.unitId })
      if (!unit) throw notFound('Unité')
      activityId = unit.activityId
    } else if (!activityId) {
      throw new DomainError('invalid_input', 'Choisissez l’activité (et éventuellement l’unité) à laquelle le tarif s’applique.', 400, { activityId: 'requis' })
    } else if (!(await m.findOneBy(Activity, { id: activityId }))) throw notFound('Activité')
    if (input.active) {
      const qb = m
        .createQueryBuilder(Tariff, 't')
        .where('t.active = 1 AND t.id <> :id', { id: input.id ?? 0 })
        .andWhere(input.unitId ? 't.unit_id = :u' : 't.unit_id IS NULL AND t.activity_id = :a', { u: input.unitId, a: activityId })
        .andWhere('(t.valid_to IS NULL OR t.valid_to >= :from)', { from: input.validFrom })
      if (input.validTo) qb.andWhere('t.valid_from <= :to', { to: input.validTo })
      const clash = await qb.getOne()
      if (clash) {
        throw new DomainError(
          'conflict',
          `Ce tarif chevauche « ${clash.name} » (valable du ${frenchDate(clash.validFrom)}${clash.validTo ? ` au ${frenchDate(clash.validTo)}` : ''}). Terminez d’abord l’ancien tarif la veille du nouveau.`,
          409,
          { validFrom: 'chevauchement' }
        )
      }
    }
    const now = core.clock.now().toISOString()
    const fields = {
      name: input.name,
      activityId: input.unitId ? null : activityId,
      unitId: input.unitId,
      mode: input.mode,
      stepMinutes: input.stepMinutes,
      flatPeriod: input.flatPeriod,
      dayThresholdMinutes: input.dayThresholdMinutes,
      validFrom: input.validFrom,
      validTo: input.validTo,
      absenceRatePct: input.absenceRatePct,
      walkinSurchargeCents: input.walkinSurchargeCents,
      sibling2Kind: input.sibling2.kind,
      sibling2Value: input.sibling2.value,
      sibling3Kind: input.sibling3.kind,
      sibling3Value: input.sibling3.value,
      outsideKind: input.outsideCommune.kind,
      outsideValue: input.outsideCommune.value,
      active: input.active,
      updatedAt: now
    }
    await checkMeals(m, input, activityId)
    let before: unknown = null
    let tariff: Tariff
    if (input.id) {
      const existing = await m.findOneBy(Tariff, { id: input.id })
      if (!existing) throw notFound('Tarif')
      claimVersion(m, 'tariff', { id: existing.id }, input.version, actor, core.clock.now())
      before = { ...existing, brackets: await m.findBy(TariffBracket, { tariffId: existing.id }), meals: await m.findBy(TariffMeal, { tariffId: existing.id }) }
      tariff = await m.save(Tariff, { ...existing, ...fields })
      await m.delete(TariffBracket, { tariffId: existing.id })
      await m.delete(TariffMeal, { tariffId: existing.id })
    } else {
      tariff = await m.save(Tariff, Object.assign(new Tariff(), { ...fields, createdAt: now }))
    }
    let sort = 0
    for (const b of [...input.brackets].sort((a, c) => a.qfMin - c.qfMin)) {
      await m.insert(TariffBracket, { tariffId: tariff.id, qfMin: b.qfMin, qfMax: b.qfMax, priceCents: b.priceCents, halfDayPriceCents: b.halfDayPriceCents, sort: sort++ })
    }
    for (const x of input.meals) await m.insert(TariffMeal, { tariffId: tariff.id, unitId: x.unitId, mealCents: x.mealCents })
    await audit(m, actor, core.clock.now(), { action: input.id ? 'tariff-update' : 'tariff-create', entity: 'tariff', entityId: tariff.id, before, after: { ...input, version: undefined } })
    return tariff.id
  })
}


