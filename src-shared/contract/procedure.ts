import type { z } from 'zod'
import type { PortalRequirement } from '../portal-rights'

export type StaffRole = 'direction' | 'accueil' | 'comptable' | 'animateur'
export const STAFF_ROLES: readonly StaffRole[] = ['direction', 'accueil', 'comptable', 'animateur']

/**
 * Which entity an input field points at. The portal adapter checks every
 * such id belongs to the caller's family before the handler runs, and the
 * cross-family tests are generated from these declarations.
 */
export type OwnedEntity = string

export interface Procedure<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> {
  input: I
  output: O
  /** Staff procedures: roles allowed. Absent on portal procedures. */
  roles?: readonly StaffRole[]
  /** Callable without a session (login, register, forgot password…). */
  public?: boolean
  /** Portal procedures: input field → entity that must belong to the caller's family. */
  owns?: Record<string, OwnedEntity>
  /** Does not change state (no CSRF token needed, safe to retry). */
  query?: boolean
  /**
   * Portal procedures: what the login must be allowed (portal-rights.ts). Absent = seeing, which every login may; a
   * procedure that writes must say (`any` where every login may), which test/integration/portal-rights.test.ts checks.
   */
  right?: PortalRequirement
}

export function proc<I extends z.ZodType, O extends z.ZodType>(p: Procedure<I, O>): Procedure<I, O> {
  return p
}

export type ProcedureMap = Record<string, Procedure>
export type InputOf<P extends Procedure> = z.input<P['input']>
export type ParsedInputOf<P extends Procedure> = z.output<P['input']>
export type OutputOf<P extends Procedure> = z.output<P['output']>

/** Error body every adapter returns. `message` is French, for people; `code` is for programs. */
export interface ApiErrorBody {
  error: { code: string; message: string; fields?: Record<string, string> }
}
