import Database from 'better-sqlite3'
import { DomainError } from '../../core/errors'

/** Versions of the Noethys data file this importer knows (file version 1.0.x.x to 1.3.x.x; 1.3.4.2 is the newest seen). */
const OLDEST = [1, 0, 0, 0]
const NEWEST_MAJOR_MINOR = [1, 3]

export const refuse = (message: string, status = 400): never => {
  throw new DomainError('bad_import_file', message, status)
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

  /** Rows of `table` with exactly the `wanted` keys; a column the file lacks reads as null. */
  rows<K extends string>(table: string, wanted: readonly K[], orderBy?: K): Record<K, unknown>[] {
    const have = this.columns(table)
    if (!have) return []
    const list = wanted.map((c) => (have.has(c) ? `"${c}"` : `NULL AS "${c}"`)).join(', ')
    const order = orderBy && have.has(orderBy) ? ` ORDER BY "${orderBy}"` : ''
    return this.db.prepare(`SELECT ${list} FROM "${table}"${order}`).all() as Record<K, unknown>[]
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

const SQLITE_MAGIC = Buffer.from('SQLite format 3\0', 'latin1')

export function isSqlite(head: Buffer): boolean {
  return head.length >= 16 && head.subarray(0, 16).equals(SQLITE_MAGIC)
}

/** Opens a SQLite file we own (a private copy): read only in effect, views and triggers never run. */
export function openSqlite(path: string): Database.Database {
  let db: Database.Database
  try {
    db = new Database(path, { fileMustExist: true })
    db.pragma('query_only = ON')
    db.pragma('trusted_schema = OFF')
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
