import type { EntityManager } from 'typeorm'
import type { MandateDto, MandateInput } from '@shared/contract/sepa'
import type { Actor } from '../../core/actor'
import type { Core } from '../../core/app-core'
import { parisDay } from '../../core/clock'
import { DomainError, notFound } from '../../core/errors'
import { audit } from '../../audit/audit'
import { claimVersion } from '../../db/versions'
import { nextNumber } from '../../db/counter'
import { dbOf } from '../../bookings/sql'
import { Family } from '../../families/entities'
import { SepaMandate, type MandateAmendmentData, type SequenceTypeCode } from '../entities'
import { formatIban, ibanBank, ibanProblem, isValidBic, normalizeIban } from '@shared/check-digits'
import { epcIdProblem } from './epc-text'
import { personName } from '@shared/names'

export function mandateDtos(m: EntityManager, filter: { familyId?: number; status?: string } = {}): MandateDto[] {
  const where: string[] = []
  const params: unknown[] = []
  if (filter.familyId) (where.push('s.family_id = ?'), params.push(filter.familyId))
  if (filter.status) (where.push('s.status = ?'), params.push(filter.status))
  const rows = dbOf(m)
    .prepare(
      `SELECT s.*, f.number AS family_number, p.last_name, p.first_name
         FROM sepa_mandate s JOIN family f ON f.id = s.family_id LEFT JOIN person p ON p.family_id = f.id AND p.role = 'responsable'
         ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY s.status, f.number, s.id DESC`
    )
    .all(...params) as {
    id: number
    family_id: number
    family_number: number
    last_name: string | null
    first_name: string | null
    rum: string
    holder: string
    iban: string
    bic: string
    signed_on: string
    sequence_type: MandateDto['sequenceType']
    status: MandateDto['status']
    last_collection_on: string | null
    amendment: string | null
    version: number
  }[]
  return rows.map((r) => ({
    id: r.id,
    familyId: r.family_id,
    familyNumber: r.family_number,
    familyName: personName(r.last_name, r.first_name),
    rum: r.rum,
    holder: r.holder,
    iban: formatIban(r.iban),
    bic: r.bic,
    signedOn: r.signed_on,
    sequenceType: r.sequence_type,
    status: r.status,
    lastCollectionOn: r.last_collection_on,
    amendment: r.amendment ? (JSON.parse(r.amendment) as MandateAmendmentData) : null,
    version: r.version
  }))
}

/** Whether a mandate has already served (here, or before Ribambelle when recorded as RCUR). */
const hasServed = (s: SepaMandate) => s.lastCollectionOn !== null || s.sequenceType === 'RCUR' || s.sequenceType === 'FNAL'

/**
 * What the next collection of a used mandate must declare after an edit
 * (rulebook AT-24…AT-26): the RUM it replaces, the account it replaces in the
 * same bank, or "SMNDA" when the debtor moved to another bank (the next
 * collection is then a FRST). Merged with an amendment not yet sent, so the
 * original values stay those the bank knows; a value put back drops its line.
 * A pending bank change stays until a file carries it.
 */
export function amendmentAfterEdit(before: SepaMandate, rum: string, iban: string, bic: string): MandateAmendmentData | null {
  const prev = before.amendment ?? {}
  const next: MandateAmendmentData = {}
  const knownRum = prev.originalRum ?? before.rum
  if (rum !== knownRum) next.originalRum = knownRum
  if (prev.otherBank) next.otherBank = true
  else {
    const knownIban = prev.originalIban ?? before.iban
    const knownBic = before.bic
    if (iban !== knownIban) {
      if (ibanBank(iban) !== ibanBank(knownIban) || Boolean(bic && knownBic && bic !== knownBic)) next.otherBank = true
      else next.originalIban = knownIban
    }
  }
  return next.originalRum || next.originalIban || next.otherBank ? next : null
}

/**
 * Records a signed SEPA mandate, or amends one. A family has at most one
 * active mandate: a new one revokes the previous. The RUM is generated when
 * left empty ("RUM-<N° famille>-<n>"). Changing the RUM or the account of a
 * mandate that has served is an amendment its next collection declares.
 */
export async function saveMandate(core: Core, actor: Actor, input: MandateInput): Promise<number> {
  const iban = normalizeIban(input.iban)
  const problem = ibanProblem(iban)
  if (problem) throw new DomainError('invalid_input', problem, 400, { iban: problem })
  if (input.bic && !isValidBic(input.bic)) throw new DomainError('invalid_input', 'BIC invalide (8 ou 11 caractères, pays existant).', 400, { bic: 'invalide' })
  if (input.signedOn > parisDay(core.clock.now())) throw new DomainError('invalid_input', 'La date de signature ne peut pas être dans le futur.', 400, { signedOn: 'future' })
  return core.tx.run(async (m) => {
    const fam = await m.findOneBy(Family, { id: input.familyId })
    if (!fam) throw notFound('Famille')
    const now = core.clock.now().toISOString()
    let rum = input.rum.trim()
    if (!rum) rum = `RUM-${fam.number}-${await nextNumber(m, 'sepa:rum')}`
    const rp = epcIdProblem(rum)
    if (rp) throw new DomainError('invalid_input', `RUM : ${rp} (lettres, chiffres, / - ? : ( ) . , ' + ; 35 caractères au plus, sans espace).`, 400, { rum: rp })
    const clash = await m.findOneBy(SepaMandate, { rum })
    if (clash && clash.id !== input.id) throw new DomainError('conflict', `La RUM ${rum} est déjà utilisée.`, 409, { rum: 'déjà utilisée' })
    if (input.id) {
      const existing = await m.findOneBy(SepaMandate, { id: input.id })
      if (!existing || existing.familyId !== input.familyId) throw notFound('Mandat')
      claimVersion(m, 'sepa_mandate', { id: existing.id }, input.version, actor, core.clock.now())
      if (existing.status !== 'active') throw new DomainError('conflict', 'Ce mandat n’est plus actif : enregistrez un nouveau mandat.', 409)
      let sequenceType: SequenceTypeCode = input.sequenceType
      let amendment: MandateAmendmentData | null = null
      if (hasServed(existing)) {
        amendment = amendmentAfterEdit(existing, rum, iban, input.bic)
        // A collection after a change of bank is a first one (CFONB guide; PES: AncienneBanque ⇒ FRST).
        sequenceType = amendment?.otherBank ? 'FRST' : existing.sequenceType
      }
      const after = { ...existing, rum, holder: input.holder, iban, bic: input.bic, signedOn: input.signedOn, sequenceType, amendment, updatedAt: now }
      await m.save(SepaMandate, after)
      await audit(m, actor, core.clock.now(), { action: 'mandate-update', entity: 'sepa_mandate', entityId: existing.id, before: { ...existing }, after: { ...after } })
      return existing.id
    }
    const active = await m.findOneBy(SepaMandate, { familyId: input.familyId, status: 'active' })
    if (active) {
      await m.update(SepaMandate, { id: active.id }, { status: 'revoked', revokedOn: parisDay(core.clock.now()), updatedAt: now })
      await audit(m, actor, core.clock.now(), { action: 'mandate-revoke', entity: 'sepa_mandate', entityId: active.id, before: { status: 'active' }, after: { status: 'revoked', reason: 'remplacé par un nouveau mandat' } })
    }
    const saved = await m.save(
      SepaMandate,
      Object.assign(new SepaMandate(), {
        familyId: input.familyId,
        rum,
        holder: input.holder,
        iban,
        bic: input.bic,
        signedOn: input.signedOn,
        sequenceType: input.sequenceType,
        status: 'active',
        lastCollectionOn: null,
        revokedOn: null,
        amendment: null,
        createdAt: now,
        updatedAt: now
      })
    )
    await audit(m, actor, core.clock.now(), { action: 'mandate-create', entity: 'sepa_mandate', entityId: saved.id, after: { ...saved } })
    return saved.id
  })
}

export async function revokeMandate(core: Core, actor: Actor, mandateId: number): Promise<void> {
  await core.tx.run(async (m) => {
    const s = await m.findOneBy(SepaMandate, { id: mandateId })
    if (!s) throw notFound('Mandat')
    if (s.status !== 'active') throw new DomainError('conflict', 'Ce mandat n’est plus actif.', 409)
    await m.update(SepaMandate, { id: s.id }, { status: 'revoked', revokedOn: parisDay(core.clock.now()), updatedAt: core.clock.now().toISOString() })
    await audit(m, actor, core.clock.now(), { action: 'mandate-revoke', entity: 'sepa_mandate', entityId: s.id, before: { status: s.status }, after: { status: 'revoked' } })
  })
}

/**
 * « Dernier prélèvement » : the family leaves direct debit; its next
 * collection is sent as FNAL, after which the mandate cannot serve again.
 * A mandate never collected has no last collection: revoke it instead.
 */
export async function endMandate(core: Core, actor: Actor, mandateId: number): Promise<void> {
  await core.tx.run(async (m) => {
    const s = await m.findOneBy(SepaMandate, { id: mandateId })
    if (!s) throw notFound('Mandat')
    if (s.status !== 'active') throw new DomainError('conflict', 'Ce mandat n’est plus actif.', 409)
    if (s.sequenceType === 'FNAL') throw new DomainError('conflict', 'Le prochain prélèvement de ce mandat est déjà le dernier (FNAL).', 409)
    if (s.sequenceType !== 'RCUR') {
      throw new DomainError(
        'conflict',
        s.sequenceType === 'OOFF'
          ? 'Un mandat ponctuel (OOFF) ne sert qu’une fois : il n’a pas de dernier prélèvement à annoncer.'
          : 'Ce mandat n’a encore servi à aucun prélèvement (ou son prochain est un premier, FRST) : révoquez-le plutôt.',
        409
      )
    }
    await m.update(SepaMandate, { id: s.id }, { sequenceType: 'FNAL', updatedAt: core.clock.now().toISOString() })
    await audit(m, actor, core.clock.now(), { action: 'mandate-end', entity: 'sepa_mandate', entityId: s.id, before: { sequenceType: s.sequenceType }, after: { sequenceType: 'FNAL' } })
  })
}
