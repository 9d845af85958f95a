/**
 * Every kind of record staff load then save, seen as a screen sees it: `load`
 * calls the get procedure and returns the version and the state the save
 * changes; `save(c, version, n)` sends change number n from a copy at
 * `version`; `expected(n)` is the state after change n. The stale-save tests
 * run the same scenario on each (test/integration/stale-saves.test.ts).
 */
import type { FastifyInstance } from 'fastify'
import type { CallResult, TestClient } from './http'
import type { SeededFamily, TestCore } from './core'

export interface VersionedKind {
  /** Start of the French refusal: « Ce dossier a été modifié ». */
  changed: string
  /** Its end: « l’avez ouvert ». */
  opened: string
  load(c: TestClient): Promise<{ version: number; state: unknown }>
  save(c: TestClient, version: number, n: number): Promise<CallResult>
  expected(n: number): unknown
}

export interface KindsContext {
  core(): TestCore
  family(): SeededFamily
  portal(): FastifyInstance
}

type Dto = Record<string, unknown>
const without = (o: Dto, ...keys: string[]) => Object.fromEntries(Object.entries(o).filter(([k]) => !keys.includes(k)))

async function body(r: Promise<CallResult>): Promise<Dto> {
  const res = await r
  if (res.status !== 200) throw new Error(`${res.status} ${JSON.stringify(res.body)}`)
  return res.body
}

const DOSSIER = { changed: 'Ce dossier a été modifié', opened: 'l’avez ouvert' }

export function versionedKinds(ctx: KindsContext): Record<string, VersionedKind> {
  const file = (c: TestClient) => body(c.call('family-file-get', { familyId: ctx.family().familyId }))
  const child = (f: Dto) => (f.children as Dto[])[0]

  /** A section of the family file: where its values and version are in the file, and the field change n writes. */
  const section = (
    name: string,
    values: (f: Dto) => Dto,
    version: (f: Dto) => number,
    change: (v: Dto, n: number) => Dto,
    state: (v: Dto) => unknown,
    childId = false
  ): VersionedKind => ({
    ...DOSSIER,
    async load(c) {
      const f = await file(c)
      return { version: version(f), state: state(values(f)) }
    },
    async save(c, v, n) {
      const f = await file(c)
      return c.call('family-file-save', {
        section: name,
        familyId: ctx.family().familyId,
        ...(childId ? { childId: child(f).id } : {}),
        version: v,
        values: change(values(f), n)
      })
    },
    expected: (n) => state(change({}, n))
  })
  const versions = (f: Dto) => f.versions as Record<string, number>
  const childVersions = (f: Dto) => child(f).versions as Record<string, number>

  return {
    'family file: responsable': section(
      'responsable',
      (f) => without(f.responsable as Dto, 'id', 'role'),
      (f) => versions(f).responsable,
      (v, n) => ({ ...v, profession: `Infirmière ${n}` }),
      (v) => v.profession
    ),
    'family file: conjoint (created by the first save)': section(
      'conjoint',
      (f) => (f.conjoint ? without(f.conjoint as Dto, 'id', 'role') : { lastName: 'Durand', firstName: 'Marc' }),
      (f) => versions(f).conjoint,
      (v, n) => ({ lastName: 'Durand', firstName: 'Marc', ...v, profession: `Boulanger ${n}` }),
      (v) => v.profession
    ),
    'family file: fiscal (created by the first save)': section(
      'fiscal',
      (f) => f.fiscal as Dto,
      (f) => versions(f).fiscal,
      (v, n) => ({ ...v, referenceIncome: 20_000 + n }),
      (v) => v.referenceIncome
    ),
    'family file: CAF': section(
      'caf',
      (f) => without(f.caf as Dto, 'quotientProofDocumentId', 'quotientProofName', 'quotientValidToday'),
      (f) => versions(f).caf,
      (v, n) => ({ ...v, quotient: 500 + n }),
      (v) => v.quotient
    ),
    'family file: bank': section(
      'bank',
      (f) => without(f.bank as Dto, 'ibanMasked'),
      (f) => versions(f).bank,
      (v, n) => ({ ...v, bankName: `Banque ${n}` }),
      (v) => v.bankName
    ),
    'family file: child identity': section(
      'child',
      (f) => child(f).identity as Dto,
      (f) => childVersions(f).child,
      (v, n) => ({ ...v, school: `École ${n}` }),
      (v) => v.school,
      true
    ),
    'family file: health': section(
      'health',
      (f) => without(child(f).health as Dto, 'paiDocumentId', 'paiDocumentName'),
      (f) => childVersions(f).health,
      (v, n) => ({ ...v, doctorName: `Dr Martin ${n}` }),
      (v) => v.doctorName,
      true
    ),
    'family file: authorisations': section(
      'authorisations',
      (f) => child(f).authorisations as Dto,
      (f) => childVersions(f).authorisations,
      (v, n) => ({ ...v, pickups: [{ name: `Mamie ${n}`, relationship: 'Grand-mère', phone: '06 11 22 33 44', emergency: true }] }),
      (v) => (v.pickups as Dto[])[0]?.name,
      true
    ),
    'family file: custody notes': {
      ...DOSSIER,
      async load(c) {
        const f = await file(c)
        return { version: childVersions(f).custody, state: child(f).custodyNotes }
      },
      async save(c, version, n) {
        return c.call('family-file-custody', { childId: child(await file(c)).id, custodyNotes: `Garde alternée ${n}`, version })
      },
      expected: (n) => `Garde alternée ${n}`
    },
    'family file: departure': {
      ...DOSSIER,
      async load(c) {
        const f = await file(c)
        return { version: versions(f).family, state: f.leftAt }
      },
      async save(c, version, n) {
        return c.call('family-file-departure', { familyId: ctx.family().familyId, leftAt: `2026-08-0${n}`, version })
      },
      expected: (n) => `2026-08-0${n}`
    }
  }
}
