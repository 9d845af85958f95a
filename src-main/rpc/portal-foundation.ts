import { changePortalPassword, forgotPortalPassword, portalLogin, resetPortalPassword } from '../accounts/auth'
import { PortalAccount } from '../accounts/entities'
import { parseRights, PORTAL_RIGHTS } from '@shared/portal-rights'
import { registerFamily } from '../accounts/registration'
import { closeSession } from '../accounts/sessions'
import { parisDay } from '../core/clock'
import type { Core } from '../core/app-core'
import { Family, Person } from '../families/entities'
import { FamilyRequest } from '../requests/entities'
import { getStructure } from '../settings/settings'
import { stmt } from '../db/statements'
import { familyUnreadCount } from '../messaging/messaging'
import type { foundationPortalProcedures } from '@shared/contract/portal-foundation'
import { requireActor, type FamilyActor, type HandlersFor } from './types'

async function portalUser(core: Core, accountId: number) {
  return core.tx.read(async (m) => {
    const a = await m.findOneByOrFail(PortalAccount, { id: accountId })
    const f = await m.findOneByOrFail(Family, { id: a.familyId! })
    // Each adult's login is named for them; an account made before (or by registration) is the responsable's.
    const p = a.firstName || a.lastName ? a : await m.findOneBy(Person, { familyId: f.id, role: 'responsable' })
    return {
      accountId: a.id,
      login: a.login,
      familyId: f.id,
      familyNumber: f.number,
      lastName: p?.lastName ?? '',
      firstName: p?.firstName ?? '',
      mustChangePassword: a.mustChangePassword,
      main: a.main,
      rights: a.main ? [...PORTAL_RIGHTS] : parseRights(a.rights)
    }
  })
}

/**
 * The structure's name for the portal header and its website for the logout,
 * logged in or not. Read on the snapshot connection: it decides nothing, and
 * every page load asks for it.
 */
function publicStructure(core: Core): { name: string; websiteUrl: string } {
  const s = stmt(core.snapshot, 'SELECT name, website_url AS websiteUrl FROM structure WHERE id = 1').get() as { name: string; websiteUrl: string } | undefined
  return { name: s?.name || 'Ma structure', websiteUrl: s?.websiteUrl ?? '' }
}

/** The portal handler map. Every non-public handler acts for `ctx.actor.familyId` only. */
export const foundationPortalHandlers: HandlersFor<typeof foundationPortalProcedures, FamilyActor | null> = {
  'auth-session': async (_i, ctx) => ({
    user: ctx.actor ? await portalUser(ctx.core, ctx.actor.id) : null,
    csrfToken: ctx.csrfToken(),
    structure: publicStructure(ctx.core)
  }),
  'auth-login': async (i, ctx) => {
    const r = await portalLogin(ctx.core, i.login, i.password, ctx.ip, ctx.sessionToken)
    ctx.setSession(r.token)
    return { user: await portalUser(ctx.core, r.userId), csrfToken: ctx.csrfToken(), structure: publicStructure(ctx.core) }
  },
  'auth-logout': async (_i, ctx) => {
    await closeSession(ctx.core, ctx.sessionToken)
    ctx.setSession(null)
    return { ok: true }
  },
  'auth-register': async (i, ctx) => ({ message: await registerFamily(ctx.core, i) }),
  'auth-forgot-password': async (i, ctx) => ({ message: await forgotPortalPassword(ctx.core, i.login) }),
  'auth-reset-password': async (i, ctx) => ({ message: await resetPortalPassword(ctx.core, i.token, i.password, ctx.ip) }),
  'auth-change-password': async (i, ctx) => {
    const a = requireActor(ctx)
    await changePortalPassword(ctx.core, a, a.id, i.current, i.next, ctx.sessionToken ?? undefined)
    return { ok: true }
  },
  'home-get': async (_i, ctx) => {
    const a = requireActor(ctx)
    const user = await portalUser(ctx.core, a.id)
    return ctx.core.tx.read(async (m) => ({
      structureName: (await getStructure(m)).name,
      today: parisDay(ctx.core.clock.now()),
      familyNumber: user.familyNumber,
      lastName: user.lastName,
      firstName: user.firstName,
      pendingRequests: await m.countBy(FamilyRequest, { familyId: a.familyId, status: 'pending' }),
      unreadMessages: await familyUnreadCount(m, a.familyId)
    }))
  }
}
