/**
 * #14: importing a commune at once — 20,000 families (about 35,000 people
 * and 35,000 children) from a CSV file, the same rows as XLSX, and a generated Noethys file,
 * from the upload to the commit, then undoing the batch. Each scenario runs
 * in its own process so its peak RSS is its own.
 *
 *   TSX_TSCONFIG_PATH=tsconfig.node.json node --import tsx bench/imports.ts [csv|xlsx|noethys|all] [families=20000]
 *
 * Stages: upload (read, recognise, map columns), preview (read into a plan,
 * check every value, look for duplicates), commit (verified backup, then one
 * transaction of multi-row INSERTs), undo (backup, one transaction). The
 * baseline is the same family/person/child rows written by bare
 * better-sqlite3 multi-row INSERTs in one transaction, same pragmas, nothing
 * else: what the storage work alone costs.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import { performance } from 'node:perf_hooks'
import Database from 'better-sqlite3'
import ExcelJS from 'exceljs'
import Papa from 'papaparse'
import { importRequest } from '@shared/contract/imports-shapes'
import { TEMPLATE_COLUMNS } from '@shared/imports/fields'
import { openCore } from '../src-main/core/app-core'
import { FixedClock } from '../src-main/core/clock'
import { createStaffUser } from '../src-main/accounts/admin'
import { SYSTEM } from '../src-main/core/actor'
import { generateFamilies } from '../src-main/demo/generate'
import { undoBatch } from '../src-main/imports/batches'
import { commitImport } from '../src-main/imports/commit'
import { previewImport } from '../src-main/imports/preview'
import { receiveImportUpload } from '../src-main/imports/uploads'
import { insertMany } from '../src-main/db/statements'
import { generateNoethysFile } from '../test/helpers/noethys-file'

const [what = 'all', n = '20000'] = process.argv.slice(2)
const FAMILIES = Number(n)
type Kind = 'csv' | 'xlsx' | 'noethys'

/** The generated families laid out like the template: one row per child. */
function templateRows(count: number): string[][] {
  const rows: string[][] = []
  generateFamilies(count, 42, 2026).forEach((f, i) => {
    const r1 = f.responsable
    const r2 = f.conjoint
    const base: Record<string, string> = {
      famille: String(i + 1),
      r1Civilite: r1.civility, r1Nom: r1.lastName, r1Prenom: r1.firstName, r1Naissance: r1.birthDate ?? '', r1Email: r1.email, r1TelPortable: r1.phoneMobile,
      r1TelDomicile: '', r1Profession: r1.profession, r2Civilite: r2?.civility ?? '', r2Nom: r2?.lastName ?? '', r2Prenom: r2?.firstName ?? '',
      r2Email: r2?.email ?? '', r2TelPortable: r2?.phoneMobile ?? '', adresse: f.address ?? '', codePostal: f.postalCode ?? '', ville: f.city ?? '',
      numAllocataire: String(1_000_000 + i), regimeCaf: 'CAF', qf: String(300 + ((i * 37) % 1500)), qfFin: '31/12/2026'
    }
    for (const c of f.children ?? []) {
      const [y, m, d] = c.birthDate.split('-')
      const row = { ...base, nom: c.lastName, prenom: c.firstName, naissance: `${d}/${m}/${y}`, sexe: c.sex, ecole: c.school, classe: c.grade, allergies: '', regimeAlimentaire: '', medecin: '', telMedecin: '', notes: '' }
      rows.push(TEMPLATE_COLUMNS.map((col) => (row as Record<string, string>)[col.field] ?? ''))
    }
  })
  return rows
}

function csvFile(count: number): Buffer {
  return Buffer.from(Papa.unparse({ fields: TEMPLATE_COLUMNS.map((c) => c.title), data: templateRows(count) }, { delimiter: ';' }), 'utf8')
}

/** The same rows in an XLSX workbook (text cells, as a spreadsheet exported from another program). */
async function xlsxFile(count: number): Promise<Buffer> {
  const wb = new ExcelJS.Workbook()
  const ws = wb.addWorksheet('Familles')
  ws.addRow(TEMPLATE_COLUMNS.map((c) => c.title))
  for (const r of templateRows(count)) ws.addRow(r)
  return Buffer.from(await wb.xlsx.writeBuffer())
}

/** CPU time of this process between two readings: the machine is shared, wall time alone says little. */
const cpu = (a: NodeJS.CpuUsage, b: NodeJS.CpuUsage) => `  [CPU ${((b.user - a.user + b.system - a.system) / 1e6).toFixed(2)} s]`
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`
const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`.padStart(8)

/** Writes the scenario's file (in the parent process, so generating it weighs nothing on the import's memory). */
async function writeFile(kind: Kind, dir: string): Promise<string> {
  if (kind === 'csv') {
    const path = join(dir, 'familles.csv')
    writeFileSync(path, csvFile(FAMILIES))
    return path
  }
  if (kind === 'xlsx') {
    const path = join(dir, 'familles.xlsx')
    writeFileSync(path, await xlsxFile(FAMILIES))
    return path
  }
  const path = join(dir, 'Commune_DATA.dat')
  generateNoethysFile(path, { families: FAMILIES, year: 2026 })
  return path
}

async function scenario(kind: Kind, path: string): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), `ribambelle-bench-import-${kind}-`))
  try {
    const name = basename(path)
    const file = readFileSync(path)
    const core = await openCore({ dataDir: join(dir, 'app'), log: () => {}, clock: new FixedClock(new Date('2026-10-05T08:00:00Z')) })
    const staffId = await createStaffUser(core, SYSTEM, { login: 'direction', displayName: 'Direction', email: '', role: 'direction', password: 'un-mot-de-passe-de-bench', mustChangePassword: false })
    const actor = { kind: 'staff' as const, id: staffId, label: 'Direction', role: 'direction' as const }
    const rssBefore = process.memoryUsage().rss
    const c0 = process.cpuUsage()
    const t0 = performance.now()
    const up = await receiveImportUpload(core, actor, name, file)
    const t1 = performance.now()
    const c1 = process.cpuUsage()
    const rssUpload = process.resourceUsage().maxRSS * 1024
    const req = importRequest.parse({ uploadId: up.uploadId, mapping: up.spreadsheet?.mapping, options: { openingBalances: false, mandates: true } })
    const preview = await previewImport(core, actor, req)
    const t2 = performance.now()
    const c2 = process.cpuUsage()
    const rssPreview = process.resourceUsage().maxRSS * 1024
    const batch = await commitImport(core, actor, req)
    const t3 = performance.now()
    const c3 = process.cpuUsage()
    const peak = process.resourceUsage().maxRSS * 1024
    const dbSize = statSync(core.paths.dbFile).size + (existsSync(`${core.paths.dbFile}-wal`) ? statSync(`${core.paths.dbFile}-wal`).size : 0)
    const c4 = process.cpuUsage()
    const undo0 = performance.now()
    await undoBatch(core, actor, batch.batchId)
    const undo1 = performance.now()
    const c5 = process.cpuUsage(c4)
    await core.close()
    console.log(`\n${kind === 'noethys' ? 'Noethys' : kind.toUpperCase()} — ${FAMILIES} families, file ${name} ${mb(file.length)}`)
    console.log(`  created        : ${batch.counts.families} families, ${batch.counts.persons} people, ${batch.counts.children} children, ${batch.counts.enrolments} enrolments, ${batch.counts.mandates} mandates (refused: ${preview.refusedCount})`)
    console.log(`  upload         : ${s(t1 - t0)}   (read, recognise${kind === 'noethys' ? ', check version' : ', map columns'})${cpu(c0, c1)}`)
    console.log(`  preview        : ${s(t2 - t1)}   (plan, every value checked, duplicates)${cpu(c1, c2)}`)
    console.log(`  commit         : ${s(t3 - t2)}   (verified backup + one transaction)${cpu(c2, c3)}`)
    console.log(`  upload→commit  : ${s(t3 - t0)}${cpu(c0, c3)}`)
    console.log(`  peak RSS       : ${mb(peak)} (at start ${mb(rssBefore)}, peak by the end of upload ${mb(rssUpload)}, of preview ${mb(rssPreview)})`)
    console.log(`  database       : ${mb(dbSize)} after the commit (file + WAL)`)
    console.log(`  undo           : ${s(undo1 - undo0)}   (backup + one transaction)  [CPU ${((c5.user + c5.system) / 1e6).toFixed(2)} s]`)
    if (kind === 'csv') baseline(core.paths.dbFile)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** The same family/person/child rows written with nothing but better-sqlite3, on a copy of the (now empty again) schema. */
function baseline(dbFile: string): void {
  const db = new Database(dbFile)
  db.pragma('journal_mode = WAL')
  db.pragma('synchronous = FULL')
  db.pragma('foreign_keys = ON')
  const families = generateFamilies(FAMILIES, 42, 2026)
  const t0 = performance.now()
  db.transaction(() => {
    let fid = 1_000_000
    let cid = 1_000_000
    const fam: unknown[][] = []
    const per: unknown[][] = []
    const chi: unknown[][] = []
    for (const f of families) {
      fid++
      fam.push([fid, fid, 'active', f.address, f.postalCode, f.city, '', '', 'x', 'x'])
      for (const [k, p] of [f.responsable, f.conjoint].filter(Boolean).entries()) per.push([fid, k ? 'conjoint' : 'responsable', p!.lastName, p!.firstName, p!.email])
      for (const c of f.children ?? []) chi.push([++cid, fid, c.lastName, c.firstName, c.birthDate, c.sex, 'x'])
    }
    insertMany(db, 'family', ['id', 'number', 'status', 'address', 'postal_code', 'city', 'notes', 'search_text', 'created_at', 'updated_at'], fam)
    insertMany(db, 'person', ['family_id', 'role', 'last_name', 'first_name', 'email'], per)
    insertMany(db, 'child', ['id', 'family_id', 'last_name', 'first_name', 'birth_date', 'sex', 'created_at'], chi)
  })()
  const ms = performance.now() - t0
  db.close()
  console.log(`  baseline       : ${s(ms)}   (bare better-sqlite3: the same family, person and child rows, multi-row INSERTs, one transaction)`)
}

async function main() {
  if (what === 'run') {
    await scenario(process.argv[4] as Kind, process.argv[5])
    return
  }
  const files = mkdtempSync(join(tmpdir(), 'ribambelle-bench-files-'))
  try {
    for (const k of what === 'all' ? (['csv', 'xlsx', 'noethys'] as const) : [what as Kind]) {
      const path = await writeFile(k, files)
      const r = spawnSync(process.execPath, ['--import', 'tsx', __filename, 'run', String(FAMILIES), k, path], { stdio: 'inherit', env: { ...process.env, TSX_TSCONFIG_PATH: 'tsconfig.node.json' } })
      if (r.status !== 0) process.exit(r.status ?? 1)
    }
  } finally {
    rmSync(files, { recursive: true, force: true })
  }
}

main().catch((e) => {
  console.error(e)
  process.exit(1)
})
