import { MAX_UPLOAD_BYTES, type UploadInfoDto } from '@shared/contract/family-file-shapes'
import { portalFileRoutes } from '@shared/contract/family-file-routes'
import { ApiError, call } from '../api'

/**
 * Sends one file to the portal's upload route (multipart, CSRF header) and
 * returns its upload id, to be attached by the next procedure call. The
 * server checks the content; the size check here only spares a long wait.
 */
export async function uploadFile(file: File): Promise<UploadInfoDto> {
  if (file.size > MAX_UPLOAD_BYTES) throw new ApiError('too_large', `Le fichier « ${file.name} » dépasse la taille maximale de 6 Mo.`, 413)
  const { csrfToken } = await call('auth-session', {})
  const form = new FormData()
  form.append('file', file, file.name)
  let res: Response
  try {
    res = await fetch(portalFileRoutes.upload.path, { method: 'POST', credentials: 'same-origin', headers: { 'x-csrf-token': csrfToken }, body: form })
  } catch {
    throw new ApiError('network', 'Le portail ne répond pas. Vérifiez votre connexion internet puis réessayez.', 0)
  }
  const body = await res.json().catch(() => null)
  if (!res.ok) throw new ApiError(body?.error?.code ?? 'error', body?.error?.message ?? 'L’envoi du fichier a échoué. Réessayez.', res.status)
  return body as UploadInfoDto
}

// One formatter for both UIs: sizes in French units, instants in Europe/Paris.
export { formatFileSize as formatSize, parisDate as frDate, parisDateTime as frDateTime } from '@shared/format'
