/**
 * Cross-family cases, one file per module in this folder. The generated
 * suite (test/integration/cross-family.test.ts) fails for any portal
 * procedure with `owns`, or any download kind, that no module covers here.
 */
import type { FastifyInstance } from 'fastify'
import type { SeededFamily, SeededStaff, TestCore } from '../core'
import type { TestClient } from '../http'

export interface CrossFamilyContext {
  core: TestCore
  staffApp: FastifyInstance
  portalApp: FastifyInstance
  director: SeededStaff
  /** A staff client logged in as direction. */
  staff: TestClient
}

export interface SeededSide {
  family: SeededFamily
  /** Portal client logged in as this family. */
  portal: TestClient
}

/** Gives, for an input field, the id to put there (the victim's for the field under test, the caller's own otherwise). */
export type IdFor = (field: string) => number

export interface CrossFamilyModule {
  /** Creates this family's objects; returns an id per owned entity name (and per download kind entity). */
  seed(ctx: CrossFamilyContext, side: SeededSide): Promise<Record<string, number>>
  /** Texts only the victim's data contains: none may appear in an answer to the other family. */
  markers?(side: SeededSide): string[]
  /** Procedure → a valid input, ids taken from `id`. */
  cases: Record<string, (id: IdFor) => unknown>
  /** Download kind → the entity name whose id goes in the path. */
  downloads?: Record<string, string>
}
