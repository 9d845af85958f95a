/**
 * Encrypted backup copies (for a USB key or a network share: backups hold
 * children's health data).
 *
 * The scheduled copy must be encrypted with nobody at the keyboard, yet
 * nothing on this computer may be able to decrypt it: a stolen laptop must
 * not open a stolen USB key. So the passphrase protects a private key, and
 * the app keeps only what encrypts:
 *   - when the direction sets the passphrase, an X25519 key pair is made;
 *     the private key is encrypted (AES-256-GCM) under a key derived from
 *     the passphrase with argon2id, and the passphrase and the derived key
 *     are forgotten. This "key block" (public key + encrypted private key +
 *     KDF parameters and salt) is what the settings keep;
 *   - each copy gets a fresh data key, agreed between a throw-away X25519
 *     key and the public key (ECDH, then HKDF-SHA-256), and the database is
 *     encrypted with AES-256-GCM under it;
 *   - to restore, the passphrase re-derives the key that opens the private
 *     key, which re-derives the data key. Every file carries the key block,
 *     so the file and the passphrase are enough, on any computer.
 *
 * File format, version 1 (integers big-endian):
 *   offset size
 *     0     8  magic "RIBBKENC"
 *     8     1  format version (1)
 *     9     1  KDF: 2 = argon2id (v1.3)
 *    10     4  argon2 memory, KiB
 *    14     4  argon2 passes
 *    18     1  argon2 lanes
 *    19    16  argon2 salt
 *    35    32  key check: HMAC-SHA-256(derived key, "ribambelle-backup-key-check"), tells a wrong passphrase from a damaged file
 *    67    32  X25519 public key (raw)
 *    99    12  nonce of the private key's encryption
 *   111    48  private key (32, raw) encrypted with AES-256-GCM under the derived key, then its tag (16); AAD = bytes 0-98
 *   159    32  throw-away X25519 public key of this file (raw)
 *   191    12  nonce of the data encryption
 *   203     …  the SQLite backup encrypted with AES-256-GCM; AAD = bytes 0-202 (the whole header)
 *   end-16 16  tag of the data encryption
 * The data key is HKDF-SHA-256(X25519(throw-away, public key), salt = throw-away public ‖ public key, info "ribambelle-backup-v1", 32 bytes).
 */
import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  generateKeyPairSync,
  hkdfSync,
  randomBytes,
  timingSafeEqual,
  type KeyObject
} from 'node:crypto'
import { closeSync, createReadStream, createWriteStream, openSync, readSync, rmSync, statSync } from 'node:fs'
import { basename } from 'node:path'
import { pipeline } from 'node:stream/promises'
import { hashRaw } from '@node-rs/argon2'
import { DomainError } from '../core/errors'
import { ENCRYPTED_HEADER_LEN as HEADER_LEN, ENCRYPTED_MAGIC, ENCRYPTED_TAG_LEN as TAG_LEN } from './backup-check'

/** What the settings keep: the key block of the format above (bytes 8-158), base64. Safe to store: it opens nothing without the passphrase. */
export interface BackupKey {
  block: string
}

/** argon2id at 64 MiB and 3 passes: about a second on a modest office PC, paid when the passphrase is set and at each restore only. */
const KDF = { memoryCost: 65536, timeCost: 3, parallelism: 1 }
/** Bounds on what a file may ask for, so a forged header cannot make a restore exhaust the computer. */
const KDF_MAX = { memoryCost: 1 << 20, timeCost: 32, parallelism: 16 }

const VERSION = 1
const KDF_ARGON2ID = 2
const BLOCK_LEN = 151
const CHECK_INFO = 'ribambelle-backup-key-check'
const HKDF_INFO = 'ribambelle-backup-v1'

const refused = (message: string, code: string) => new DomainError(code, message, 422)
const tampered = (label: string) =>
  refused(`La copie chiffrée ${label} a été modifiée ou est abîmée : son contenu ne correspond plus à son code d’authentification. Rien n’a été restauré.`, 'backup_tampered')

function rawX25519(key: KeyObject, part: 'x' | 'd'): Buffer {
  return Buffer.from(key.export({ format: 'jwk' })[part] as string, 'base64url')
}
const publicFromRaw = (x: Buffer) => createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: x.toString('base64url') }, format: 'jwk' })
const privateFromRaw = (d: Buffer, x: Buffer) =>
  createPrivateKey({ key: { kty: 'OKP', crv: 'X25519', d: d.toString('base64url'), x: x.toString('base64url') }, format: 'jwk' })

function deriveKek(passphrase: string, salt: Buffer, kdf: typeof KDF): Promise<Buffer> {
  // algorithm 2 = Argon2id (the library's const enum cannot be imported under isolatedModules).
  return hashRaw(passphrase.normalize('NFC'), { algorithm: 2, ...kdf, outputLen: 32, salt })
}
const keyCheck = (kek: Buffer) => createHmac('sha256', kek).update(CHECK_INFO).digest()

function dataKey(shared: Buffer, ephemeralPublic: Buffer, recipientPublic: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', shared, Buffer.concat([ephemeralPublic, recipientPublic]), HKDF_INFO, 32))
}

/** A new key pair whose private half only `passphrase` opens. */
export async function createBackupKey(passphrase: string): Promise<BackupKey> {
  const pair = generateKeyPairSync('x25519')
  const salt = randomBytes(16)
  const kek = await deriveKek(passphrase, salt, KDF)
  const head = Buffer.alloc(99)
  ENCRYPTED_MAGIC.copy(head, 0)
  head.writeUInt8(VERSION, 8)
  head.writeUInt8(KDF_ARGON2ID, 9)
  head.writeUInt32BE(KDF.memoryCost, 10)
  head.writeUInt32BE(KDF.timeCost, 14)
  head.writeUInt8(KDF.parallelism, 18)
  salt.copy(head, 19)
  keyCheck(kek).copy(head, 35)
  rawX25519(pair.publicKey, 'x').copy(head, 67)
  const nonce = randomBytes(12)
  const c = createCipheriv('aes-256-gcm', kek, nonce)
  c.setAAD(head)
  const wrapped = Buffer.concat([c.update(rawX25519(pair.privateKey, 'd')), c.final(), c.getAuthTag()])
  kek.fill(0)
  return { block: Buffer.concat([head.subarray(8), nonce, wrapped]).toString('base64') }
}

interface ParsedHeader {
  header: Buffer
  version: number
  kdf: typeof KDF
  salt: Buffer
  check: Buffer
  recipientPublic: Buffer
  wrapNonce: Buffer
  wrapped: Buffer
  ephemeralPublic: Buffer
  nonce: Buffer
}

function parseHeader(header: Buffer): ParsedHeader {
  return {
    header,
    version: header.readUInt8(8),
    kdf: { memoryCost: header.readUInt32BE(10), timeCost: header.readUInt32BE(14), parallelism: header.readUInt8(18) },
    salt: header.subarray(19, 35),
    check: header.subarray(35, 67),
    recipientPublic: header.subarray(67, 99),
    wrapNonce: header.subarray(99, 111),
    wrapped: header.subarray(111, 159),
    ephemeralPublic: header.subarray(159, 191),
    nonce: header.subarray(191, 203)
  }
}

/** The fingerprint shown in Paramètres, to tell one passphrase's copies from another's. */
export function backupKeyFingerprint(key: BackupKey): string {
  const pub = Buffer.from(key.block, 'base64').subarray(67 - 8, 99 - 8)
  return createHash('sha256').update(pub).digest('hex').slice(0, 16).replace(/(.{4})(?!$)/g, '$1 ')
}

/** Checks a passphrase against a key block without touching any file (Paramètres: « Vérifier la phrase de passe »). */
export async function passphraseOpens(key: BackupKey, passphrase: string): Promise<boolean> {
  const p = parseHeader(Buffer.concat([ENCRYPTED_MAGIC, Buffer.from(key.block, 'base64'), Buffer.alloc(HEADER_LEN - 8 - BLOCK_LEN)]))
  const kek = await deriveKek(passphrase, p.salt, p.kdf)
  return timingSafeEqual(keyCheck(kek), p.check)
}

/** SHA-256 of a file, streamed. */
export function hashFile(file: string): Promise<Buffer> {
  const h = createHash('sha256')
  return pipeline(createReadStream(file), h).then(() => h.digest())
}

/**
 * Encrypts the backup `src` into `dest` (a temporary name: the caller
 * renames it), then reads `dest` back, decrypts it with the data key still
 * in memory and compares it with `src`, so a copy that the USB key mangled
 * is caught now rather than on the day of the restore.
 */
export async function encryptBackup(src: string, dest: string, key: BackupKey): Promise<void> {
  const block = Buffer.from(key.block, 'base64')
  if (block.length !== BLOCK_LEN) throw new Error('clé de sauvegarde invalide')
  const recipientPublic = block.subarray(67 - 8, 99 - 8)
  const eph = generateKeyPairSync('x25519')
  const ephemeralPublic = rawX25519(eph.publicKey, 'x')
  const k = dataKey(diffieHellman({ privateKey: eph.privateKey, publicKey: publicFromRaw(recipientPublic) }), ephemeralPublic, recipientPublic)
  const nonce = randomBytes(12)
  const header = Buffer.concat([ENCRYPTED_MAGIC, block, ephemeralPublic, nonce])
  const cipher = createCipheriv('aes-256-gcm', k, nonce)
  cipher.setAAD(header)
  const out = createWriteStream(dest)
  out.write(header)
  await pipeline(createReadStream(src), cipher, out, { end: false })
  await new Promise<void>((resolve, reject) => out.end(cipher.getAuthTag(), () => resolve()).once('error', reject))
  const decipher = createDecipheriv('aes-256-gcm', k, nonce)
  decipher.setAAD(header)
  decipher.setAuthTag(readTag(dest))
  const back = createHash('sha256')
  await pipeline(createReadStream(dest, { start: HEADER_LEN, end: statSync(dest).size - TAG_LEN - 1 }), decipher, back)
  if (!back.digest().equals(await hashFile(src))) throw new DomainError('copy_differs', 'la copie chiffrée relue ne correspond pas à la sauvegarde')
  k.fill(0)
}

function readTag(file: string): Buffer {
  const size = statSync(file).size
  const fd = openSync(file, 'r')
  try {
    const tag = Buffer.alloc(TAG_LEN)
    readSync(fd, tag, 0, TAG_LEN, size - TAG_LEN)
    return tag
  } finally {
    closeSync(fd)
  }
}

/**
 * Decrypts the copy `src` into `dest` with the passphrase. Refusals, in
 * French: not an encrypted copy, an unknown format version, a wrong
 * passphrase, a modified or damaged file (GCM authentication fails: `dest`
 * is then deleted, since GCM only judges the data once it has all been read).
 */
export async function decryptBackup(src: string, dest: string, passphrase: string): Promise<void> {
  const label = basename(src)
  const size = statSync(src).size
  const header = Buffer.alloc(HEADER_LEN)
  const fd = openSync(src, 'r')
  try {
    readSync(fd, header, 0, HEADER_LEN, 0)
  } finally {
    closeSync(fd)
  }
  if (!header.subarray(0, 8).equals(ENCRYPTED_MAGIC)) throw refused(`Le fichier ${label} n’est pas une copie chiffrée de Ribambelle.`, 'backup_not_encrypted')
  if (size <= HEADER_LEN + TAG_LEN) throw refused(`La copie chiffrée ${label} est incomplète : le fichier est trop court.`, 'backup_incomplete')
  const p = parseHeader(header)
  if (p.version !== VERSION) {
    throw refused(`La copie chiffrée ${label} est dans un format (version ${p.version}) que cette version de Ribambelle ne sait pas lire : installez la version à jour.`, 'backup_newer')
  }
  if (header.readUInt8(9) !== KDF_ARGON2ID || p.kdf.memoryCost > KDF_MAX.memoryCost || p.kdf.timeCost > KDF_MAX.timeCost || p.kdf.parallelism > KDF_MAX.parallelism || p.kdf.parallelism < 1) {
    throw tampered(label)
  }
  const kek = await deriveKek(passphrase, p.salt, p.kdf)
  if (!timingSafeEqual(keyCheck(kek), p.check)) {
    throw refused(`Phrase de passe incorrecte pour la copie chiffrée ${label}. Vérifiez-la (majuscules, accents) et réessayez.`, 'backup_wrong_passphrase')
  }
  let privateRaw: Buffer
  try {
    const d = createDecipheriv('aes-256-gcm', kek, p.wrapNonce)
    d.setAAD(header.subarray(0, 99))
    d.setAuthTag(p.wrapped.subarray(32))
    privateRaw = Buffer.concat([d.update(p.wrapped.subarray(0, 32)), d.final()])
  } catch {
    throw tampered(label)
  } finally {
    kek.fill(0)
  }
  const privateKey = privateFromRaw(privateRaw, p.recipientPublic)
  const k = dataKey(diffieHellman({ privateKey, publicKey: publicFromRaw(p.ephemeralPublic) }), p.ephemeralPublic, p.recipientPublic)
  const decipher = createDecipheriv('aes-256-gcm', k, p.nonce)
  decipher.setAAD(header)
  decipher.setAuthTag(readTag(src))
  try {
    await pipeline(createReadStream(src, { start: HEADER_LEN, end: size - TAG_LEN - 1 }), decipher, createWriteStream(dest))
  } catch (e) {
    rmSync(dest, { force: true })
    if ((e as Error).message.includes('authenticate')) throw tampered(label)
    throw e
  } finally {
    k.fill(0)
  }
}
