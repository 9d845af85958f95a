import type { EntityManager } from 'typeorm'
import type { RequestDto } from '@shared/contract/shapes'
import type { Actor } from '../core/actor'
import type { Core } from '../core/app-core'
import { frenchDateTime } from '../core/clock'
import { conflict, notFound, type DomainError } from '../core/errors'
import { audit } from '../audit/audit'
import { StaffUser } from '../accounts/entities'
import { Family, Person } from '../families/entities'
import { FamilyRequest, type RequestStatus } from './entities'
import { personName } from '@shared/names'

export interface NewRequest {
  familyId: number
  accountId: number | null
  type: string
  summary: string
  payload: Record<string, unknown>
}

/** Files a request from a family. Call inside a transaction. */
export async function createRequest(m: EntityManager, core: Core, actor: Actor, input: NewRequest): Promise<FamilyRequest> {
  const r = await m.save(
    FamilyRequest,
    Object.assign(new FamilyRequest(), {
      ...input,
      status: 'pending' as RequestStatus,
      reason: '',
      createdAt: core.clock.now().toISOString(),
      decidedAt: null,
      decidedBy: null
    })
  )
  await audit(m, actor, core.clock.now(), { action: 'request-create', entity: 'request', entityId: r.id, after: r })
  return r
}

/**
 * Locks a pending request for a decision. Two staff members deciding the
 * same request at once: the second sees it is no longer pending.
 */
export async function pendingRequest(m: EntityManager, requestId: number, type?: string): Promise<FamilyRequest> {
  const r = await m.findOneBy(FamilyRequest, { id: requestId })
  if (!r || (type && r.type !== type)) throw notFound('Demande')
  if (r.status !== 'pending') throw await alreadyDecided(m, r)
  return r
}

const OUTCOME: Record<RequestStatus, string> = { pending: 'en attente', accepted: 'acceptée', refused: 'refusée', cancelled: 'annulée' }

/**
 * The 409 for a decision on a request that is no longer pending: it names who decided it and when, so the second
 * desk knows a colleague got there first (« Demande déjà traitée par Claire Directrice : acceptée le … »).
 */
export async function alreadyDecided(m: EntityManager, r: Pick<FamilyRequest, 'status' | 'decidedAt' | 'decidedBy'>): Promise<DomainError> {
  const when = r.decidedAt ? ` le ${frenchDateTime(new Date(r.decidedAt))}` : ''
  if (r.status === 'cancelled') return conflict(`Demande déjà annulée par la famille${when}.`)
  const staff = r.decidedBy ? await m.findOneBy(StaffUser, { id: r.decidedBy }) : null
  return conflict(`Demande déjà traitée${staff ? ` par ${staff.displayName}` : ''} : ${OUTCOME[r.status]}${when}.`)
}

/** Records the decision on a request (with audit). The type-specific effects are the caller's. */
export async function decideRequest(
  m: EntityManager,
  core: Core,
  actor: Actor & { kind: 'staff' },
  r: FamilyRequest,
  status: 'accepted' | 'refused',
  reason = ''
): Promise<FamilyRequest> {
  const before = { ...r }
  r.status = status
  r.reason = reason
  r.decidedAt = core.clock.now().toISOString()
  r.decidedBy = actor.id
  await m.save(FamilyRequest, r)
  await audit(m, actor, core.clock.now(), { action: `request-${status === 'accepted' ? 'accept' : 'refuse'}`, entity: 'request', entityId: r.id, before, after: r })
  return r
}

export interface ListRequests {
  type?: string
  status?: RequestStatus
  familyId?: number
  /** One request (a screen checks the item it has open after a live change). */
  requestId?: number
  limit: number
  offset: number
}

export async function listRequests(core: Core, q: ListRequests): Promise<{ total: number; items: RequestDto[] }> {
  return core.tx.read(async (m) => {
    const qb = m.createQueryBuilder(FamilyRequest, 'r')
    if (q.type) qb.andWhere('r.type = :type', { type: q.type })
    if (q.status) qb.andWhere('r.status = :status', { status: q.status })
    if (q.familyId) qb.andWhere('r.family_id = :familyId', { familyId: q.familyId })
    if (q.requestId) qb.andWhere('r.id = :requestId', { requestId: q.requestId })
    const total = await qb.getCount()
    const rows = await qb
      .orderBy('r.status = \'pending\'', 'DESC')
      .addOrderBy('r.created_at', q.status === 'pending' ? 'ASC' : 'DESC')
      .skip(q.offset)
      .take(q.limit)
      .getMany()
    return { total, items: await Promise.all(rows.map((r) => requestDto(m, r))) }
  })
}

export async function requestDto(m: EntityManager, r: FamilyRequest): Promise<RequestDto> {
  const family = await m.findOneBy(Family, { id: r.familyId })
  const p = await m.findOneBy(Person, { familyId: r.familyId, role: 'responsable' })
  const staff = r.decidedBy ? await m.findOneBy(StaffUser, { id: r.decidedBy }) : null
  return {
    id: r.id,
    familyId: r.familyId,
    familyNumber: family?.number ?? 0,
    familyName: p ? personName(p.lastName, p.firstName) : '',
    type: r.type,
    status: r.status,
    summary: r.summary,
    payload: r.payload,
    reason: r.reason,
    createdAt: r.createdAt,
    decidedAt: r.decidedAt,
    decidedBy: staff?.displayName ?? null
  }
}
