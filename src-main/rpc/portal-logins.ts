import type { loginsPortalProcedures } from '@shared/contract/portal-logins'
import { acceptInvitation, cancelInvitation, inviteAdult, listLogins, revokeLogin, setLoginRights } from '../accounts/logins'
import { requireActor, type FamilyActor, type HandlersFor } from './types'

/** The household's logins (issue 16): only the main responsable's login gets here (`right: 'main'`, dispatch.ts). */
export const loginsPortalHandlers: HandlersFor<typeof loginsPortalProcedures, FamilyActor | null> = {
  'logins-list': async (_i, ctx) => ctx.core.tx.read((m) => listLogins(m, ctx.core, requireActor(ctx))),
  'logins-invite': async (i, ctx) => ({ message: await inviteAdult(ctx.core, requireActor(ctx), i) }),
  'logins-set-rights': async (i, ctx) => {
    await setLoginRights(ctx.core, requireActor(ctx), i.accountId, i.rights)
    return { ok: true }
  },
  'logins-revoke': async (i, ctx) => {
    await revokeLogin(ctx.core, requireActor(ctx), i.accountId)
    return { ok: true }
  },
  'logins-cancel-invitation': async (i, ctx) => {
    await cancelInvitation(ctx.core, requireActor(ctx), i.invitationId)
    return { ok: true }
  },
  'auth-accept-invitation': async (i, ctx) => acceptInvitation(ctx.core, i.token, i.password)
}
