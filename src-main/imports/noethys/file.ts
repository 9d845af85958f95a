import Database from 'better-sqlite3'
import { DomainError } from '../../core/errors'

/** Versions of the Noethys data file this importer knows (file version 1.0.x.x to 1.3.x.x; 1.3.4.2 is the newest seen). */
const OLDEST = [1, 0, 0, 0]
const NEWEST_MAJOR_MINOR = [1, 3]

/** `cause`: the library's own error, kept for the log (the family or desk only ever reads `message`). */
export const refuse = (message: string, status = 400, cause?: unknown): never => {
  throw Object.assign(new DomainError('bad_import_file', message, status), cause === undefined ? {} : { cause })
}

/**
 * A Noethys `_DATA.dat` (or `_PHOTOS.dat`) opened for reading. Its schema
 * has no NOT NULL, no foreign key and no default, and older files lack
 * columns that later versions added: every read names the columns it wants
 * and gets NULL for those the file does not have (`PRAGMA table_info`).
 */
export class NoethysFile {
  private readonly cols = new Map<string, Set<string> | null>()

  constructor(readonly db: Database.Database) {}

  /** Columns of a real table (not a view: a view in a foreign file could run anything), null when absent. */
  columns(table: string): Set<string> | null {
    if (!this.cols.has(table)) {
      const isTable = this.db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?`).get(table)
      const info = isTable ? (this.db.prepare(`SELECT name FROM pragma_table_info(?)`).all(table) as { name: string }[]) : []
      this.cols.set(table, isTable ? new Set(info.map((c) => c.name)) : null)
    }
    return this.cols.get(table)!
  }

  has(table: string, column?: string): boolean {
    const c = this.columns(table)
    return !!c && (column === undefined || c.has(column))
  }

  /** `SELECT` list naming exactly the `wanted` keys; a column the file lacks reads as NULL. */
  private selectList(table: string, wanted: readonly string[]): string | null {
    const have = this.columns(table)
    return have ? wanted.map((c) => (have.has(c) ? `"${c}"` : `NULL AS "${c}"`)).join(', ') : null
  }

  /** Rows of `table` with exactly the `wanted` keys. */
  rows<K extends string>(table: string, wanted: readonly K[], orderBy?: K): Record<K, unknown>[] {
    const list = this.selectList(table, wanted)
    if (!list) return []
    const order = orderBy && this.has(table, orderBy) ? ` ORDER BY "${orderBy}"` : ''
    return this.db.prepare(`SELECT ${list} FROM "${table}"${order}`).all() as Record<K, unknown>[]
  }

  /**
   * The rows of `table` whose `key` column equals a value: `load` reads them
   * for a batch of keys at once (indexed `IN` lists), `get` answers from that
   * batch (or asks the file for a key outside it). A commune's file is so
   * read a few hundred families at a time, never held whole in memory.
   */
  rowsBy<K extends string>(table: string, wanted: readonly K[], key: string, opts: { orderBy?: K; where?: string } = {}): KeyedRows<K> {
    const list = this.selectList(table, wanted)
    if (!list || !this.has(table, key)) return new KeyedRows<K>(null, null)
    const order = opts.orderBy && this.has(table, opts.orderBy) ? ` ORDER BY "${opts.orderBy}"` : ''
    const where = opts.where ? ` AND ${opts.where}` : ''
    const base = `SELECT ${list}, "${key}" AS "__key" FROM "${table}" WHERE "${key}"`
    return new KeyedRows<K>(this.db.prepare(`${base} = ?${where}${order}`), this.db.prepare(`${base} IN (${Array(BATCH).fill('?').join(', ')})${where}${order}`))
  }

  /** `parametres` value of category `fichier` (version, IDfichier, date_creation). */
  fileParam(name: string): string | null {
    if (!this.has('parametres', 'parametre')) return null
    const r = this.db.prepare(`SELECT parametre FROM parametres WHERE categorie = 'fichier' AND nom = ?`).get(name) as { parametre: unknown } | undefined
    return r?.parametre == null ? null : String(r.parametre)
  }

  close(): void {
    if (this.db.open) this.db.close()
  }
}

/** Keys per `IN` list: one prepared statement, padded with NULLs (which match nothing). */
const BATCH = 500

/** Rows grouped by a key; see NoethysFile.rowsBy. */
export class KeyedRows<K extends string> {
  private loaded = new Map<number, Record<K, unknown>[]>()

  constructor(
    private readonly one: Database.Statement | null,
    private readonly many: Database.Statement | null
  ) {}

  /** Reads the rows of these keys (replacing the previous batch). */
  load(keys: Iterable<number>): void {
    this.loaded = new Map()
    if (!this.many) return
    const list = [...new Set(keys)]
    for (const k of list) this.loaded.set(k, [])
    for (let i = 0; i < list.length; i += BATCH) {
      const part = list.slice(i, i + BATCH)
      const params = [...part, ...Array(BATCH - part.length).fill(null)]
      // Rows keep their `__key` column: copying each row without it would double what the batch allocates.
      // Number(): a file that stored an id as text still finds its rows.
      for (const r of this.many.all(params) as (Record<K, unknown> & { __key: unknown })[]) this.loaded.get(Number(r.__key))?.push(r)
    }
  }

  get(k: number | null): Record<K, unknown>[] {
    if (k === null || !this.one) return []
    const hit = this.loaded.get(k)
    if (hit) return hit
    const rows = this.one.all(k) as Record<K, unknown>[]
    this.loaded.set(k, rows)
    return rows
  }

  /** The first row of a key (tables keyed by their id). */
  first(k: number): Record<K, unknown> | undefined {
    return this.get(k)[0]
  }

  has(k: number): boolean {
    return this.get(k).length > 0
  }
}

const SQLITE_MAGIC = Buffer.from('SQLite format 3\0', 'latin1')

export function isSqlite(head: Buffer): boolean {
  return head.length >= 16 && head.subarray(0, 16).equals(SQLITE_MAGIC)
}

/** Columns a family-by-family read looks rows up by; Noethys indexes only some of them. */
const LOOKUP_INDEXES: [string, string][] = [
  ['rattachements', 'IDfamille'], ['rattachements', 'IDindividu'], ['liens', 'IDfamille'], ['quotients', 'IDfamille'], ['problemes_sante', 'IDindividu'],
  ['vaccins', 'IDindividu'], ['scolarite', 'IDindividu'], ['messages', 'IDfamille'], ['messages', 'IDindividu'], ['mandats', 'IDfamille'], ['inscriptions', 'IDindividu']
]

/**
 * Opens a SQLite file we own (a private copy): read only in effect, views
 * and triggers never run. With `indexes`, the lookup indexes are added to
 * the copy first (the sender's file is never touched).
 */
export function openSqlite(path: string, opts: { indexes?: boolean } = {}): Database.Database {
  let db: Database.Database
  try {
    db = new Database(path, { fileMustExist: true })
    db.pragma('trusted_schema = OFF')
    if (opts.indexes) {
      for (const [t, c] of LOOKUP_INDEXES) {
        const isTable = db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?`).get(t)
        const hasColumn = isTable && db.prepare(`SELECT 1 FROM pragma_table_info(?) WHERE name = ?`).get(t, c)
        // Only speed depends on it: a file where the index cannot be built is read without it.
        if (hasColumn) {
          try {
            db.exec(`CREATE INDEX IF NOT EXISTS "ribambelle_${t}_${c}" ON "${t}" ("${c}")`)
          } catch {
            /* read without the index */
          }
        }
      }
    }
    db.pragma('query_only = ON')
    db.prepare('SELECT COUNT(*) FROM sqlite_master').get()
  } catch {
    refuse('Ce fichier commence comme une base SQLite mais ne s’ouvre pas : il est endommagé ou incomplet. Refaites une sauvegarde dans Noethys puis recommencez.')
  }
  return db!
}

export interface NoethysVersion {
  version: string
  fileId: string | null
  createdOn: string | null
}

function compare(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0)
    if (d) return d
  }
  return 0
}

/**
 * Checks the file is a Noethys data file of a version we can read. The
 * tables an import needs must exist; the version must be stated and known.
 */
export function checkDataFile(f: NoethysFile): NoethysVersion {
  if (f.has('photos') && !f.has('individus')) {
    refuse('Ce fichier est celui des photos de Noethys (…_PHOTOS.dat). Envoyez d’abord le fichier de données (…_DATA.dat) ou la sauvegarde .nod qui contient les deux ; les photos s’ajoutent ensuite.')
  }
  const missing = ['familles', 'individus', 'rattachements'].filter((t) => !f.has(t))
  if (missing.length) {
    refuse(`Cette base SQLite n’est pas un fichier de données Noethys : les tables ${missing.join(', ')} sont absentes.`)
  }
  for (const [t, c] of [['familles', 'IDfamille'], ['individus', 'IDindividu'], ['individus', 'nom'], ['rattachements', 'IDfamille'], ['rattachements', 'IDindividu'], ['rattachements', 'IDcategorie']]) {
    if (!f.has(t, c)) refuse(`Ce fichier Noethys est incomplet : la colonne ${c} de la table ${t} manque. Il ne peut pas être importé.`)
  }
  const version = f.fileParam('version')
  if (!version) {
    refuse('Ce fichier Noethys n’indique pas sa version (paramètre « version » absent) : ouvrez-le une fois avec Noethys 1.3, puis refaites la sauvegarde.')
  }
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(version!.trim())
  if (!m) refuse(`Version de Noethys inconnue : « ${version} ». Ribambelle lit les fichiers des versions 1.0 à 1.3.`)
  const parts = m!.slice(1).map(Number)
  if (compare(parts, OLDEST) < 0) refuse(`Ce fichier vient de Noethys ${version}, trop ancien : ouvrez-le avec Noethys 1.3 (qui le met à jour), puis refaites la sauvegarde.`)
  if (compare(parts.slice(0, 2), NEWEST_MAJOR_MINOR) > 0) {
    refuse(`Ce fichier vient de Noethys ${version}, plus récent que les versions que Ribambelle sait lire (1.0 à 1.3). Ses tables ont pu changer : l’import est refusé plutôt que de mal lire vos données.`)
  }
  return { version: version!.trim(), fileId: f.fileParam('IDfichier'), createdOn: f.fileParam('date_creation') }
}
