/**
 * Benchmark of backups and restores at commune scale (#12): 3,000 families,
 * a school year of bookings (the month of billing-load.ts copied over ten
 * months), its audit rows. Reports, for the database's size:
 *   - a verified backup (backupNow): the copy, during which writes wait, and
 *     the whole (copy + integrity_check + schema + row counts + fsync);
 *   - the copy to a second folder, plain and encrypted (with its read-back);
 *   - making the encryption key (argon2id), and restores, plain and encrypted.
 *
 *   TSX_TSCONFIG_PATH=tsconfig.node.json node --import tsx bench/backup.ts [families=3000] [months=10]
 */
import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { monitorEventLoopDelay, performance } from 'node:perf_hooks'
import { openCore } from '../src-main/core/app-core'
import { FixedClock } from '../src-main/core/clock'
import { backupDatabase } from '../src-main/db/backup'
import { createBackupKey } from '../src-main/db/backup-crypto'
import { restoreDatabase } from '../src-main/db/restore'
import { copyToSecondFolder } from '../src-main/backups/copies'
import { seedInvoicingLoad } from './billing-load'

const mb = (bytes: number) => (bytes / 1048576).toFixed(0)
const ms = (t: number) => `${(performance.now() - t).toFixed(0)} ms`

async function main() {
  const families = Number(process.argv[2] ?? 3000)
  const months = Number(process.argv[3] ?? 10)
  const dir = mkdtempSync(join(tmpdir(), 'rb-bench-backup-'))
  const usb = join(dir, 'usb')
  mkdirSync(usb)
  const core = await openCore({ dataDir: join(dir, 'data'), clock: new FixedClock(new Date('2026-04-02T07:00:00Z')), log: () => {} })
  try {
    const load = await seedInvoicingLoad(core, { families })
    // A school year: the seeded month's bookings again in the other months.
    const cols = (core.db.prepare(`SELECT name FROM pragma_table_info('booking') WHERE name <> 'id'`).all() as { name: string }[]).map((c) => c.name)
    const select = cols.map((c) => (c === 'day' ? `date(day, '+' || ? || ' months')` : c)).join(', ')
    const copy = core.db.prepare(`INSERT OR IGNORE INTO booking (${cols.join(', ')}) SELECT ${select} FROM booking WHERE day LIKE '${load.month}%'`)
    core.db.transaction(() => {
      for (let k = 1; k < months; k++) copy.run(k)
    })()
    core.db.pragma('wal_checkpoint(TRUNCATE)')
    const bookings = (core.db.prepare('SELECT COUNT(*) AS n FROM booking').get() as { n: number }).n
    console.log(`Données : ${load.families} familles, ${load.children} enfants, ${bookings} réservations — base de ${mb(statSync(core.paths.dbFile).size)} Mo`)

    let blocked = 0
    // The longest the event loop (every request of the portal and the back-office) waits during the backup.
    const loop = monitorEventLoopDelay({ resolution: 10 })
    loop.enable()
    let t = performance.now()
    const b = await backupDatabase(core.db, core.paths.backupDir, 'manuelle', 30, core.clock.now(), {
      exclusive: async (work) => {
        const t0 = performance.now()
        try {
          return await core.tx.exclusive(work)
        } finally {
          blocked = performance.now() - t0
        }
      }
    })
    loop.disable()
    console.log(`Sauvegarde vérifiée : ${ms(t)} (${mb(b.sizeBytes)} Mo), dont la copie, pendant laquelle les écritures attendent : ${blocked.toFixed(0)} ms`)
    console.log(`  boucle d'événements bloquée au plus ${(loop.max / 1e6).toFixed(0)} ms d'affilée pendant la sauvegarde`)

    t = performance.now()
    loop.reset()
    loop.enable()
    const plain = await copyToSecondFolder(b, { daily: true, dailyTime: '12:30', atQuit: true, copyDir: usb, encrypt: false, key: null, keySetAt: null }, 30)
    loop.disable()
    console.log(`Copie au second dossier (relue et comparée) : ${ms(t)} — ${plain?.message} (boucle bloquée au plus ${(loop.max / 1e6).toFixed(0)} ms)`)

    t = performance.now()
    const key = await createBackupKey('une phrase de passe de banc d’essai')
    console.log(`Clé de chiffrement (argon2id 64 Mio, 3 passes) : ${ms(t)}`)
    rmSync(join(usb, b.name))
    t = performance.now()
    const enc = await copyToSecondFolder(b, { daily: true, dailyTime: '12:30', atQuit: true, copyDir: usb, encrypt: true, key, keySetAt: null }, 30)
    console.log(`Copie chiffrée (AES-256-GCM, relue et déchiffrée) : ${ms(t)} — ${enc?.message}`)
    await core.close()

    const paths = { dataDir: core.paths.dataDir, dbFile: core.paths.dbFile, backupDir: core.paths.backupDir }
    t = performance.now()
    await restoreDatabase(paths, b.file)
    console.log(`Restauration (copie, vérification, sauvegarde avant restauration, échange) : ${ms(t)}`)
    t = performance.now()
    await restoreDatabase(paths, join(usb, enc!.name!), { passphrase: async () => 'une phrase de passe de banc d’essai' })
    console.log(`Restauration d'une copie chiffrée (argon2id + déchiffrement compris) : ${ms(t)}`)
  } finally {
    if (core.db.open) await core.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

main().catch((e) => {
  console.error(e)
  process.exit(1)
})
