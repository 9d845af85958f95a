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
import { PDF } from './files'

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
  /** A direction client that creates the records the kinds edit. */
  staff(): TestClient
}

const WEEKDAYS: Record<number, number[]> = { 1: [1, 2, 4, 5], 2: [1, 2, 3, 4, 5], 3: [1, 2, 4], 4: [1, 4, 5] }

type Dto = Record<string, unknown>
const without = (o: Dto, ...keys: string[]) => Object.fromEntries(Object.entries(o).filter(([k]) => !keys.includes(k)))

async function body(r: Promise<CallResult>): Promise<Dto> {
  const res = await r
  if (res.status !== 200) throw new Error(`${res.status} ${JSON.stringify(res.body)}`)
  return res.body
}

const DOSSIER = { changed: 'Ce dossier a été modifié', opened: 'l’avez ouvert' }
const M = (subject: string) => ({ changed: `${subject} a été modifié`, opened: 'l’avez ouvert' })
const F = (subject: string) => ({ changed: `${subject} a été modifiée`, opened: 'l’avez ouverte' })

/** Runs `make` once, on first use (records other kinds hang from are created by the first test that needs them). */
function once<T>(make: () => Promise<T>): () => Promise<T> {
  let p: Promise<T> | null = null
  return () => (p ??= make())
}

/**
 * A record edited in a list or tree: `find` picks it (by id) in what `list`
 * returns, `input` turns it into the save's input with change n.
 */
function listed(
  words: { changed: string; opened: string },
  id: () => Promise<number>,
  list: (c: TestClient) => Promise<Dto[]>,
  proc: string,
  input: (row: Dto, n: number) => Dto,
  state: (row: Dto) => unknown
): VersionedKind {
  const find = async (c: TestClient) => {
    const wanted = await id()
    const row = (await list(c)).find((r) => r.id === wanted)
    if (!row) throw new Error(`row ${wanted} not listed`)
    return row
  }
  return {
    ...words,
    async load(c) {
      const row = await find(c)
      return { version: row.version as number, state: state(row) }
    },
    async save(c, version, n) {
      return c.call(proc, { ...input(await find(c), n), version })
    },
    expected: (n) => state(input({}, n))
  }
}

const pick = (row: Dto, keys: string[]) => Object.fromEntries(keys.map((k) => [k, row[k]]))

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

  // ---------------------------------------------------------------- activities configuration
  const tree = async (c: TestClient) => (await body(c.call('activities-tree', {}))) as unknown as Dto[]
  const flat = async (c: TestClient) => {
    const facilities = await tree(c)
    const types = facilities.flatMap((f) => f.types as Dto[])
    const activities = types.flatMap((t) => t.activities as Dto[])
    const under = (k: string) => activities.flatMap((a) => a[k] as Dto[])
    return { facilities, types, activities, periods: under('periods'), groups: under('groups'), units: under('units'), capacities: under('capacities') }
  }
  const created = async (r: Promise<CallResult>) => (await body(r)).id as number
  const config = once(async () => {
    const c = ctx.staff()
    const facilityId = await created(c.call('facilities-save', { name: 'Accueil de loisirs' }))
    const typeId = await created(c.call('activity-types-save', { facilityId, name: 'Mercredis', kind: 'mercredi' }))
    const activityId = await created(c.call('activities-save', { activityTypeId: typeId, name: 'Mercredis loisirs', openingRule: 'wednesdays' }))
    const periodId = await created(
      c.call('periods-save', { activityId, name: 'Année 2026-2027', startDate: '2026-09-01', endDate: '2027-07-03', windowStart: '2026-06-01', windowEnd: '2027-06-30' })
    )
    const groupId = await created(c.call('groups-save', { activityId, name: 'Maternelles', levels: ['PS', 'MS', 'GS'], places: 24 }))
    const unitId = await created(c.call('units-save', { activityId, name: 'Journée', startTime: '08:30', endTime: '17:30' }))
    const capacityId = await created(c.call('capacities-save', { groupId, unitId, places: 12 }))
    const closureId = await created(c.call('closures-save', { activityId, startDate: '2027-05-14', endDate: '2027-05-14', reason: 'Pont' }))
    const holidayId = await created(
      c.call('school-holidays-save', { zone: 'C', schoolYear: '2031-2032', name: 'Vacances test', kind: 'petites', firstDayOff: '2031-10-18', backDay: '2031-11-03' })
    )
    return { facilityId, typeId, activityId, periodId, groupId, unitId, capacityId, closureId, holidayId }
  })
  const configKind = (
    words: { changed: string; opened: string },
    which: 'facilities' | 'types' | 'activities' | 'periods' | 'groups' | 'units' | 'capacities',
    idOf: (ids: Awaited<ReturnType<typeof config>>) => number,
    proc: string,
    keys: string[],
    change: (n: number) => Dto,
    state: (row: Dto) => unknown
  ) =>
    listed(
      words,
      async () => idOf(await config()),
      async (c) => (await flat(c))[which],
      proc,
      (row, n) => ({ ...pick(row, keys), ...change(n) }),
      state
    )

  const activities: Record<string, VersionedKind> = {
    facility: configKind(M('Cet équipement'), 'facilities', (x) => x.facilityId, 'facilities-save', ['id', 'name', 'active', 'sort'], (n) => ({ name: `Accueil ${n}` }), (r) => r.name),
    'activity type': configKind(M('Ce type d’activité'), 'types', (x) => x.typeId, 'activity-types-save', ['id', 'facilityId', 'name', 'kind'], (n) => ({ name: `Type ${n}` }), (r) => r.name),
    activity: configKind(
      F('Cette activité'),
      'activities',
      (x) => x.activityId,
      'activities-save',
      ['id', 'activityTypeId', 'name', 'openingRule', 'validation', 'autoBook', 'typicalWeek', 'active', 'description'],
      (n) => ({ description: `Description ${n}` }),
      (r) => r.description
    ),
    period: configKind(
      F('Cette période'),
      'periods',
      (x) => x.periodId,
      'periods-save',
      ['id', 'activityId', 'name', 'startDate', 'endDate', 'windowStart', 'windowEnd'],
      (n) => ({ name: `Période ${n}` }),
      (r) => r.name
    ),
    group: configKind(M('Ce groupe'), 'groups', (x) => x.groupId, 'groups-save', ['id', 'activityId', 'name', 'ageMin', 'ageMax', 'levels', 'places'], (n) => ({ places: 20 + n }), (r) => r.places),
    unit: configKind(
      F('Cette unité'),
      'units',
      (x) => x.unitId,
      'units-save',
      ['id', 'activityId', 'name', 'startTime', 'endTime', 'priceCents', 'sort', 'excludes'],
      (n) => ({ name: `Journée ${n}` }),
      (r) => r.name
    ),
    capacity: configKind(F('Cette capacité'), 'capacities', (x) => x.capacityId, 'capacities-save', ['groupId', 'unitId', 'day'], (n) => ({ places: 10 + n }), (r) => r.places),
    closure: listed(
      F('Cette fermeture'),
      async () => (await config()).closureId,
      async (c) => (await body(c.call('closures-list', {}))) as unknown as Dto[],
      'closures-save',
      (row, n) => ({ ...pick(row, ['id', 'facilityId', 'activityId', 'startDate', 'endDate']), reason: `Pont de l’Ascension ${n}` }),
      (r) => r.reason
    ),
    'school holiday': listed(
      F('Cette période de vacances'),
      async () => (await config()).holidayId,
      async (c) => (await body(c.call('school-holidays-list', { zone: 'C' }))) as unknown as Dto[],
      'school-holidays-save',
      (row, n) => ({ ...pick(row, ['id', 'zone', 'schoolYear', 'kind', 'firstDayOff', 'backDay']), name: `Vacances test ${n}` }),
      (r) => r.name
    ),
    'calendar settings': {
      changed: 'Ces réglages ont été modifiés',
      opened: 'les avez ouverts',
      async load(c) {
        const { version, ...state } = await body(c.call('calendar-settings-get', {}))
        return { version: version as number, state }
      },
      save: (c, version, n) => c.call('calendar-settings-update', { version, schoolWeekdays: WEEKDAYS[n] }),
      expected: (n) => ({ schoolWeekdays: WEEKDAYS[n] })
    },
    'booking rules': {
      changed: 'Ces règles de réservation ont été modifiées',
      opened: 'les avez ouvertes',
      async load(c) {
        const r = await body(c.call('bookings-rules-get', { activityId: (await config()).activityId }))
        return { version: r.version as number, state: r.booking }
      },
      async save(c, version, n) {
        const rule = { kind: 'days-before', days: n, time: '18:00' }
        return c.call('bookings-rules-set', { activityId: (await config()).activityId, version, booking: rule, cancellation: rule, familyChanges: true })
      },
      expected: (n) => ({ kind: 'days-before', days: n, time: '18:00' })
    }
  }

  // ---------------------------------------------------------------- billing
  const billing = once(async () => {
    const c = ctx.staff()
    const { activityId } = await config()
    const tariffId = (await body(c.call('billing-tariff-save', { name: 'Mercredi', activityId, mode: 'unit', validFrom: '2026-09-01', brackets: [{ priceCents: 850 }] }))).tariffId as number
    const regieId = (await body(c.call('billing-regie-save', { name: 'Régie périscolaire', code: 'PERI' }))).regieId as number
    const mandateId = (
      await body(
        c.call('billing-mandate-save', { familyId: ctx.family().familyId, holder: 'Alice Durand', iban: 'FR7630006000011234567890189', signedOn: '2026-09-01' })
      )
    ).mandateId as number
    return { tariffId, regieId, mandateId }
  })
  const TARIFF_KEYS = ['id', 'name', 'activityId', 'unitId', 'mode', 'stepMinutes', 'flatPeriod', 'dayThresholdMinutes', 'validFrom', 'validTo', 'absenceRatePct']
  const REGIE_KEYS = ['id', 'name', 'code', 'invoiceFormat', 'creditFormat', 'paymentFormat', 'isDefault', 'dueDays', 'creditorName', 'ics', 'creditorIban', 'creditorBic', 'active', 'activityIds']
  const billingKinds: Record<string, VersionedKind> = {
    tariff: listed(
      M('Ce tarif'),
      async () => (await billing()).tariffId,
      async (c) => (await body(c.call('billing-tariffs-list', {}))) as unknown as Dto[],
      'billing-tariff-save',
      (row, n) => ({ ...pick(row, [...TARIFF_KEYS, 'walkinSurchargeCents', 'sibling2', 'sibling3', 'outsideCommune', 'brackets', 'active']), name: `Mercredi ${n}` }),
      (r) => r.name
    ),
    régie: listed(
      F('Cette régie'),
      async () => (await billing()).regieId,
      async (c) => (await body(c.call('billing-regies-list', {}))) as unknown as Dto[],
      'billing-regie-save',
      (row, n) => ({ ...pick(row, REGIE_KEYS), paymentMethods: `Chèque, espèces ${n}` }),
      (r) => r.paymentMethods
    ),
    'SEPA mandate': listed(
      M('Ce mandat'),
      async () => (await billing()).mandateId,
      async (c) => (await body(c.call('billing-mandates-list', {}))) as unknown as Dto[],
      'billing-mandate-save',
      (row, n) => ({ ...pick(row, ['id', 'familyId', 'rum', 'iban', 'bic', 'signedOn', 'sequenceType']), holder: `Alice Durand ${n}` }),
      (r) => r.holder
    ),
    'billing settings': {
      changed: 'Ces réglages ont été modifiés',
      opened: 'les avez ouverts',
      async load(c) {
        const { version, payAt } = await body(c.call('billing-settings-get', {}))
        return { version: version as number, state: payAt }
      },
      async save(c, version, n) {
        const { hasTestKey: _t, hasProductionKey: _p, ipnUrl: _u, ...s } = await body(c.call('billing-settings-get', {}))
        return c.call('billing-settings-save', { ...s, version, payAt: `Paiement à l’accueil ${n}` })
      },
      expected: (n) => `Paiement à l’accueil ${n}`
    }
  }

  // ---------------------------------------------------------------- settings, users, news, documents
  const REGLAGES = { changed: 'Ces réglages ont été modifiés', opened: 'les avez ouverts' }
  /** A get/update pair whose answer is the whole form: change n sets `field`. */
  const form = (words: { changed: string; opened: string }, get: string, update: string, field: string, value: (n: number) => unknown, keep: (got: Dto) => Dto = (g) => g): VersionedKind => ({
    ...words,
    async load(c) {
      const got = await body(c.call(get, {}))
      return { version: got.version as number, state: got[field] }
    },
    async save(c, version, n) {
      return c.call(update, { ...keep(await body(c.call(get, {}))), version, [field]: value(n) })
    },
    expected: value
  })
  const others = once(async () => {
    const c = ctx.staff()
    const staffId = (await body(c.call('staff-create', { login: 'sophie.versions', displayName: 'Sophie', role: 'accueil', password: 'cerf-volant-vert-2026' }))).id as number
    const newsId = (await body(c.call('news-save', { title: 'Kermesse', body: 'Samedi', audience: { kind: 'all' }, publishFrom: '2026-09-01', publishUntil: null }))).id as number
    const upload = await body(c.call('files-upload', { name: 'menus.pdf', contentBase64: PDF.toString('base64') }))
    const documentId = (await body(c.call('documents-publish', { uploadId: upload.uploadId, category: 'menus', title: 'Menus', audience: { kind: 'all' } }))).documentId as number
    return { staffId, newsId, documentId }
  })
  const settingsKinds: Record<string, VersionedKind> = {
    structure: form({ changed: 'La fiche de la structure a été modifiée', opened: 'l’avez ouverte' }, 'structure-get', 'structure-update', 'name', (n) => `Maison de l’Enfant ${n}`),
    'SMTP settings': form(REGLAGES, 'smtp-get', 'smtp-update', 'host', (n) => `smtp${n}.exemple.fr`),
    'portal settings': form(REGLAGES, 'portal-info', 'portal-update', 'publicUrl', (n) => `https://portail${n}.exemple.fr`, (g) => pick(g, ['tlsMode'])),
    'SEPA settings': form(REGLAGES, 'billing-sepa-settings-get', 'billing-sepa-settings-save', 'preNotificationDays', (n) => 10 + n, (g) => pick(g, ['format', 'rejectFeeCents', 'rejectFeeLabel'])),
    'backup settings': form(REGLAGES, 'backups-settings-get', 'backups-settings-update', 'dailyTime', (n) => `1${n}:30`, (g) => ({ ...pick(g, ['daily', 'atQuit', 'copyDir', 'encrypt']), passphrase: '' })),
    'messaging services': {
      ...REGLAGES,
      async load(c) {
        const o = await body(c.call('messages-options-get', {}))
        return { version: (o.versions as Dto).service as number, state: (o.services as Dto[])[0].label }
      },
      async save(c, version, n) {
        const items = ((await body(c.call('messages-options-get', {}))).services as Dto[]).map((o) => pick(o, ['id', 'label', 'active']))
        items[0].label = `Accueil ${n}`
        return c.call('messages-options-save', { kind: 'service', version, items })
      },
      expected: (n) => `Accueil ${n}`
    },
    'staff user': listed(
      M('Ce compte'),
      async () => (await others()).staffId,
      async (c) => (await body(c.call('staff-list', {}))) as unknown as Dto[],
      'staff-update',
      (row, n) => ({ ...pick(row, ['id', 'role', 'active']), displayName: `Sophie ${n}` }),
      (r) => r.displayName
    ),
    news: listed(
      F('Cette actualité'),
      async () => (await others()).newsId,
      async (c) => (await body(c.call('news-staff-list', {}))) as unknown as Dto[],
      'news-save',
      (row, n) => ({ ...pick(row, ['id', 'title', 'audience', 'publishFrom', 'publishUntil']), body: `Samedi ${n}` }),
      (r) => r.body
    ),
    'published document': listed(
      M('Ce document'),
      async () => (await others()).documentId,
      async (c) => (await body(c.call('documents-published-list', {}))) as unknown as Dto[],
      'documents-published-update',
      (row, n) => ({ ...pick(row, ['id', 'category', 'audience', 'validFrom', 'validUntil']), title: `Menus ${n}` }),
      (r) => r.title
    )
  }

  return {
    ...activities,
    ...billingKinds,
    ...settingsKinds,
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
