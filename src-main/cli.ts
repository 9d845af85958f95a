/**
 * Maintenance commands that run with the app stopped (`npm run db:restore -- …`).
 *
 *   node out/main/cli.js backups [--from DIR] [--data-dir DIR]
 *   node out/main/cli.js restore <backup name or file> [--data-dir DIR]
 *
 * A bare name must be one of the verified backups that `backups` lists; a
 * path may be any file (a copy on a USB key, an encrypted `.sqlite.enc`):
 * it gets the full check either way. The passphrase of an encrypted copy is
 * asked on the terminal without echo, or read from the first line of stdin
 * when stdin is not a terminal.
 */
import { basename, resolve, sep } from 'node:path'
import { corePaths } from './core/app-core'
import { defaultDataDir } from './core/config'
import { DomainError } from './core/errors'
import { listBackups } from './db/backup'
import { restoreDatabase } from './db/restore'
import { readSecret } from './cli-secret'

function option(args: string[], name: string): string | null {
  const i = args.indexOf(name)
  return i >= 0 && args[i + 1] ? resolve(args[i + 1]) : null
}

function positional(args: string[]): string | undefined {
  return args.find((a, i) => !a.startsWith('--') && !(i > 0 && args[i - 1].startsWith('--')))
}

async function main() {
  const [cmd, ...rest] = process.argv.slice(2)
  const dataDir = option(rest, '--data-dir') ?? defaultDataDir()
  const paths = corePaths(dataDir)
  if (cmd === 'backups') {
    const dir = option(rest, '--from') ?? paths.backupDir
    const list = listBackups(dir)
    if (list.length === 0) console.log(`Aucune sauvegarde vérifiée dans ${dir}.`)
    for (const b of list) console.log(`${b.name}\t${b.sizeBytes} octets${b.encrypted ? '\tchiffrée' : ''}`)
    return
  }
  const target = positional(rest)
  if (cmd === 'restore' && target) {
    let file: string
    if (target.includes('/') || target.includes(sep)) file = resolve(target)
    else {
      const found = listBackups(paths.backupDir).find((b) => b.name === target)
      if (!found) {
        throw new DomainError('backup_missing', `Aucune sauvegarde vérifiée ne porte le nom ${target} dans ${paths.backupDir}. La liste : npm run db:restore -- list`)
      }
      file = found.file
    }
    const r = await restoreDatabase(paths, file, { passphrase: () => readSecret(`Phrase de passe de ${basename(file)} : `) })
    console.log(`Base restaurée depuis ${file} (${r.counts.family ?? 0} familles, ${r.counts.invoice ?? 0} factures).`)
    if (r.saved) console.log(`L'ancienne base a été sauvegardée dans ${r.saved.file}.`)
    if (r.damaged) console.log(`L'ancienne base était endommagée et n'a pas pu être sauvegardée : elle a été mise de côté sous ${r.damaged}.`)
    return
  }
  console.log('Usage : cli.js backups [--from DOSSIER] | cli.js restore <sauvegarde> [--data-dir DOSSIER]')
  process.exitCode = 1
}

main().catch((e) => {
  console.error(e instanceof DomainError ? `Erreur : ${e.message}` : `Erreur inattendue : ${(e as Error).message}`)
  process.exit(1)
})
