import { createHmac } from 'node:crypto'
import type { Core } from '../core/app-core'
import { installationSecret } from '../core/installation-secret'
import { newToken, sha256 } from '../accounts/tokens'
import { audit } from '../audit/audit'
import type { FamilyActor } from '../rpc/types'
import { AgendaFeed } from './entities'

/** Where a feed is served on the portal listener (server/portal-agenda-feed.ts). */
export const feedPath = (token: string) => `/agenda/${token}.ics`

/**
 * The URL's secret: 256 bits derived from the row's random seed and the installation secret (a file outside the
 * database). Derived rather than stored so the « Mon compte » page can show the URL again, while the database
 * itself holds only its hash.
 */
function tokenOf(core: Core, familyId: number, seed: string): string {
  return createHmac('sha256', installationSecret(core.paths.dataDir)).update(`agenda-feed:${familyId}:${seed}`).digest('base64url')
}

export interface FeedLink {
  /** Path of the feed on the portal (the page adds its own origin): null until the family turns it on. */
  path: string | null
  createdAt: string | null
}

export async function getFeedLink(core: Core, familyId: number): Promise<FeedLink> {
  const row = await core.tx.read((m) => m.findOneBy(AgendaFeed, { familyId }))
  return row ? { path: feedPath(tokenOf(core, familyId, row.seed)), createdAt: row.createdAt } : { path: null, createdAt: null }
}

/** Turns the feed on, or replaces its URL: the old one answers 404 from the moment this commits. */
export async function renewFeedLink(core: Core, actor: FamilyActor): Promise<FeedLink> {
  const seed = newToken()
  const token = tokenOf(core, actor.familyId, seed)
  const at = core.clock.now()
  await core.tx.run(async (m) => {
    const existed = (await m.countBy(AgendaFeed, { familyId: actor.familyId })) > 0
    await m.save(AgendaFeed, Object.assign(new AgendaFeed(), { familyId: actor.familyId, seed, tokenHash: sha256(token), createdAt: at.toISOString(), createdBy: actor.id }))
    await audit(m, actor, at, { action: existed ? 'agenda-feed-regenerate' : 'agenda-feed-create', entity: 'family', entityId: actor.familyId })
  })
  return { path: feedPath(token), createdAt: at.toISOString() }
}

/** The family a feed token opens, or null (unknown, replaced, or the family has no active portal account). */
export async function familyOfFeedToken(core: Core, token: string): Promise<number | null> {
  const hash = sha256(token)
  return core.tx.read(async (m) => {
    const rows = (await m.query(
      `SELECT f.family_id AS familyId FROM agenda_feed f
        WHERE f.token_hash = ? AND EXISTS (SELECT 1 FROM portal_account a WHERE a.family_id = f.family_id AND a.status = 'active')`,
      [hash]
    )) as { familyId: number }[]
    return rows[0]?.familyId ?? null
  })
}
