import { In, type EntityManager } from 'typeorm'
import type { RegieDto, RegieInput } from '@shared/contract/billing-shapes'
import type { Actor } from '../core/actor'
import type { Core } from '../core/app-core'
import { DomainError, notFound } from '../core/errors'
import { audit } from '../audit/audit'
import { bumpVersion, claimVersion } from '../db/versions'
import { Regie, RegieActivity } from './entities'
import { formatProblem } from './numbering'
import { ibanProblem, isValidBic, isValidIcs } from '@shared/check-digits'

export async function regieDtos(m: EntityManager): Promise<RegieDto[]> {
  const regies = await m.find(Regie, { order: { id: 'ASC' } })
  const links = await m.find(RegieActivity)
  return regies.map((r) => ({
    id: r.id,
    name: r.name,
    code: r.code,
    invoiceFormat: r.invoiceFormat,
    creditFormat: r.creditFormat,
    paymentFormat: r.paymentFormat,
    isDefault: Boolean(r.isDefault),
    dueDays: r.dueDays,
    paymentMethods: r.paymentMethods,
    creditorName: r.creditorName,
    ics: r.ics,
    creditorIban: r.creditorIban,
    creditorBic: r.creditorBic,
    active: Boolean(r.active),
    version: r.version,
    activityIds: links.filter((l) => l.regieId === r.id).map((l) => l.activityId)
  }))
}

export async function getRegie(m: EntityManager, id: number): Promise<Regie> {
  const r = await m.findOneBy(Regie, { id })
  if (!r) throw notFound('Régie')
  return r
}

function check(input: RegieInput): void {
  const fields: Record<string, string> = {}
  for (const k of ['invoiceFormat', 'creditFormat', 'paymentFormat'] as const) {
    const p = formatProblem(input[k])
    if (p) fields[k] = p
  }
  if (input.ics && !isValidIcs(input.ics)) fields.ics = 'Identifiant créancier SEPA invalide (clé de contrôle MOD 97-10, 13 caractères en France, ex. FR72ZZZ123456).'
  if (input.creditorIban) {
    const p = ibanProblem(input.creditorIban)
    if (p) fields.creditorIban = p
  }
  if (input.creditorBic && !isValidBic(input.creditorBic)) fields.creditorBic = 'BIC invalide (8 ou 11 caractères).'
  const first = Object.values(fields)[0]
  if (first) throw new DomainError('invalid_input', first, 400, fields)
}

/**
 * Creates or updates a régie and the activities it bills. Formats may
 * change at any time: numbers already given stay, and the sequence never
 * restarts, so uniqueness holds.
 */
export async function saveRegie(core: Core, actor: Actor, input: RegieInput): Promise<number> {
  check(input)
  return core.tx.run(async (m) => {
    const now = core.clock.now().toISOString()
    const dup = await m.findOneBy(Regie, { code: input.code })
    if (dup && dup.id !== input.id) throw new DomainError('conflict', `Le code « ${input.code} » est déjà utilisé par la régie ${dup.name}.`, 409, { code: 'déjà utilisé' })
    const { activityIds, id, version, ...fields } = input
    // The régies this save takes the default or activities from change too: copies of them open elsewhere become stale.
    const others = new Set<number>()
    if (input.isDefault) for (const r of await m.findBy(Regie, { isDefault: true })) others.add(r.id)
    for (const l of activityIds.length ? await m.findBy(RegieActivity, { activityId: In(activityIds) }) : []) others.add(l.regieId)
    others.delete(id ?? 0)
    for (const r of others) bumpVersion(m, 'regie', { id: r }, actor, core.clock.now())
    if (input.isDefault) await m.update(Regie, { isDefault: true }, { isDefault: false })
    let regie: Regie
    let before: unknown = null
    if (id) {
      const existing = await getRegie(m, id)
      claimVersion(m, 'regie', { id }, version, actor, core.clock.now())
      before = { ...existing, activityIds: (await m.findBy(RegieActivity, { regieId: id })).map((l) => l.activityId) }
      regie = await m.save(Regie, { ...existing, ...fields, updatedAt: now })
    } else {
      regie = await m.save(Regie, Object.assign(new Regie(), { ...fields, createdAt: now, updatedAt: now }))
    }
    if ((await m.countBy(Regie, { isDefault: true })) === 0) await m.update(Regie, { id: regie.id }, { isDefault: true })
    await m.delete(RegieActivity, { regieId: regie.id })
    for (const activityId of new Set(activityIds)) await m.upsert(RegieActivity, { activityId, regieId: regie.id }, ['activityId'])
    await audit(m, actor, core.clock.now(), { action: id ? 'regie-update' : 'regie-create', entity: 'regie', entityId: regie.id, before, after: { ...fields, activityIds } })
    return regie.id
  })
}

/** activity id → régie id, for a run: the explicit links, the default régie for the rest. */
export async function activityRegies(m: EntityManager): Promise<{ links: Map<number, number>; defaultId: number | null }> {
  const links = new Map((await m.find(RegieActivity)).map((l) => [l.activityId, l.regieId]))
  const def = await m.findOneBy(Regie, { isDefault: true })
  return { links, defaultId: def?.id ?? null }
}
