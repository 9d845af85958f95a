/**
 * Files handed to banks and the Trésor (pain.008, PES V2), kept in the data
 * directory (`exports/`) rather than in a TEXT column: a city's file is tens
 * of MB, written piece by piece and never held whole in memory. A file is
 * written under a temporary name, fsynced and renamed once complete, so its
 * final name only ever holds a whole, checked file.
 */
import { once } from 'node:events'
import { createWriteStream, mkdirSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import type { Core } from '../core/app-core'
import { commitFile } from '../db/durable-files'
import { nextTurn } from '../core/next-turn'

function exportsDir(core: Core): string {
  const dir = join(core.paths.dataDir, 'exports')
  mkdirSync(dir, { recursive: true })
  return dir
}

/** Writes `name` from the pieces `write` puts, then renames it in place; on failure nothing is left under either name. */
export async function writeExportFile(core: Core, name: string, write: (put: (piece: string) => Promise<void>) => Promise<void>): Promise<void> {
  const final = join(exportsDir(core), name)
  const tmp = `${final}.tmp`
  const out = createWriteStream(tmp, { mode: 0o600 })
  try {
    await write(async (piece) => {
      // Backpressure: the next piece waits until the disk has taken this one; and a turn of the event loop between
      // pieces, so the portal served by this process answers while a city's file is built.
      if (!out.write(piece)) await once(out, 'drain')
      else await nextTurn()
    })
    out.end()
    await once(out, 'finish')
  } catch (e) {
    out.destroy()
    rmSync(tmp, { force: true })
    throw e
  }
  await commitFile(tmp, final)
}

export function readExportFile(core: Core, name: string): string {
  return readFileSync(join(exportsDir(core), name), 'utf8')
}

/** Removes a file and its temporary (a discarded export). */
export function removeExportFile(core: Core, name: string): void {
  const f = join(exportsDir(core), name)
  rmSync(f, { force: true })
  rmSync(`${f}.tmp`, { force: true })
}
