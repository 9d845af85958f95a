import { DomainError } from '../core/errors'

/** What went wrong with the storage, whatever layer reported it (SQLite, TypeORM, Node's fs). */
export type StorageFault = 'disk_full' | 'disk_io' | 'read_only' | 'db_busy' | 'db_corrupt' | 'tx_lost'

/** Desk staff sit at the computer that holds the data: they are told what to do about it. */
const STAFF: Record<StorageFault, string> = {
  disk_full: 'Le disque de l’ordinateur est plein : rien n’a été enregistré. Libérez de la place puis réessayez.',
  disk_io:
    'Le disque de l’ordinateur ne répond pas correctement (erreur de lecture ou d’écriture) : rien n’a été enregistré. Vérifiez le disque ou la clé qui contient les données, puis réessayez.',
  read_only:
    'La base de données est en lecture seule (droits du dossier de données, disque protégé ou démonté) : rien n’a été enregistré. Rétablissez l’accès en écriture puis réessayez.',
  db_busy: 'La base de données est occupée par un autre programme (sauvegarde, restauration…) : rien n’a été enregistré. Réessayez dans un instant.',
  db_corrupt:
    'La base de données est endommagée : rien n’a été enregistré. Fermez l’application et restaurez la dernière sauvegarde (voir « Sauvegardes »).',
  tx_lost: 'La base de données a interrompu l’enregistrement : rien n’a été enregistré. Réessayez ; si cela se répète, vérifiez la place libre sur le disque.'
}

/** Families only see the portal: the cause is named, the remedy is the structure's. */
const FAMILY: Record<StorageFault, string> = {
  disk_full: 'Le serveur de la structure n’a plus de place sur son disque : rien n’a été enregistré. Réessayez plus tard ; si cela dure, prévenez la structure.',
  disk_io: 'Le disque du serveur de la structure est en erreur : rien n’a été enregistré. Réessayez plus tard ; si cela dure, prévenez la structure.',
  read_only: 'Le serveur de la structure n’accepte plus d’enregistrement pour le moment : rien n’a été enregistré. Réessayez plus tard ; si cela dure, prévenez la structure.',
  db_busy: 'Le serveur de la structure est occupé : rien n’a été enregistré. Réessayez dans un instant.',
  db_corrupt: 'Le serveur de la structure rencontre un problème de données : rien n’a été enregistré. Prévenez la structure.',
  tx_lost: 'Le serveur de la structure a interrompu l’enregistrement : rien n’a été enregistré. Réessayez dans un instant.'
}

/**
 * A write the storage refused. Always "nothing was saved": the transaction
 * helper raises it only after making sure SQLite rolled everything back.
 * 503 (the app is fine, the storage is not), except a damaged database.
 */
export class StorageError extends DomainError {
  constructor(
    public readonly fault: StorageFault,
    public readonly detail: string
  ) {
    super(fault, STAFF[fault], fault === 'db_corrupt' ? 500 : 503)
    this.name = 'StorageError'
  }

  /** The same refusal in the words of the family portal. */
  get familyMessage(): string {
    return FAMILY[this.fault]
  }
}

/** SQLite's extended codes (better-sqlite3's SqliteError.code, copied by TypeORM's QueryFailedError) and Node's fs codes. */
export function storageFaultOf(e: unknown): StorageFault | null {
  if (e instanceof StorageError) return e.fault
  const code = codeOf(e)
  if (!code) return null
  if (code === 'SQLITE_FULL' || code === 'ENOSPC' || code === 'EDQUOT') return 'disk_full'
  if (code.startsWith('SQLITE_IOERR') || code.startsWith('SQLITE_CANTOPEN') || code === 'EIO') return 'disk_io'
  if (code.startsWith('SQLITE_READONLY') || code === 'EROFS' || code === 'SQLITE_PERM') return 'read_only'
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) return 'db_busy'
  if (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB') return 'db_corrupt'
  return null
}

function codeOf(e: unknown): string | null {
  if (!e || typeof e !== 'object') return null
  const own = (e as { code?: unknown }).code
  if (typeof own === 'string') return own
  const driver = (e as { driverError?: unknown }).driverError
  const inner = driver && typeof driver === 'object' ? (driver as { code?: unknown }).code : undefined
  return typeof inner === 'string' ? inner : null
}

/** The StorageError for `e` when it is one (already or as a raw SQLite/fs error), else null. */
export function storageError(e: unknown): StorageError | null {
  if (e instanceof StorageError) return e
  const fault = storageFaultOf(e)
  return fault ? new StorageError(fault, e instanceof Error ? e.message : String(e)) : null
}

/** `e` itself, or its French StorageError when the storage refused. */
export function orStorageError(e: unknown): unknown {
  return storageError(e) ?? e
}
