import { z } from '../zod-fr'
import { empty, ok, password } from './common'
import { proc, type ProcedureMap } from './procedure'
import { registrationInput } from './shapes'
import { PORTAL_RIGHTS } from '../portal-rights'

const portalUser = z.object({
  accountId: z.number().int(),
  login: z.string(),
  familyId: z.number().int(),
  familyNumber: z.number().int(),
  lastName: z.string(),
  firstName: z.string(),
  mustChangePassword: z.boolean(),
  /** One login per adult (issue 16): the main responsable's manages the others; `rights` is what this one may do. */
  main: z.boolean(),
  rights: z.array(z.enum(PORTAL_RIGHTS))
})
export type PortalUserDto = z.infer<typeof portalUser>

/**
 * `structure` is public: the logged-out pages show whose portal this is, and
 * « Se déconnecter » leads to the collectivité's website when one is set.
 */
const sessionOut = z.object({
  user: portalUser.nullable(),
  csrfToken: z.string(),
  structure: z.object({ name: z.string(), websiteUrl: z.string() })
})

/**
 * Family portal API, served only on the portal listener. Every procedure that
 * is not `public` runs with the caller's family; `owns` lists the input ids
 * the adapter checks against that family.
 */
export const foundationPortalProcedures = {
  'auth-session': proc({ input: empty, output: sessionOut, public: true, query: true }),
  'auth-login': proc({
    input: z.object({ login: z.string().trim().min(1).max(200), password: z.string().min(1).max(256) }),
    output: sessionOut,
    public: true
  }),
  'auth-logout': proc({ right: 'any', input: empty, output: ok }),
  'auth-register': proc({
    input: registrationInput.extend({ password }),
    output: z.object({ message: z.string() }),
    public: true
  }),
  'auth-forgot-password': proc({
    input: z.object({ login: z.string().trim().min(1).max(200) }),
    output: z.object({ message: z.string() }),
    public: true
  }),
  'auth-reset-password': proc({
    input: z.object({ token: z.string().min(10).max(200), password }),
    output: z.object({ message: z.string() }),
    public: true
  }),
  'auth-change-password': proc({ right: 'any', input: z.object({ current: z.string(), next: password }), output: ok }),
  'home-get': proc({
    input: empty,
    output: z.object({
      structureName: z.string(),
      today: z.string(),
      familyNumber: z.number().int(),
      lastName: z.string(),
      firstName: z.string(),
      pendingRequests: z.number().int(),
      unreadMessages: z.number().int()
    }),
    query: true
  })
} satisfies ProcedureMap

