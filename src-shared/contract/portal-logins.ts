import { z } from '../zod-fr'
import { PORTAL_RIGHTS } from '../portal-rights'
import { email, id, nonEmpty, ok, password } from './common'
import { proc, type ProcedureMap } from './procedure'

const rights = z.array(z.enum(PORTAL_RIGHTS)).max(PORTAL_RIGHTS.length)

export const portalLogin = z.object({
  accountId: id,
  login: z.string(),
  firstName: z.string(),
  lastName: z.string(),
  main: z.boolean(),
  rights,
  status: z.enum(['pending', 'active', 'refused', 'disabled']),
  lastLoginAt: z.string().nullable(),
  /** The login asking (« vous »). */
  self: z.boolean()
})

export const portalInvitationDto = z.object({
  invitationId: id,
  email: z.string(),
  firstName: z.string(),
  lastName: z.string(),
  rights,
  createdAt: z.string(),
  expiresAt: z.string()
})

/**
 * One login per adult (issue 16, accounts/logins.ts). The household's main responsable invites another adult (a
 * responsable or conjoint on file, or a new partner), sets and changes their rights, and revokes their login; the
 * invitee sets a password from the e-mailed link (`auth-accept-invitation`, public, single use, expires).
 */
export const loginsPortalProcedures = {
  'logins-list': proc({
    input: z.object({}),
    output: z.object({
      logins: z.array(portalLogin),
      invitations: z.array(portalInvitationDto),
      /** The household's adults on file, to invite by name. */
      adults: z.array(z.object({ personId: id, firstName: z.string(), lastName: z.string(), email: z.string() }))
    }),
    query: true,
    right: 'main'
  }),
  'logins-invite': proc({
    input: z.object({
      personId: id.optional(),
      firstName: nonEmpty('Prénom', 100),
      lastName: nonEmpty('Nom', 100),
      email,
      rights
    }),
    output: z.object({ message: z.string() }),
    owns: { personId: 'person' },
    right: 'main'
  }),
  'logins-set-rights': proc({ input: z.object({ accountId: id, rights }), output: ok, owns: { accountId: 'portal_account' }, right: 'main' }),
  'logins-revoke': proc({ input: z.object({ accountId: id }), output: ok, owns: { accountId: 'portal_account' }, right: 'main' }),
  'logins-cancel-invitation': proc({ input: z.object({ invitationId: id }), output: ok, owns: { invitationId: 'invitation' }, right: 'main' }),
  'auth-accept-invitation': proc({
    input: z.object({ token: z.string().min(10).max(200), password }),
    output: z.object({ message: z.string(), login: z.string() }),
    public: true
  })
} satisfies ProcedureMap
