import { closeSync, existsSync, fsyncSync, openSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { open, rename } from 'node:fs/promises'
import { dirname, join } from 'node:path'

/**
 * Files that must survive a power cut. A rename is atomic, but without
 * these fsyncs the new name can reach the disk before the file's bytes do,
 * and a crash would leave a complete-looking name over an empty file.
 */
export function fsyncFile(file: string): void {
  // 'r+': Windows' FlushFileBuffers needs write access.
  const fd = openSync(file, 'r+')
  try {
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
}

/** Makes a rename or an unlink in `dir` durable. Windows cannot open a directory; NTFS journals its entries itself. */
export function fsyncDir(dir: string): void {
  if (process.platform === 'win32') return
  const fd = openSync(dir, 'r')
  try {
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
}

/**
 * The temporary file `tmp`, already complete and checked, becomes `final`
 * in one step: before, `final` is absent (or the old one); after, it is the
 * new one. Asynchronous: flushing a 200 MB backup to a USB key takes
 * seconds, which the app's event loop must not spend waiting.
 */
export async function commitFile(tmp: string, final: string): Promise<void> {
  const handle = await open(tmp, 'r+')
  try {
    await handle.sync()
  } finally {
    await handle.close()
  }
  await rename(tmp, final)
  fsyncDir(dirname(final))
}

/** Writes a small file so that a reader sees the old content or the new, never half of it. */
export function writeFileAtomic(file: string, content: string, mode = 0o600): void {
  const tmp = `${file}.${process.pid}.tmp`
  writeFileSync(tmp, content, { mode })
  fsyncFile(tmp)
  renameSync(tmp, file)
  fsyncDir(dirname(file))
}

/** Removes a SQLite file that was being written and the journal, WAL and SHM files SQLite keeps beside it. */
export function removeWithSidecars(file: string): void {
  for (const f of [file, `${file}-journal`, `${file}-wal`, `${file}-shm`]) rmSync(f, { force: true })
}

/** Removes the files of `dir` whose name `isLeftover` recognises (what a crash left); returns their names. */
export function removeLeftovers(dir: string, isLeftover: (name: string) => boolean): string[] {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return []
  const names = readdirSync(dir).filter(isLeftover)
  for (const n of names) rmSync(join(dir, n), { force: true })
  return names
}
