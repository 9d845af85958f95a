import { MAX_UPLOAD_BYTES, type UploadInfoDto } from '@shared/contract/family-file-shapes'
import { staffDownloadUrl, staffFileRoutes, type DownloadKind } from '@shared/contract/family-file-routes'
import { ApiError, call, download, saveBase64 } from '../../api'

/**
 * Uploads and downloads for the back-office screens of #3. The Electron
 * window has no HTTP listener: it goes through the `files-upload` /
 * `files-fetch` procedures; the headless back-office uses the multipart and
 * GET routes.
 */
export async function uploadFile(file: File): Promise<UploadInfoDto> {
  if (file.size > MAX_UPLOAD_BYTES) throw new ApiError('too_large', `Le fichier « ${file.name} » dépasse la taille maximale de 6 Mo.`, 413)
  if (window.ribambelle) {
    const bytes = new Uint8Array(await file.arrayBuffer())
    let bin = ''
    for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
    return call('files-upload', { name: file.name, contentBase64: btoa(bin) })
  }
  const { csrfToken } = await call('auth-session', {})
  const form = new FormData()
  form.append('file', file, file.name)
  let res: Response
  try {
    res = await fetch(staffFileRoutes.upload.path, { method: 'POST', credentials: 'same-origin', headers: { 'x-csrf-token': csrfToken }, body: form })
  } catch {
    throw new ApiError('network', 'Le serveur Ribambelle ne répond pas.', 0)
  }
  const body = await res.json().catch(() => null)
  if (!res.ok) throw new ApiError(body?.error?.code ?? 'error', body?.error?.message ?? 'L’envoi du fichier a échoué.', res.status)
  return body as UploadInfoDto
}

export async function downloadFile(kind: DownloadKind, id: number, name: string): Promise<void> {
  if (window.ribambelle) {
    const f = await call('files-fetch', { kind, id })
    await saveBase64(f.name, f.contentBase64, f.mime)
    return
  }
  await download(staffDownloadUrl(kind, id), name)
}

export async function downloadExport(familyId: number, format: 'json' | 'pdf'): Promise<void> {
  const f = await call('rgpd-export-fetch', { familyId, format })
  await saveBase64(f.name, f.contentBase64, f.mime)
}
