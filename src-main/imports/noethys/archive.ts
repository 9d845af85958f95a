import { createDecipheriv, createHash } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import { join } from 'node:path'
import yauzl from 'yauzl'
import { DomainError } from '../../core/errors'
import { openZip, zipEntries } from '../zip'
import { refuse } from './file'

/** What a backup may unpack to at most: a commune's data file is tens of MB, a zip bomb is not let fill the disk. */
export const MAX_UNZIPPED_BYTES = 1024 * 1024 * 1024

const ZIP_MAGIC = Buffer.from([0x50, 0x4b, 0x03, 0x04])

export function isZip(head: Buffer): boolean {
  return head.length >= 4 && head.subarray(0, 4).equals(ZIP_MAGIC)
}

/** Noethys' encrypted backups (.noc) of the current format start with "SV2"; older Python 3 ones with the IV directly. */
export function looksEncryptedBackup(name: string, head: Buffer): boolean {
  return head.subarray(0, 3).toString('latin1') === 'SV2' || /\.noc$/i.test(name)
}

/**
 * Decrypts a `.noc` (UTILS_Cryptage_fichier, as described in the reference
 * notes): key = the 32 hexadecimal characters of md5(password) used as an
 * AES-256 key; the file is ["SV2"] + 16-byte IV + AES-CFB-8 ciphertext of the
 * zip padded with zeros to 16 bytes + one byte giving the padding length. A
 * wrong password gives bytes that are not a zip: that is how it is told.
 */
export function decryptNoc(data: Buffer, password: string): Buffer {
  // Python 2 Noethys pickled an ECB-encrypted object: a pickle starts with PROTO (0x80).
  if (data[0] === 0x80 || data.subarray(0, 2).toString('latin1') === '(i' || data.subarray(0, 2).toString('latin1') === 'cc') {
    refuse('Cette sauvegarde chiffrée vient d’une ancienne version de Noethys (format d’avant 2019) que Ribambelle ne sait pas déchiffrer. Dans Noethys, restaurez-la puis faites une sauvegarde non chiffrée (.nod) et envoyez celle-ci.')
  }
  const key = Buffer.from(createHash('md5').update(password, 'utf8').digest('hex'), 'latin1')
  const attempts = data.subarray(0, 3).toString('latin1') === 'SV2' ? [data.subarray(3), data] : [data]
  for (const body of attempts) {
    if (body.length < 16 + 16 + 1) continue
    const pad = body[body.length - 1]
    if (pad < 1 || pad > 16) continue
    const decipher = createDecipheriv('aes-256-cfb8', key, body.subarray(0, 16))
    const first = decipher.update(body.subarray(16, 32))
    if (!isZip(first)) continue
    const plain = Buffer.concat([first, decipher.update(body.subarray(32, body.length - 1)), decipher.final()])
    return plain.subarray(0, plain.length - pad)
  }
  throw new DomainError('wrong_password', 'Mot de passe incorrect pour cette sauvegarde chiffrée (.noc) : rien n’a été lu. Vérifiez le mot de passe choisi dans Noethys au moment de la sauvegarde (majuscules comprises).', 400)
}

export interface UnpackedBackup {
  data: string
  photos: string | null
}

function extract(zip: yauzl.ZipFile, entry: yauzl.Entry, to: string): Promise<void> {
  return new Promise((resolve, reject) => {
    zip.openReadStream(entry, (e, stream) => {
      if (e || !stream) return reject(e ?? new Error('no stream'))
      const out = createWriteStream(to, { mode: 0o600 })
      stream.on('error', reject)
      out.on('error', reject)
      out.on('finish', () => resolve())
      stream.pipe(out)
    })
  })
}

/**
 * Unpacks a `.nod` (a zip of `<nom>_DATA.dat`, `<nom>_PHOTOS.dat`,
 * `<nom>_DOCUMENTS.dat`, or `.sql` dumps for network files) into `dir`.
 */
export async function unpackBackup(buffer: Buffer, dir: string): Promise<UnpackedBackup> {
  let zip: yauzl.ZipFile
  let list: yauzl.Entry[]
  try {
    zip = await openZip(buffer)
    // Entries are read with autoClose off (lazyEntries keeps the zip open until we are done).
    list = await zipEntries(zip)
  } catch {
    return refuse('Cette sauvegarde Noethys (.nod) est endommagée : l’archive ne s’ouvre pas. Refaites la sauvegarde dans Noethys.')
  }
  try {
    const names = list.map((e) => e.fileName)
    const data = list.filter((e) => /(^|\/)[^/]+_DATA\.dat$/i.test(e.fileName))
    const photos = list.filter((e) => /(^|\/)[^/]+_PHOTOS\.dat$/i.test(e.fileName))
    if (data.length === 0) {
      if (names.some((n) => /\.sql$/i.test(n))) {
        refuse('Cette sauvegarde vient d’un fichier Noethys en mode réseau (MySQL) : Ribambelle lit les fichiers locaux. Dans Noethys, convertissez le fichier en fichier local (Fichier > Convertir en fichier local), sauvegardez-le, puis envoyez cette sauvegarde.')
      }
      refuse(`Cette archive ne contient pas de fichier de données Noethys (…_DATA.dat). Contenu : ${names.slice(0, 5).join(', ') || 'vide'}.`)
    }
    if (data.length > 1) {
      refuse(`Cette sauvegarde contient plusieurs fichiers Noethys (${data.map((e) => e.fileName).join(', ')}) : dans Noethys, sauvegardez un seul fichier à la fois, puis envoyez cette sauvegarde.`)
    }
    const total = [...data, ...photos].reduce((s, e) => s + e.uncompressedSize, 0)
    if (total > MAX_UNZIPPED_BYTES) refuse('Cette sauvegarde est trop volumineuse une fois décompressée (plus de 1 Go) : elle ne peut pas être importée.', 413)
    const base = data[0].fileName.replace(/^.*\//, '').replace(/_DATA\.dat$/i, '')
    const photo = photos.find((e) => e.fileName.replace(/^.*\//, '').replace(/_PHOTOS\.dat$/i, '') === base) ?? null
    const dataPath = join(dir, 'data.sqlite')
    await extract(zip, data[0], dataPath).catch(() => refuse('Cette sauvegarde Noethys (.nod) est endommagée : le fichier de données ne se décompresse pas.'))
    let photosPath: string | null = null
    if (photo) {
      photosPath = join(dir, 'photos.sqlite')
      await extract(zip, photo, photosPath).catch(() => refuse('Cette sauvegarde Noethys (.nod) est endommagée : le fichier des photos ne se décompresse pas.'))
    }
    return { data: dataPath, photos: photosPath }
  } finally {
    zip.close()
  }
}
