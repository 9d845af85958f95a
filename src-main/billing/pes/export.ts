/**
 * Invoices to the Trésor public: an invoicing run of a public régie becomes
 * one ORMC bordereau (one titre per family invoice still due); credit notes
 * on titres become an annulation/réduction bordereau. One transaction each:
 * the numbers (IdBord per budget and year, IdPce per budget and year), the
 * file and the "which invoice is which titre" rows commit together or not
 * at all, so numbering has no gap. The file is checked (check.ts) before it
 * is kept. The accountant sends it to the Trésor, then marks it sent: from
 * then on the portal says the family pays the Trésor.
 */
import type Database from 'better-sqlite3'
import type { EntityManager } from 'typeorm'
import { extractIBAN, isValidBIC, isValidIBAN } from 'ibantools'
import { addDays, frMonth } from '@shared/bookings/days'
import type { PesBordereauDto, PesTitreDto } from '@shared/contract/billing-shapes'
import type { Actor } from '../../core/actor'
import type { Core } from '../../core/app-core'
import { frenchDate, parisDay } from '../../core/clock'
import { DomainError, notFound } from '../../core/errors'
import { audit } from '../../audit/audit'
import { nextNumber, reserveNumbers } from '../../db/counter'
import { dbOf, stmt } from '../../bookings/sql'
import { READ_CHUNK, readInIdOrder, snapshotRead } from '../../db/snapshot-read'
import { nextTurn } from '../../core/next-turn'
import { insertMany } from '../../db/statements'
import { getStructure } from '../../settings/settings'
import { InvoicingRun, SepaMandate } from '../entities'
import { getRegie } from '../regies'
import { target2DayOnOrAfter } from '../sepa/target2'
import { epcId } from '../sepa/epc-text'
import { ORMC, pesPieceNode, pesText, pesTree, REDUCTION, serializeXml, xmlPieces, type XmlNode, type PesBank, type PesFileInput, type PesPiece, type PesSequence, type PesTiers } from './build'
import { checkPesTree, checkPesTreeSteps } from './check'
import { PesBordereau, PesTitre, type PesTitreLine } from './entities'
import { getPesSettings, pesSettingsProblems, productResolver } from './settings'
import { titreLines, type InvoiceLineForPes } from './titres'
import { readExportFile, removeExportFile, writeExportFile } from '../export-files'
import { clearProgress, setProgress } from '../job-progress'

type Settings = Awaited<ReturnType<typeof getPesSettings>>

interface Debtor {
  number: number
  civility: string
  lastName: string
  firstName: string
  address: string
  postalCode: string
  city: string
}

function debtorOf(db: Database.Database, familyId: number): Debtor {
  return stmt(
    db,
    `SELECT f.number, f.address, f.postal_code AS postalCode, f.city, COALESCE(p.civility, '') AS civility,
            COALESCE(p.last_name, '') AS lastName, COALESCE(p.first_name, '') AS firstName
       FROM family f LEFT JOIN person p ON p.family_id = f.id AND p.role = 'responsable' WHERE f.id = ?`
  ).get(familyId) as Debtor
}

/** Splits an address on a word boundary into the two 38-character zones Adr2 and Adr3. */
function addressZones(address: string): [string, string] {
  const t = pesText(address.replace(/\s*\n\s*/g, ' '), 76, true)
  if (t.length <= 38) return [t, '']
  const cut = t.lastIndexOf(' ', 38)
  const at = cut > 0 ? cut : 38
  return [t.slice(0, at).trim(), t.slice(at).trim().slice(0, 38)]
}

/** The debtor of a titre, or the French reasons why Hélios would refuse it. */
function tiersOf(d: Debtor, bank: PesBank | undefined): { tiers: PesTiers | null; problems: string[] } {
  const problems: string[] = []
  const civilite = d.civility === 'M.' ? 'M' : d.civility === 'Mme' ? 'MME' : ''
  if (!civilite) problems.push('civilité du responsable manquante')
  if (!pesText(d.firstName, 38)) problems.push('prénom du responsable manquant')
  if (!pesText(d.lastName, 38)) problems.push('nom du responsable manquant')
  const [adr2, adr3] = addressZones(d.address)
  if (!adr2) problems.push('adresse manquante')
  if (!/^\d{5}$/.test(d.postalCode)) problems.push('code postal manquant ou invalide (5 chiffres)')
  if (!pesText(d.city, 38)) problems.push('commune manquante')
  if (problems.length) return { tiers: null, problems }
  return { tiers: { ref: String(d.number), civilite, nom: d.lastName, prenom: d.firstName, adr2, adr3: adr3 || undefined, cp: d.postalCode, ville: d.city, bank }, problems }
}

/** A mandate's account as the PES wants it: BIC + IBAN, or, without a BIC, a French IBAN as its RIB. */
function bankOf(m: SepaMandate): { bank?: PesBank; problem?: string } {
  const iban = m.iban.replace(/\s/g, '').toUpperCase()
  if (!isValidIBAN(iban)) return { problem: 'IBAN du mandat invalide' }
  const bic = m.bic.replace(/\s/g, '').toUpperCase()
  if (bic && isValidBIC(bic)) return { bank: { holder: m.holder, bic, iban } }
  const x = extractIBAN(iban)
  if (x.countryCode === 'FR' && x.bban && x.bankIdentifier && x.branchIdentifier && x.accountNumber) {
    return { bank: { holder: m.holder, rib: { etab: x.bankIdentifier, guichet: x.branchIdentifier, compte: x.accountNumber, cle: x.bban.slice(-2) } } }
  }
  return { problem: 'BIC du mandat manquant (obligatoire pour un compte hors de France)' }
}


const counter = (kind: 'bord' | 'titre', s: Settings, exer: number) => `pes-${kind}:${s.siret}:${s.codCol}:${s.codBud}:${exer}`
const fileName = (kind: 'ormc' | 'reduction', s: Settings, exer: number, idBord: number) =>
  `${kind === 'ormc' ? 'PESORMC' : 'PESALR1'}_${s.siret}_${exer}_${String(idBord).padStart(7, '0')}.xml`

async function activeSettings(m: EntityManager, regieId: number): Promise<Settings> {
  const s = await getPesSettings(m, regieId)
  if (!s.enabled) throw new DomainError('invalid_input', 'Cette régie n’est pas déclarée comme régie publique (PES V2) : renseignez-la dans « Trésor public ».', 400)
  const f = pesSettingsProblems(s)
  const first = Object.values(f)[0]
  if (first) throw new DomainError('invalid_input', `Paramètres PES V2 incomplets : ${first}`, 400, f)
  return s
}

async function sender(m: EntityManager): Promise<{ sigle: string; adresse: string }> {
  const st = await getStructure(m)
  return { sigle: 'RIBAMBELLE', adresse: [st.name, st.city].filter(Boolean).join(' ') || 'RIBAMBELLE' }
}

function refuse(problems: string[]): never {
  const shown = problems.slice(0, 20)
  const more = problems.length > shown.length ? ` (et ${problems.length - shown.length} autre(s))` : ''
  throw new DomainError('invalid_input', `Le bordereau n’a pas été créé. Corrigez d’abord : ${shown.join(' ; ')}${more}.`, 400)
}

/** The file's tree, once it passes the rules: a broken file is a bug here, never something to hand to the Trésor. */
function checkedTree(f: PesFileInput): XmlNode {
  const tree = pesTree(f)
  return mustPass(tree, checkPesTree(tree).problems)
}

/** The same, checked in steps with `pause` between them (a city's bordereau, its piece nodes already built). */
async function checkedTreeInSteps(f: PesFileInput, pieceNodes: XmlNode[], pause: () => Promise<void>): Promise<XmlNode> {
  const tree = pesTree(f, pieceNodes)
  const steps = checkPesTreeSteps(tree)
  for (;;) {
    const r = steps.next()
    if (r.done) return mustPass(tree, r.value.problems)
    await pause()
  }
}

function mustPass(tree: XmlNode, problems: string[]): XmlNode {
  if (problems.length) throw new Error(`PES V2 incohérent : ${problems.join(' | ')}`)
  return tree
}

export interface PesExportResult {
  bordereauId: number
  exer: number
  idBord: number
  pieceCount: number
  totalCents: number
  fileName: string
  /** Invoices of the run not put in the bordereau, and why (French). */
  skipped: string[]
}

/** An invoicing run of a public régie → one ORMC bordereau (TypBord 06) of titres ORMC (TypPce 15). */
export interface PesExportHooks {
  /** Titres staged so far (of `total`), after each staging transaction. */
  onProgress?(done: number, total: number): void
  /** Titres staged per transaction (tests use a small one). */
  chunk?: number
}

/** Titres staged per transaction: 1,000 rows, a few milliseconds of write lock. */
const STAGE_CHUNK = 1000
const STAGE_COLUMNS = ['run_id', 'idx', 'invoice_id', 'exer', 'id_pce', 'num_dette', 'amount_cents', 'lines', 'mandate_id', 'sequence'] as const
/** Runs whose bordereau this process is writing: their staged titres are not leftovers. */
const busyRuns = new Set<number>()

export async function exportRunToPes(core: Core, actor: Actor, runId: number, hooks: PesExportHooks = {}): Promise<PesExportResult> {
  // A city's run: read in chunks from one snapshot (no write lock, no mutex), built and checked, the file written to disk, then only
  // the rows in a short write transaction that takes the numbers the file was built with (issue 19). Another PES
  // export of the same budget in between moved them on: built again.
  // The titres are staged in short transactions, then made official in one short final transaction: killed before it,
  // nothing is visible, and the next export of the run discards what was staged.
  if (busyRuns.has(runId)) throw new DomainError('conflict', 'Le bordereau de ce lot est déjà en cours de création : attendez qu’il soit terminé.', 409)
  busyRuns.add(runId)
  const regieId = (await core.tx.read((m) => m.findOneBy(InvoicingRun, { id: runId })))?.regieId
  try {
    for (let attempt = 1; ; attempt++) {
      const r = await tryExportRunToPes(core, actor, runId, hooks)
      if (r !== 'numbers-moved') return r
      if (attempt === 3) throw new DomainError('conflict', 'D’autres bordereaux PES de ce budget sont créés en même temps : réessayez dans un instant.', 409)
    }
  } finally {
    busyRuns.delete(runId)
    if (regieId) clearProgress('pes', regieId)
  }
}

/** Titres staged for a run and never made official (a killed or failed export): discarded. */
async function discardStagedTitres(core: Core, runId: number): Promise<void> {
  await core.tx.run(async (m) => stmt(dbOf(m), 'DELETE FROM pes_titre_stage WHERE run_id = ?').run(runId))
}

/** An invoice of the run as the titres are computed from it. */
interface RunInvoice {
  id: number
  seq: number
  number: string
  family_id: number
  issue_date: string
  due_date: string
  period_start: string
  period_end: string
  collection: 'direct' | 'debit'
  status: 'issued' | 'cancelled'
  total_cents: number
  paid: number
  in_titre: number
}

async function tryExportRunToPes(core: Core, actor: Actor, runId: number, hooks: PesExportHooks): Promise<PesExportResult | 'numbers-moved'> {
  const head = await core.tx.read(async (m) => {
    const run = await m.findOneBy(InvoicingRun, { id: runId })
    if (!run) throw notFound('Lot de facturation')
    const regie = await getRegie(m, run.regieId)
    const s = await activeSettings(m, regie.id)
    const done = await m.findOneBy(PesBordereau, { runId, kind: 'ormc' })
    if (done) throw new DomainError('conflict', `Ce lot est déjà dans le bordereau n° ${done.idBord} de ${done.exer}.`, 409)
    return { run, regie, s, from: await sender(m) }
  })
  // The run's invoices, their lines, payments, families and mandates: READ_CHUNK invoices per read, all from one
  // snapshot (db/snapshot-read.ts), so the portal keeps answering between chunks and no invoice is seen half paid.
  // The write transaction below records the titres only if the run is still as this snapshot saw it (runBasis).
  const built = await snapshotRead(core.paths.dbFile, async (r) => {
    const db = r.db
    const { run, regie, s } = head
    const page = stmt(
      db,
      `SELECT i.id, i.seq, i.number, i.family_id, i.issue_date, i.due_date, i.period_start, i.period_end, i.collection, i.status, i.total_cents,
              COALESCE((SELECT SUM(a.amount_cents) FROM payment_allocation a WHERE a.invoice_id = i.id), 0) AS paid,
              EXISTS (SELECT 1 FROM pes_titre t WHERE t.invoice_id = i.id AND t.credit_note_id IS NULL) AS in_titre
         FROM invoice i WHERE i.run_id = ? AND i.id > ? ORDER BY i.id LIMIT ?`
    )
    const invoices = await readInIdOrder<RunInvoice>(r, page, [runId])
    // Titres in numbering order.
    invoices.sort((x, y) => x.seq - y.seq)
    const linesOf = stmt(db, 'SELECT activity_id AS activityId, tariff_id AS tariffId, activity_name AS activityName, amount_cents AS amountCents FROM invoice_line WHERE invoice_id = ? ORDER BY sort')
    // The family's active mandate (the latest if several), as the entity reads it.
    const mandateOf = stmt(
      db,
      `SELECT id, family_id AS familyId, rum, holder, iban, bic, signed_on AS signedOn, sequence_type AS sequenceType, last_collection_on AS lastCollectionOn
         FROM sepa_mandate WHERE family_id = ? AND status = 'active' ORDER BY id DESC LIMIT 1`
    )
    const product = productResolver(s)
    const today = parisDay(core.clock.now())
    const exer = Number(today.slice(0, 4))
    const period = frMonth(run.month)
    const skipped: string[] = []
    const problems: string[] = []
    const drafts: { inv: RunInvoice; lines: PesTitreLine[]; tiers: PesTiers; mandate: SepaMandate | null }[] = []
    const usedMandates = new Set(
      (stmt(db, 'SELECT DISTINCT mandate_id FROM pes_titre WHERE mandate_id IS NOT NULL AND credit_note_id IS NULL').all() as { mandate_id: number }[]).map((x) => x.mandate_id)
    )
    const regieId = regie.id
    let seen = 0
    for (const inv of invoices) {
      if (++seen % READ_CHUNK === 0) {
        setProgress('pes', regieId, { step: 'Lecture des factures', done: seen, total: invoices.length })
        await r.pause()
      }
      if (inv.status === 'cancelled') {
        skipped.push(`${inv.number} : annulée par un avoir`)
        continue
      }
      if (inv.in_titre) {
        skipped.push(`${inv.number} : déjà dans un titre`)
        continue
      }
      const lines = titreLines(linesOf.all(inv.id) as InvoiceLineForPes[], product, inv.paid, period)
      if (lines.length === 0) {
        skipped.push(`${inv.number} : déjà réglée à la régie`)
        continue
      }
      const mandate = inv.collection === 'debit' ? ((mandateOf.get(inv.family_id) as SepaMandate | undefined) ?? null) : null
      const b = mandate ? bankOf(mandate) : {}
      const d = debtorOf(db, inv.family_id)
      const t = tiersOf(d, b.bank)
      const why = [...t.problems, ...(b.problem ? [b.problem] : [])]
      if (why.length || !t.tiers) {
        problems.push(`famille ${d.number} (${pesText(d.lastName, 38, true)}, facture ${inv.number}) : ${why.join(', ')}`)
        continue
      }
      drafts.push({ inv, lines, tiers: t.tiers, mandate })
    }
    if (problems.length) refuse(problems)
    if (drafts.length === 0) throw new DomainError('nothing_to_bill', `Rien à transmettre au Trésor pour ce lot : ${skipped.join(' ; ')}.`, 409)

    // The numbers the write transaction will take, if nobody takes them first.
    const peek = (name: string) => (stmt(db, 'SELECT value FROM counter WHERE name = ?').get(name) as { value: number } | undefined)?.value ?? 0
    const idBord = peek(counter('bord', s, exer)) + 1
    const firstPce = peek(counter('titre', s, exer)) + 1
    // What the titres were computed from: the run's invoices, their payments and titres now.
    const basis = runBasis(db, runId)
    const pieces: PesPiece[] = []
    const titres: Omit<PesTitre, 'id' | 'bordereauId'>[] = []
    const pieceNodes: XmlNode[] = []
    for (const [k, d] of drafts.entries()) {
      const idPce = firstPce + k
      const numDette = `${exer}${String(idPce).padStart(8, '0')}`
      const sequence: PesSequence | null = d.mandate ? (d.mandate.sequenceType === 'OOFF' ? 'OOFF' : d.mandate.lastCollectionOn || usedMandates.has(d.mandate.id) ? 'RCUR' : 'FRST') : null
      const debit = d.mandate
        ? {
            // The family was told the due date; the Trésor needs the titre taken in charge first.
            dtePrel: target2DayOnOrAfter(d.inv.due_date > addDays(today, 7) ? d.inv.due_date : addDays(today, 7)),
            sequence: sequence!,
            signedOn: d.mandate.signedOn,
            rum: epcId(d.mandate.rum),
            libPrel: `Facture ${d.inv.number} ${regie.name}`
          }
        : undefined
      pieces.push({
        idPce,
        objet: `Facture ${d.inv.number} du ${frenchDate(d.inv.issue_date)} - ${period}`,
        debFact: d.inv.period_start,
        finFact: d.inv.period_end,
        numDette,
        per: '1',
        lines: d.lines.map((l) => ({ ...l, debit })),
        tiers: d.tiers
      })
      titres.push({
        invoiceId: d.inv.id,
        creditNoteId: null,
        origTitreId: null,
        exer,
        idPce,
        numDette,
        amountCents: d.lines.reduce((x, l) => x + l.cents, 0),
        lines: d.lines,
        mandateId: d.mandate?.id ?? null,
        sequence
      })
      // Each titre's part of the tree as it comes, the event loop getting a turn every READ_CHUNK titres.
      pieceNodes.push(pesPieceNode(pieces[k], 'ormc'))
      if (k % READ_CHUNK === READ_CHUNK - 1) await r.pause()
    }
    const name = fileName('ormc', s, exer, idBord)
    setProgress('pes', regie.id, { step: 'Écriture du fichier', done: 0, total: drafts.length })
    const tree = await checkedTreeInSteps(
      {
        nomFic: name,
        header: { siret: s.siret, poste: s.poste, codCol: s.codCol, codBud: s.codBud, collectivite: s.collectivite, sender: head.from },
        bordereau: { exer, idBord, date: today, kind: 'ormc', objet: `${regie.name} - ${period}`, pieces }
      },
      pieceNodes,
      r.pause
    )
    return { exer, idBord, firstPce, today, name, tree, titres, skipped, basis }
  })
  const { regie, s } = head
  const { exer, idBord, firstPce, today, name, titres, skipped, basis } = built
  try {
    // The file first, whole: a bordereau row never exists without its file. Killed after this, the file is an orphan
    // that the next export of these numbers overwrites.
    await writeExportFile(core, name, async (put) => {
      for (const piece of xmlPieces('n:PES_Aller', built.tree)) await put(piece)
    })
    await discardStagedTitres(core, runId)
    const chunk = hooks.chunk ?? STAGE_CHUNK
    for (let i = 0; i < titres.length; i += chunk) {
      const done = Math.min(titres.length, i + chunk)
      setProgress('pes', regie.id, { step: 'Enregistrement des titres', done: i, total: titres.length })
      await core.tx.run(async (m) =>
        insertMany(
          dbOf(m),
          'pes_titre_stage',
          STAGE_COLUMNS,
          titres.slice(i, done).map((t, k) => [runId, i + k, t.invoiceId, t.exer, t.idPce, t.numDette, t.amountCents, JSON.stringify(t.lines), t.mandateId, t.sequence])
        )
      )
      hooks.onProgress?.(done, titres.length)
      await nextTurn()
    }
    const r = await core.tx.run(async (m) => {
      const db = dbOf(m)
      const done = await m.findOneBy(PesBordereau, { runId, kind: 'ormc' })
      if (done) throw new DomainError('conflict', `Ce lot est déjà dans le bordereau n° ${done.idBord} de ${done.exer}.`, 409)
      if (runBasis(db, runId) !== basis) return 'numbers-moved' as const
      if ((await nextNumber(m, counter('bord', s, exer))) !== idBord || reserveNumbers(db, counter('titre', s, exer), titres.length) !== firstPce) {
        // Rolled back with the transaction.
        throw new NumbersMoved()
      }
      const total = titres.reduce((x, t) => x + t.amountCents, 0)
      const bord = await m.save(PesBordereau, newBordereau(core, actor, { regieId: regie.id, runId, kind: 'ormc', s, exer, idBord, date: today, pieces: titres.length, total, name, xml: '' }))
      // The staged titres become official in one statement, inside SQLite: the whole bordereau appears at once.
      const moved = stmt(
        db,
        `INSERT INTO pes_titre (bordereau_id, invoice_id, credit_note_id, orig_titre_id, exer, id_pce, num_dette, amount_cents, lines, mandate_id, sequence)
         SELECT ?, invoice_id, NULL, NULL, exer, id_pce, num_dette, amount_cents, lines, mandate_id, sequence FROM pes_titre_stage WHERE run_id = ? ORDER BY idx`
      ).run(bord.id, runId).changes
      if (moved !== titres.length) throw new Error(`Titres préparés incomplets : ${moved} sur ${titres.length}.`)
      stmt(db, 'DELETE FROM pes_titre_stage WHERE run_id = ?').run(runId)
      await audit(m, actor, core.clock.now(), {
        action: 'pes-bordereau-create',
        entity: 'pes_bordereau',
        entityId: bord.id,
        after: { kind: 'ormc', runId, exer, idBord, titres: titres.length, totalCents: total, fileName: name, skipped }
      })
      return { bordereauId: bord.id, exer, idBord, pieceCount: titres.length, totalCents: total, fileName: name, skipped }
    })
    if (r === 'numbers-moved') {
      removeExportFile(core, name)
      await discardStagedTitres(core, runId)
    }
    return r
  } catch (e) {
    // Nothing made official: the file and the staged titres go too (a kill leaves them to the next export).
    removeExportFile(core, name)
    await discardStagedTitres(core, runId).catch(() => {})
    if (e instanceof NumbersMoved) return 'numbers-moved'
    throw e
  }
}

class NumbersMoved extends Error {}

/** A fingerprint of what a run's titres are computed from: its invoices' states, payments and titres. */
function runBasis(db: Database.Database, runId: number): string {
  const r = stmt(
    db,
    `SELECT COUNT(*) AS n, SUM(i.status = 'cancelled') AS cancelled,
            (SELECT COALESCE(SUM(a.amount_cents), 0) || ':' || COUNT(*) FROM payment_allocation a JOIN invoice j ON j.id = a.invoice_id WHERE j.run_id = ?) AS paid,
            (SELECT COUNT(*) FROM pes_titre t JOIN invoice j ON j.id = t.invoice_id WHERE j.run_id = ?) AS titres,
            (SELECT MAX(updated_at) FROM sepa_mandate) AS mandates
       FROM invoice i WHERE i.run_id = ?`
  ).get(runId, runId, runId) as Record<string, unknown>
  return JSON.stringify(r)
}

/** The XML of a bordereau: on disk since issue 19, in its row before. */
export function pesBordereauXml(core: Core, b: Pick<PesBordereau, 'xml' | 'fileName'>): string {
  return b.xml || readExportFile(core, b.fileName)
}

function newBordereau(
  core: Core,
  actor: Actor,
  b: { regieId: number; runId: number | null; kind: 'ormc' | 'reduction'; s: Settings; exer: number; idBord: number; date: string; pieces: number; total: number; name: string; xml: string }
): PesBordereau {
  return Object.assign(new PesBordereau(), {
    regieId: b.regieId,
    runId: b.runId,
    kind: b.kind,
    siret: b.s.siret,
    codCol: b.s.codCol,
    codBud: b.s.codBud,
    exer: b.exer,
    idBord: b.idBord,
    typBord: b.kind === 'ormc' ? ORMC.typBord : REDUCTION.typBord,
    bordDate: b.date,
    pieceCount: b.pieces,
    totalCents: b.total,
    fileName: b.name,
    xml: b.xml,
    status: 'generated',
    sentAt: null,
    sentBy: null,
    createdBy: actor.kind === 'staff' ? actor.id : null,
    createdAt: core.clock.now().toISOString()
  })
}

interface PendingCredit {
  credit_note_id: number
  credit_number: string
  titre_id: number
  invoice_id: number
  invoice_number: string
  family_id: number
}

const PENDING_CREDITS = `
  SELECT c.id AS credit_note_id, c.number AS credit_number, t.id AS titre_id, i.id AS invoice_id, i.number AS invoice_number, i.family_id
    FROM credit_note c JOIN invoice i ON i.id = c.invoice_id
    JOIN pes_titre t ON t.invoice_id = i.id AND t.credit_note_id IS NULL
   WHERE c.regie_id = ? AND NOT EXISTS (SELECT 1 FROM pes_titre r WHERE r.credit_note_id = c.id)
   ORDER BY c.seq`

/** Credit notes on invoices that are titres, not yet sent as a réduction. */
export function pendingCredits(m: EntityManager, regieId: number): { creditNoteId: number; creditNumber: string; invoiceNumber: string }[] {
  return (stmt(dbOf(m), PENDING_CREDITS).all(regieId) as PendingCredit[]).map((r) => ({ creditNoteId: r.credit_note_id, creditNumber: r.credit_number, invoiceNumber: r.invoice_number }))
}

/** The credit notes of titres → one annulation/réduction bordereau (TypBord 02), each piece attached to its titre. */
export async function exportCreditNotesToPes(core: Core, actor: Actor, regieId: number): Promise<PesExportResult> {
  return core.tx.run(async (m) => {
    const db = dbOf(m)
    const regie = await getRegie(m, regieId)
    const s = await activeSettings(m, regie.id)
    const pending = stmt(db, PENDING_CREDITS).all(regieId) as PendingCredit[]
    if (pending.length === 0) throw new DomainError('nothing_to_bill', 'Aucun avoir à transmettre au Trésor : aucune facture transmise n’a été annulée depuis le dernier bordereau.', 409)
    const problems: string[] = []
    const drafts: { c: PendingCredit; orig: PesTitre; tiers: PesTiers }[] = []
    for (const c of pending) {
      const orig = await m.findOneByOrFail(PesTitre, { id: c.titre_id })
      const d = debtorOf(db, c.family_id)
      const t = tiersOf(d, undefined)
      if (!t.tiers) problems.push(`famille ${d.number} (avoir ${c.credit_number}) : ${t.problems.join(', ')}`)
      else drafts.push({ c, orig, tiers: t.tiers })
    }
    if (problems.length) refuse(problems)
    const today = parisDay(core.clock.now())
    const exer = Number(today.slice(0, 4))
    const idBord = await nextNumber(m, counter('bord', s, exer))
    const firstPce = reserveNumbers(db, counter('titre', s, exer), drafts.length)
    const pieces: PesPiece[] = drafts.map((d, k) => ({
      idPce: firstPce + k,
      objet: `Avoir ${d.c.credit_number} annulant la facture ${d.c.invoice_number} (titre ${d.orig.idPce}/${d.orig.exer})`,
      lines: d.orig.lines.map((l, i) => ({ ...l, idLigne: i + 1, rattach: { exer: d.orig.exer, idPce: d.orig.idPce, idLigne: l.idLigne } })),
      tiers: d.tiers
    }))
    const name = fileName('reduction', s, exer, idBord)
    const xml = serializeXml('n:PES_Aller', checkedTree({
      nomFic: name,
      header: { siret: s.siret, poste: s.poste, codCol: s.codCol, codBud: s.codBud, collectivite: s.collectivite, sender: await sender(m) },
      bordereau: { exer, idBord, date: today, kind: 'reduction', objet: `Annulations ${regie.name}`, pieces }
    }))
    const total = drafts.reduce((x, d) => x + d.orig.amountCents, 0)
    const bord = await m.save(PesBordereau, newBordereau(core, actor, { regieId, runId: null, kind: 'reduction', s, exer, idBord, date: today, pieces: drafts.length, total, name, xml }))
    for (const [k, d] of drafts.entries()) {
      await m.insert(PesTitre, {
        bordereauId: bord.id,
        invoiceId: d.c.invoice_id,
        creditNoteId: d.c.credit_note_id,
        origTitreId: d.orig.id,
        exer,
        idPce: firstPce + k,
        numDette: '',
        amountCents: d.orig.amountCents,
        lines: d.orig.lines as never,
        mandateId: null,
        sequence: null
      })
    }
    await audit(m, actor, core.clock.now(), {
      action: 'pes-bordereau-create',
      entity: 'pes_bordereau',
      entityId: bord.id,
      after: { kind: 'reduction', exer, idBord, creditNotes: drafts.map((d) => d.c.credit_number), totalCents: total, fileName: name }
    })
    return { bordereauId: bord.id, exer, idBord, pieceCount: drafts.length, totalCents: total, fileName: name, skipped: [] }
  })
}

/** The accountant has handed the file to the Trésor: its titres are now payable there (PayFiP, guichet). */
export async function markPesSent(core: Core, actor: Actor, bordereauId: number): Promise<void> {
  await core.tx.run(async (m) => {
    const b = await m.findOneBy(PesBordereau, { id: bordereauId })
    if (!b) throw notFound('Bordereau')
    if (b.status === 'sent') throw new DomainError('conflict', `Le bordereau n° ${b.idBord} de ${b.exer} est déjà marqué transmis.`, 409)
    const now = core.clock.now().toISOString()
    await m.update(PesBordereau, { id: b.id }, { status: 'sent', sentAt: now, sentBy: actor.kind === 'staff' ? actor.id : null })
    await audit(m, actor, core.clock.now(), { action: 'pes-bordereau-sent', entity: 'pes_bordereau', entityId: b.id, before: { status: b.status }, after: { status: 'sent', sentAt: now } })
  })
}

export function pesBordereauDtos(m: EntityManager, regieId?: number): PesBordereauDto[] {
  const rows = dbOf(m)
    .prepare(
      `SELECT b.*, r.name AS regie_name, ir.month AS run_month FROM pes_bordereau b JOIN regie r ON r.id = b.regie_id
         LEFT JOIN invoicing_run ir ON ir.id = b.run_id ${regieId ? 'WHERE b.regie_id = ?' : ''} ORDER BY b.id DESC`
    )
    .all(...(regieId ? [regieId] : [])) as Record<string, unknown>[]
  return rows.map((r) => ({
    id: r.id as number,
    regieId: r.regie_id as number,
    regieName: r.regie_name as string,
    runId: r.run_id as number | null,
    runMonth: r.run_month as string | null,
    kind: r.kind as 'ormc' | 'reduction',
    exer: r.exer as number,
    idBord: r.id_bord as number,
    date: r.bord_date as string,
    pieceCount: r.piece_count as number,
    totalCents: r.total_cents as number,
    fileName: r.file_name as string,
    status: r.status as 'generated' | 'sent',
    sentAt: r.sent_at as string | null,
    createdAt: r.created_at as string
  }))
}

/** Which invoices (or credit notes) went into a bordereau, as which titre. */
export function pesTitreDtos(m: EntityManager, bordereauId: number): PesTitreDto[] {
  return (
    dbOf(m)
      .prepare(
        `SELECT t.id_pce, t.invoice_id, i.number AS invoice_number, c.number AS credit_number, t.amount_cents, t.mandate_id,
                json_extract(i.snapshot, '$.familyNumber') AS family_number, json_extract(i.snapshot, '$.familyName') AS family_name
           FROM pes_titre t JOIN invoice i ON i.id = t.invoice_id LEFT JOIN credit_note c ON c.id = t.credit_note_id
          WHERE t.bordereau_id = ? ORDER BY t.id_pce`
      )
      .all(bordereauId) as { id_pce: number; invoice_id: number; invoice_number: string; credit_number: string | null; amount_cents: number; mandate_id: number | null; family_number: number; family_name: string }[]
  ).map((r) => ({
    idPce: r.id_pce,
    invoiceId: r.invoice_id,
    invoiceNumber: r.invoice_number,
    creditNoteNumber: r.credit_number,
    familyNumber: Number(r.family_number),
    familyName: String(r.family_name),
    amountCents: r.amount_cents,
    debit: r.mandate_id !== null
  }))
}
