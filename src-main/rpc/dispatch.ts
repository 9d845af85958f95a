import type { z } from 'zod'
import type { Procedure, ProcedureMap } from '@shared/contract'
import { RIGHT_REFUSALS } from '@shared/portal-rights'
import type { Actor } from '../core/actor'
import { DomainError } from '../core/errors'
import { ownerIds, ownershipResolvers } from './ownership'
import type { CallContext } from './types'

export const SESSION_EXPIRED = 'Votre session a expiré ou vous n’êtes pas connecté. Reconnectez-vous.'

/** Procedures a user who must change their password may still call. */
const ALLOWED_BEFORE_PASSWORD_CHANGE = new Set(['auth-session', 'auth-logout', 'auth-change-password', 'home-get'])
/** Procedures a session opened to set up the required second factor (accounts/second-factor.ts) may call. */
const ALLOWED_BEFORE_TWO_FACTOR_SETUP = new Set(['auth-session', 'auth-logout', 'totp-status', 'totp-setup-start', 'totp-setup-confirm'])

export function zodToDomainError(error: z.ZodError): DomainError {
  const fields: Record<string, string> = {}
  for (const issue of error.issues) {
    const key = issue.path.join('.') || '_'
    fields[key] ??= issue.message
  }
  const first = Object.values(fields)[0]
  return new DomainError('invalid_input', `Le formulaire contient des erreurs. ${first ?? ''}`.trim(), 400, fields)
}

/**
 * The one place a call is checked, for every adapter: procedure exists,
 * session present, role allowed, input valid, ids owned by the caller's
 * family, output conforming (which also strips any field the contract does
 * not declare).
 */
export async function dispatch<A extends Actor>(
  procedures: ProcedureMap,
  handlers: Record<string, (input: never, ctx: CallContext<A | null>) => Promise<unknown>>,
  name: string,
  rawInput: unknown,
  ctx: CallContext<A | null>
): Promise<unknown> {
  const proc: Procedure | undefined = Object.prototype.hasOwnProperty.call(procedures, name) ? procedures[name] : undefined
  const handler = proc && handlers[name]
  if (!proc || !handler) throw new DomainError('unknown_procedure', 'Action inconnue.', 404)
  if (!proc.public) {
    const actor = ctx.actor
    if (!actor) throw new DomainError('unauthenticated', SESSION_EXPIRED, 401)
    if (proc.roles && (actor.kind !== 'staff' || !proc.roles.includes(actor.role))) {
      throw new DomainError('forbidden_role', 'Votre rôle ne permet pas cette action.', 403)
    }
    // The new password first, then the second factor: each step allows what it needs.
    if ('mustChangePassword' in actor && actor.mustChangePassword) {
      if (!ALLOWED_BEFORE_PASSWORD_CHANGE.has(name)) throw new DomainError('password_change_required', 'Vous devez d’abord choisir un nouveau mot de passe.', 403)
    } else if (actor.kind === 'staff' && actor.mustSetUpTwoFactor && !ALLOWED_BEFORE_TWO_FACTOR_SETUP.has(name)) {
      throw new DomainError('two_factor_setup_required', 'Configurez d’abord la double authentification.', 403)
    }
    // A household's adults each have their login: what the main responsable did not allow this one is refused here,
    // before anything is read or written.
    if (actor.kind === 'family' && proc.right && proc.right !== 'any') {
      const allowed = proc.right === 'main' ? actor.main === true : (actor.rights ?? []).includes(proc.right)
      if (!allowed) throw new DomainError('forbidden_right', RIGHT_REFUSALS[proc.right], 403)
    }
  }
  const parsed = proc.input.safeParse(rawInput ?? {})
  if (!parsed.success) throw zodToDomainError(parsed.error)
  const input = parsed.data as Record<string, unknown>
  if (proc.owns) {
    const actor = ctx.actor
    if (!actor || actor.kind !== 'family') throw new DomainError('forbidden', 'Accès refusé.', 403)
    await ctx.core.tx.read(async (m) => {
      for (const [field, entity] of Object.entries(proc.owns!)) {
        const values = ([] as unknown[]).concat(input[field] ?? [])
        for (const v of values) {
          const resolve = ownershipResolvers[entity]
          if (!resolve) throw new Error(`No ownership resolver for ${entity}`)
          // Same answer for "not yours" and "does not exist": ids of other families stay unguessable.
          if (typeof v !== 'number' || !ownerIds(await resolve(m, v)).includes(actor.familyId)) throw new DomainError('not_found', 'Élément introuvable.', 404)
        }
      }
    })
  }
  const out = await handler(input as never, ctx)
  return proc.output.parse(out)
}
