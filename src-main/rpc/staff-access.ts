import type { accessStaffProcedures } from '@shared/contract/staff-access'
import type { LanStatusDto } from '@shared/contract/staff-access'
import { staffDto } from '../accounts/admin'
import { endConnectedPost, listConnectedPosts } from '../accounts/connected-posts'
import { finishTwoFactorSetup, staffSecondFactor, type StaffListener } from '../accounts/second-factor'
import { confirmTotpSetup, regenerateRecoveryCodes, resetTotp, startTotpSetup, totpStatus } from '../accounts/totp'
import type { Core } from '../core/app-core'
import { DomainError } from '../core/errors'
import { localSubnets } from '../settings/address-ranges'
import { getTwoFactorPolicy, staffNetworkScreen, updateStaffNetworkSettings, updateTwoFactorPolicy } from '../settings/staff-network'
import { requireActor, type CallContext, type HandlersFor, type StaffActor } from './types'

/** Where no listener can be opened from here (an app built alone in a test): the settings apply at the next start. */
const NOT_LIVE: LanStatusDto = { running: false, urls: [], fingerprint: null, certificateExpiresAt: null, error: null, live: false, refused: null }

function lanStatus(core: Core): LanStatusDto {
  return core.runtime.staffLan?.status() ?? NOT_LIVE
}

export function staffListener(ctx: CallContext<StaffActor | null>): StaffListener {
  if (ctx.listener === 'portal') throw new DomainError('unknown_procedure', 'Action inconnue.', 404)
  return ctx.listener
}

export const accessStaffHandlers: HandlersFor<typeof accessStaffProcedures, StaffActor | null> = {
  'auth-second-factor': async (i, ctx) => {
    const r = await staffSecondFactor(ctx.core, ctx.sessionToken, i.code, { listener: staffListener(ctx), address: ctx.ip })
    ctx.setSession(r.token)
    return { user: staffDto(r.user), csrfToken: ctx.csrfToken(), stage: null }
  },

  'network-settings-get': async (_i, ctx) => {
    const { settings, policy } = await ctx.core.tx.read((m) => staffNetworkScreen(m))
    return { ...settings, suggestedRanges: localSubnets(), status: lanStatus(ctx.core), policy }
  },
  'network-settings-update': async (i, ctx) => {
    await updateStaffNetworkSettings(ctx.core, requireActor(ctx), i)
    // Committed: now open, move or close the listener. A failure to open (port taken) is in the status, in French.
    await ctx.core.runtime.staffLan?.apply()
    return lanStatus(ctx.core)
  },
  'two-factor-policy-update': async (i, ctx) => {
    await updateTwoFactorPolicy(ctx.core, requireActor(ctx), i)
    return { ok: true }
  },

  'sessions-list': (_i, ctx) => listConnectedPosts(ctx.core, ctx.sessionToken),
  'sessions-end': async (i, ctx) => {
    await endConnectedPost(ctx.core, requireActor(ctx), i.id)
    return { ok: true }
  },

  'totp-status': async (_i, ctx) => {
    const a = requireActor(ctx)
    const policy = await ctx.core.tx.read((m) => getTwoFactorPolicy(m))
    return { ...(await totpStatus(ctx.core, a.id)), requiredHere: ctx.listener === 'lan' || policy.loopbackRoles.includes(a.role) }
  },
  'totp-setup-start': (i, ctx) => startTotpSetup(ctx.core, requireActor(ctx).id, i.password),
  'totp-setup-confirm': async (i, ctx) => {
    const a = requireActor(ctx)
    const recoveryCodes = await confirmTotpSetup(ctx.core, a, a.id, i.code)
    // A session opened only to set it up becomes a working one (new token).
    if (a.mustSetUpTwoFactor) {
      const token = await finishTwoFactorSetup(ctx.core, ctx.sessionToken, { listener: staffListener(ctx), address: ctx.ip })
      if (token) ctx.setSession(token)
    }
    return { recoveryCodes }
  },
  'totp-recovery-regenerate': async (i, ctx) => {
    const a = requireActor(ctx)
    return { recoveryCodes: await regenerateRecoveryCodes(ctx.core, a, a.id, i.password) }
  },
  'staff-two-factor-reset': async (i, ctx) => {
    await resetTotp(ctx.core, requireActor(ctx), i.id)
    return { ok: true }
  }
}
