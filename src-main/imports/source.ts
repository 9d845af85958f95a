import { randomBytes } from 'node:crypto'
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileTypeFromBuffer } from 'file-type'
import yauzl from 'yauzl'
import type { ImportFormat, ImportRequest, SpreadsheetInfoDto } from '@shared/contract/imports-shapes'
import type { Actor } from '../core/actor'
import type { Core } from '../core/app-core'
import { parisDay } from '../core/clock'
import { DomainError } from '../core/errors'
import { decryptNoc, isZip, looksEncryptedBackup, unpackBackup } from './noethys/archive'
import { checkDataFile, isSqlite, NoethysFile, openSqlite, refuse } from './noethys/file'
import { planFromNoethys } from './noethys/map'
import type { ImportPlan } from './plan'
import { inspectSpreadsheet, planFromSpreadsheet } from './sheet/plan'
import { importsDir, readUpload, type StoredUpload } from './uploads'

const NOT_SUPPORTED =
  'Ce fichier n’est ni un fichier Noethys (…_DATA.dat, sauvegarde .nod ou .noc), ni un tableur CSV ou XLSX : il ne peut pas être importé.'

function zipNames(data: Buffer): Promise<string[]> {
  return new Promise((resolve) => {
    yauzl.fromBuffer(data, { lazyEntries: true }, (e, zip) => {
      if (e || !zip) return resolve([])
      const names: string[] = []
      zip.on('entry', (en: yauzl.Entry) => {
        names.push(en.fileName)
        zip.readEntry()
      })
      zip.on('end', () => resolve(names))
      zip.on('error', () => resolve(names))
      zip.readEntry()
    })
  })
}

/** Recognises a file from its bytes (the name only breaks ties: .noc has no signature of its own). */
export async function sniff(name: string, data: Buffer): Promise<ImportFormat> {
  const head = data.subarray(0, 16)
  if (isSqlite(head)) return 'noethys'
  if (isZip(head)) {
    const names = await zipNames(data)
    if (names.includes('[Content_Types].xml') && names.some((n) => n.startsWith('xl/'))) return 'xlsx'
    if (names.includes('mimetype') && names.some((n) => n === 'content.xml')) {
      refuse('Ce tableur est au format OpenDocument (.ods) : enregistrez-le au format Excel (.xlsx) ou CSV, puis envoyez-le à nouveau.')
    }
    if (names.some((n) => /_DATA\.dat$|\.sql$/i.test(n))) return 'noethys-backup'
    if (names.length === 0 && /\.xlsx$/i.test(name)) refuse(`Le tableur « ${name} » est endommagé : il ne s’ouvre pas. Enregistrez-le à nouveau au format .xlsx depuis votre tableur.`)
    if (names.length === 0) refuse('Cette archive .zip est endommagée : elle ne s’ouvre pas.')
    refuse(NOT_SUPPORTED)
  }
  if (head.subarray(0, 8).equals(Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]))) {
    refuse('Ce tableur est à l’ancien format Excel (.xls) : enregistrez-le au format Excel (.xlsx) ou CSV, puis envoyez-le à nouveau.')
  }
  if (looksEncryptedBackup(name, head)) return 'noethys-encrypted'
  // A PDF, an image, an executable…: text-like enough to pass for a CSV, but recognised from its signature.
  // (Text starting with a UTF-16 byte order mark looks like MPEG audio to file-type: not asked.)
  const bom = (head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff) || (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf)
  if (!bom && (await fileTypeFromBuffer(data.subarray(0, 4100)))) refuse(NOT_SUPPORTED)
  if (/\.(dat|nod)$/i.test(name)) refuse(`Le fichier « ${name} » porte un nom de fichier Noethys mais n’en est pas un (ni base SQLite, ni archive) : il est peut-être endommagé.`)
  return 'csv'
}

/** Working copies of a Noethys file, under the data directory (never /tmp: the files hold children's health data). */
function workDir(core: Core): string {
  const dir = join(importsDir(core), `work-${randomBytes(8).toString('hex')}`)
  mkdirSync(dir, { recursive: true, mode: 0o700 })
  return dir
}

/**
 * What the upload step says about a file: its format, and for spreadsheets
 * the columns and their mapping. Noethys files are opened and their version
 * checked here, so an unknown version is refused before any preview.
 */
export async function inspectFile(core: Core, name: string, data: Buffer): Promise<{ format: ImportFormat; spreadsheet: SpreadsheetInfoDto | null }> {
  const format = await sniff(name, data)
  if (format === 'csv' || format === 'xlsx') return { format, spreadsheet: await inspectSpreadsheet(core, format, data, name) }
  if (format === 'noethys-encrypted') return { format, spreadsheet: null }
  const dir = workDir(core)
  try {
    if (format === 'noethys') {
      writeFileSync(join(dir, 'data.sqlite'), data, { mode: 0o600 })
      const f = new NoethysFile(openSqlite(join(dir, 'data.sqlite')))
      try {
        if (f.has('photos') && !f.has('individus')) return { format: 'noethys-photos', spreadsheet: null }
        checkDataFile(f)
      } finally {
        f.close()
      }
    } else {
      const files = await unpackBackup(data, dir)
      const f = new NoethysFile(openSqlite(files.data))
      try {
        checkDataFile(f)
      } finally {
        f.close()
      }
    }
    return { format, spreadsheet: null }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** Reads an upload into an import plan (Noethys or spreadsheet). */
export async function loadPlan(core: Core, actor: Actor, req: ImportRequest): Promise<{ plan: ImportPlan; main: StoredUpload; photos: StoredUpload | null }> {
  const main = readUpload(core, actor, req.uploadId)
  const today = parisDay(core.clock.now())
  const format = main.upload.format as ImportFormat
  if (format === 'csv' || format === 'xlsx') {
    if (!req.mapping) throw new DomainError('invalid_input', 'Choisissez d’abord à quoi correspond chaque colonne.', 400)
    const plan = await planFromSpreadsheet(core, format, main.data, req.mapping, today, main.upload.name)
    plan.facts.unshift({ label: 'Fichier', value: main.upload.name })
    return { plan, main, photos: null }
  }
  if (format === 'noethys-photos') refuse('Ce fichier est celui des photos de Noethys : envoyez d’abord le fichier de données (…_DATA.dat), puis ajoutez les photos.')
  const photos = req.photosUploadId ? readUpload(core, actor, req.photosUploadId) : null
  if (photos && photos.upload.format !== 'noethys-photos') refuse('Le fichier ajouté comme « photos » n’est pas un fichier de photos Noethys (…_PHOTOS.dat).')
  const dir = workDir(core)
  const opened: NoethysFile[] = []
  try {
    let dataPath = join(dir, 'data.sqlite')
    let photosPath: string | null = null
    if (format === 'noethys') {
      writeFileSync(dataPath, main.data, { mode: 0o600 })
    } else {
      let zip = main.data
      if (format === 'noethys-encrypted') {
        if (!req.password) throw new DomainError('password_required', 'Cette sauvegarde est chiffrée (.noc) : saisissez le mot de passe choisi dans Noethys.', 400, { password: 'Mot de passe requis.' })
        zip = decryptNoc(main.data, req.password)
      }
      const files = await unpackBackup(zip, dir)
      dataPath = files.data
      photosPath = files.photos
    }
    if (photos) {
      photosPath = join(dir, 'photos-sent.sqlite')
      writeFileSync(photosPath, photos.data, { mode: 0o600 })
    }
    const f = new NoethysFile(openSqlite(dataPath, { indexes: true }))
    opened.push(f)
    const version = checkDataFile(f)
    let p: NoethysFile | null = null
    if (photosPath) {
      p = new NoethysFile(openSqlite(photosPath))
      opened.push(p)
    }
    const plan = await planFromNoethys(f, p, version, { ...req.options, today })
    plan.facts.unshift({ label: 'Fichier', value: main.upload.name })
    return { plan, main, photos }
  } catch (e) {
    const code = (e as { code?: string }).code ?? ''
    if (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB') refuse('Le fichier Noethys est endommagé (base SQLite corrompue) : refaites une sauvegarde dans Noethys puis recommencez.')
    throw e
  } finally {
    for (const f of opened) f.close()
    rmSync(dir, { recursive: true, force: true })
  }
}
