/**
 * The régie as the Trésor public knows it, and the product codes of its
 * lines. One record per régie, saved as a whole from one simple screen.
 */
import type { EntityManager } from 'typeorm'
import type { PesSettingsInput } from '@shared/contract/billing-shapes'
import type { Actor } from '../../core/actor'
import type { Core } from '../../core/app-core'
import { DomainError } from '../../core/errors'
import { audit } from '../../audit/audit'
import { getRegie } from '../regies'
import { RegiePes, type PesProduct } from './entities'

/** SIRET: 14 digits and a Luhn key (INSEE). La Poste's establishments use another rule and are accepted as they are. */
export function isValidSiret(s: string): boolean {
  if (!/^\d{14}$/.test(s)) return false
  if (s.startsWith('356000000')) return [...s].reduce((t, c) => t + Number(c), 0) % 5 === 0
  let sum = 0
  for (let i = 0; i < 14; i++) {
    let d = Number(s[13 - i])
    if (i % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2
    sum += d
  }
  return sum % 10 === 0
}

export function blankPesSettings(regieId: number): PesSettingsInput {
  return { regieId, enabled: false, collectivite: '', siret: '', poste: '', codCol: '', codBud: '', defaultProduct: '', defaultNature: '', products: [] }
}

export async function getPesSettings(m: EntityManager, regieId: number): Promise<PesSettingsInput> {
  const r = await m.findOneBy(RegiePes, { regieId })
  if (!r) return blankPesSettings(regieId)
  return {
    regieId,
    enabled: Boolean(r.enabled),
    collectivite: r.collectivite,
    siret: r.siret,
    poste: r.poste,
    codCol: r.codCol,
    codBud: r.codBud,
    defaultProduct: r.defaultProduct,
    defaultNature: r.defaultNature,
    products: r.products
  }
}

/** Field → French problem; empty when a bordereau can be written with these settings. */
export function pesSettingsProblems(s: PesSettingsInput): Record<string, string> {
  const f: Record<string, string> = {}
  if (!s.collectivite) f.collectivite = 'Libellé de la collectivité et du budget : champ obligatoire.'
  if (!isValidSiret(s.siret)) f.siret = 'SIRET de la collectivité invalide (14 chiffres, clé de contrôle).'
  if (!/^\d{6}$/.test(s.poste)) f.poste = 'Poste comptable : 6 chiffres (code du poste dans Hélios, ex. 031000).'
  if (!/^[A-Z0-9]{1,3}$/.test(s.codCol)) f.codCol = 'Code collectivité : 1 à 3 lettres ou chiffres, donné par le comptable.'
  if (!/^[A-Z0-9]{2}$/.test(s.codBud)) f.codBud = 'Code budget : 2 lettres ou chiffres, donné par le comptable (ex. 01).'
  if (!/^[A-Z0-9]{1,4}$/.test(s.defaultProduct)) f.defaultProduct = 'Code produit par défaut : 1 à 4 lettres ou chiffres.'
  if (!/^[1-9]\d{0,11}$/.test(s.defaultNature)) f.defaultNature = 'Nature par défaut : le compte budgétaire, en chiffres (ex. 7066).'
  return f
}

export async function savePesSettings(core: Core, actor: Actor, input: PesSettingsInput): Promise<void> {
  if (input.enabled) {
    const f = pesSettingsProblems(input)
    const first = Object.values(f)[0]
    if (first) throw new DomainError('invalid_input', first, 400, f)
  }
  const seen = new Set<string>()
  for (const p of input.products) {
    const k = `${p.kind}:${p.refId}`
    if (seen.has(k)) throw new DomainError('invalid_input', 'Une même activité ou un même tarif a deux codes produit.', 400, { products: 'en double' })
    seen.add(k)
  }
  await core.tx.run(async (m) => {
    await getRegie(m, input.regieId)
    const before = await m.findOneBy(RegiePes, { regieId: input.regieId })
    const { regieId, ...fields } = input
    await m.save(RegiePes, Object.assign(new RegiePes(), { regieId, ...fields, updatedAt: core.clock.now().toISOString() }))
    await audit(m, actor, core.clock.now(), { action: 'regie-pes-update', entity: 'regie', entityId: regieId, before, after: input })
  })
}

/** The product of an invoice line: its tariff's, else its activity's, else the régie's default. */
export function productResolver(s: PesSettingsInput): (line: { tariffId: number | null; activityId: number | null }) => { code: string; nature: string } {
  const byTariff = new Map<number, PesProduct>()
  const byActivity = new Map<number, PesProduct>()
  for (const p of s.products) (p.kind === 'tariff' ? byTariff : byActivity).set(p.refId, p)
  return (l) => {
    const p = (l.tariffId !== null ? byTariff.get(l.tariffId) : undefined) ?? (l.activityId !== null ? byActivity.get(l.activityId) : undefined)
    return p ? { code: p.code, nature: p.nature } : { code: s.defaultProduct, nature: s.defaultNature }
  }
}
