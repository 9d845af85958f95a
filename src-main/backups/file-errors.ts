import { DomainError } from '../core/errors'

/** Why a file operation failed, in French, from Node's and SQLite's error codes (their English text never reaches the user). */
export function fileErrorCause(e: unknown): string {
  if (e instanceof DomainError) return e.message
  const code = String((e as { code?: string }).code ?? '')
  if (code === 'ENOSPC' || code === 'SQLITE_FULL') return 'le disque est plein'
  if (code === 'EACCES' || code === 'EPERM') return 'Ribambelle n’a pas le droit d’y écrire'
  if (code === 'EROFS' || code.startsWith('SQLITE_READONLY')) return 'le support est en lecture seule'
  if (code === 'ENOENT' || code === 'ENOTDIR') return 'le dossier est introuvable (support débranché ?)'
  if (code === 'EIO' || code.startsWith('SQLITE_IOERR')) return 'erreur de lecture ou d’écriture sur le disque'
  return code ? `erreur système ${code}` : 'erreur inattendue'
}
