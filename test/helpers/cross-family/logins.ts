import { PortalAccount, PortalInvitation } from '../../../src-main/accounts/entities'
import type { CrossFamilyModule } from './types'

/**
 * Cross-family cases of issue 16's logins: another adult's login of the household and a pending invitation (written
 * directly: their password and token never serve here). The person id comes from the family-file module's seed.
 */
export const module: CrossFamilyModule = {
  async seed(ctx, { family }) {
    const now = ctx.core.clock.now().toISOString()
    return ctx.core.tx.run(async (m) => {
      const account = await m.save(
        PortalAccount,
        Object.assign(new PortalAccount(), {
          familyId: family.familyId,
          login: `second.${family.familyId}@exemple.fr`,
          passwordHash: 'x',
          status: 'active',
          mustChangePassword: false,
          createdAt: now,
          validatedAt: now,
          lastLoginAt: null,
          main: false,
          rights: 'book',
          firstName: 'Second',
          lastName: family.lastName,
          personId: null
        })
      )
      const invitation = await m.save(
        PortalInvitation,
        Object.assign(new PortalInvitation(), {
          familyId: family.familyId,
          email: `invite.${family.familyId}@exemple.fr`,
          firstName: 'Invité',
          lastName: family.lastName,
          personId: null,
          rights: '',
          tokenHash: `cross-family-${family.familyId}`,
          invitedBy: family.accountId,
          createdAt: now,
          expiresAt: '2099-01-01T00:00:00.000Z',
          usedAt: null,
          cancelledAt: null,
          accountId: null
        })
      )
      return { portal_account: account.id, invitation: invitation.id }
    })
  },
  cases: {
    'logins-invite': (id) => ({ personId: id('personId'), firstName: 'Eve', lastName: 'Intruse', email: 'eve@exemple.fr', rights: ['book'] }),
    'logins-set-rights': (id) => ({ accountId: id('accountId'), rights: ['book', 'pay', 'edit'] }),
    'logins-revoke': (id) => ({ accountId: id('accountId') }),
    'logins-cancel-invitation': (id) => ({ invitationId: id('invitationId') })
  }
}
