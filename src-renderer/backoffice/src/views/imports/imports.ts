import { IMPORT_MAX_BYTES, IMPORT_MAX_LABEL, type ImportUploadInfoDto } from '@shared/contract/imports-shapes'
import { FIELD_GROUPS, IMPORT_FIELDS, type ImportFieldId } from '@shared/imports/fields'
import { ApiError, call, saveBytes } from '../../api'

/**
 * Sends a file to import. The Electron window has no HTTP listener: it goes
 * through `imports-upload`; the headless back-office posts the file to the
 * multipart route, which refuses a too large file before reading it all.
 */
export async function uploadImport(file: File): Promise<ImportUploadInfoDto> {
  if (file.size > IMPORT_MAX_BYTES) {
    throw new ApiError('too_large', `Le fichier « ${file.name} » dépasse ${IMPORT_MAX_LABEL}, la taille maximale d’un import. Pour Noethys, envoyez la sauvegarde .nod (compressée) plutôt que le fichier _DATA.dat.`, 413)
  }
  if (window.ribambelle) {
    const bytes = new Uint8Array(await file.arrayBuffer())
    let bin = ''
    for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
    return call('imports-upload', { name: file.name, contentBase64: btoa(bin) })
  }
  const { csrfToken } = await call('auth-session', {})
  const form = new FormData()
  form.append('file', file, file.name)
  let res: Response
  try {
    res = await fetch('/api/staff/imports/upload', { method: 'POST', credentials: 'same-origin', headers: { 'x-csrf-token': csrfToken }, body: form })
  } catch {
    throw new ApiError('network', 'Le serveur Ribambelle ne répond pas.', 0)
  }
  const body = await res.json().catch(() => null)
  if (!res.ok) throw new ApiError(body?.error?.code ?? 'error', body?.error?.message ?? 'L’envoi du fichier a échoué.', res.status)
  return body as ImportUploadInfoDto
}

function fromBase64(b64: string): Uint8Array {
  const bin = atob(b64)
  const out = new Uint8Array(bin.length)
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i)
  return out
}

export async function downloadTemplate(format: 'xlsx' | 'csv'): Promise<void> {
  const f = await call('imports-template', { format })
  await saveBytes(f.name, fromBase64(f.contentBase64), f.mime)
}

/** The mapping dialog's choices, grouped as the fields are. */
export const FIELD_OPTIONS = [
  { label: 'Ne pas importer', items: [{ label: 'Ne pas importer cette colonne', value: '' }] },
  ...FIELD_GROUPS.map((group) => ({
    label: group,
    items: (Object.entries(IMPORT_FIELDS) as [ImportFieldId, (typeof IMPORT_FIELDS)[ImportFieldId]][]).filter(([, f]) => f.group === group).map(([value, f]) => ({ label: f.label, value }))
  }))
]

export const SOURCE_LABELS = { noethys: 'Noethys', csv: 'CSV', xlsx: 'XLSX' } as const

export const COUNT_LABELS: [key: string, label: string][] = [
  ['families', 'Familles'],
  ['persons', 'Responsables'],
  ['children', 'Enfants'],
  ['pickups', 'Personnes autorisées'],
  ['quotients', 'Quotients familiaux'],
  ['healthFiles', 'Fiches sanitaires'],
  ['activities', 'Activités'],
  ['groups', 'Groupes'],
  ['units', 'Unités'],
  ['enrolments', 'Inscriptions'],
  ['mandates', 'Mandats SEPA'],
  ['balances', 'Soldes repris'],
  ['photos', 'Photos'],
  ['notes', 'Notes « informations importées »']
]
