/**
 * Maintenance commands that run with the app stopped.
 *
 *   node out/main/cli.js restore <backup-file> [--data-dir DIR]
 *   node out/main/cli.js backups [--data-dir DIR]
 */
import { resolve } from 'node:path'
import { corePaths } from './core/app-core'
import { defaultDataDir } from './core/config'
import { listBackups, restoreDatabase } from './db/backup'

async function main() {
  const [cmd, ...rest] = process.argv.slice(2)
  const dirArg = rest.indexOf('--data-dir')
  const dataDir = dirArg >= 0 ? resolve(rest[dirArg + 1]) : defaultDataDir()
  const paths = corePaths(dataDir)
  if (cmd === 'backups') {
    for (const b of listBackups(paths.backupDir)) console.log(`${b.name}\t${b.sizeBytes} octets`)
    return
  }
  if (cmd === 'restore' && rest[0] && rest[0] !== '--data-dir') {
    const file = rest[0].includes('/') ? resolve(rest[0]) : `${paths.backupDir}/${rest[0]}`
    const saved = await restoreDatabase(paths.dbFile, file, paths.backupDir)
    console.log(`Base restaurée depuis ${file}.`)
    if (saved) console.log(`L'ancienne base a été sauvegardée dans ${saved.file}.`)
    return
  }
  console.log('Usage : cli.js backups | cli.js restore <fichier-de-sauvegarde> [--data-dir DOSSIER]')
  process.exitCode = 1
}

main().catch((e) => {
  console.error(`Erreur : ${(e as Error).message}`)
  process.exit(1)
})
