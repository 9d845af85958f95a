import { existsSync, mkdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import type Database from 'better-sqlite3'
import type { DataSource } from 'typeorm'
import type { LanStatusDto } from '@shared/contract/staff-access'
import { backupDatabase, removeBackupLeftovers } from '../db/backup'
import { lockDataDir, type DataDirLock } from '../db/data-lock'
import { removeRestoreLeftovers } from '../db/restore'
import { createDataSource, rawDatabase } from '../db/data-source'
import { Transactor } from '../db/transaction'
import { openReader } from '../db/reader'
import { IdleCheckpoint } from '../db/idle-checkpoint'
import { entities } from './entities'
import { systemClock, type Clock } from './clock'
import { DeferredWork } from './deferred'
import { LiveHub } from '../live/hub'

export interface SessionPolicy {
  /** Idle timeout in minutes. */
  idleMinutes: number
  /** Absolute lifetime in minutes, whatever the activity. */
  absoluteMinutes: number
}

/**
 * How the app runs. Only 'demo' (`--demo`, a throw-away database) and 'test'
 * (RIBAMBELLE_TEST_MODE=1, said on every payment page) may use the built-in
 * payment simulators; a normal install ('production') never offers them.
 */
export type RunMode = 'production' | 'demo' | 'test'

export interface CoreOptions {
  dataDir: string
  runMode?: RunMode
  clock?: Clock
  /**
   * Real time, for what must agree with devices outside Ribambelle: the TOTP codes of the staff's authenticator apps.
   * The system clock unless a test moves it; never the business clock a demo or a test may set (`clock`).
   */
  wallClock?: Clock
  /** Number of backups kept in the rotation. */
  backupKeep?: number
  staffSession?: SessionPolicy
  portalSession?: SessionPolicy
  log?: (msg: string) => void
  /**
   * The data directory's lock, when the caller took it already (the demo
   * takes it before wiping its database). Otherwise openCore takes it.
   */
  lock?: DataDirLock
  /** Names this process in the lock, for whoever is refused ("Ribambelle (sans fenêtre)"). */
  app?: string
}

export interface CorePaths {
  dataDir: string
  dbFile: string
  backupDir: string
  tlsDir: string
  documentsDir: string
}

/**
 * Everything a domain function needs: the database, the transaction helper,
 * the clock and the settings. Adapters (HTTP, IPC) hold one Core; domain code
 * never sees Electron, Fastify or Vue.
 */
export interface Core {
  ds: DataSource
  db: Database.Database
  tx: Transactor
  /**
   * A second, read-only connection. In WAL mode it reads the last committed
   * state without taking the transaction mutex, so checks made on every
   * request (the session cookie) never queue behind a running write — during
   * the rush, behind a whole group commit. Only for reads that need no
   * transaction; anything that decides a write reads inside `tx.run`.
   */
  snapshot: Database.Database
  clock: Clock
  /** See CoreOptions.wallClock. */
  wallClock: Clock
  paths: CorePaths
  options: Required<Omit<CoreOptions, 'clock' | 'wallClock' | 'dataDir' | 'lock' | 'app'>>
  /** Facts known once the listeners run (used in e-mails and the settings screen). */
  runtime: CoreRuntime
  /** Work that must happen after the answer is sent (see core/deferred.ts). */
  deferred: DeferredWork
  /** Committed changes, told to the open back-offices (live/hub.ts; the staff event stream). */
  live: LiveHub
  close(): Promise<void>
}

export interface CoreRuntime {
  portalUrl: string
  portalUrls: string[]
  staffUrl: string
  tlsFingerprint: string | null
  tlsExpiresAt: string | null
  /** Port of the demo's built-in mail catcher (mail/catcher.ts) on 127.0.0.1; null outside the demo. */
  demoMailPort: number | null
  /** The back-office on the LAN, where this process runs the listeners (server/lan-listener.ts); null elsewhere. */
  staffLan: StaffLanControl | null
}

/** Opens, moves or closes the back-office on the LAN to match its settings, without a restart. */
export interface StaffLanControl {
  apply(): Promise<void>
  status(): LanStatusDto
}

export function corePaths(dataDir: string): CorePaths {
  return {
    dataDir,
    dbFile: join(dataDir, 'ribambelle.sqlite'),
    backupDir: join(dataDir, 'backups'),
    tlsDir: join(dataDir, 'tls'),
    documentsDir: join(dataDir, 'documents')
  }
}

/**
 * Opens the data directory for this process alone: takes its lock (a second
 * app or a restore on the same directory is refused, naming this one),
 * removes what a crash during a backup or a restore left, backs the
 * database up if a migration is due, migrates, and opens the connections.
 */
export async function openCore(opts: CoreOptions): Promise<Core> {
  const paths = corePaths(opts.dataDir)
  mkdirSync(paths.dataDir, { recursive: true })
  const clock = opts.clock ?? systemClock
  const lock = opts.lock ?? lockDataDir(paths.dataDir, opts.app ?? 'Ribambelle', 'start', clock.now())
  try {
    return await openLocked(opts, paths, clock, lock)
  } catch (e) {
    lock.release()
    throw e
  }
}

async function openLocked(opts: CoreOptions, paths: CorePaths, clock: Clock, lock: DataDirLock): Promise<Core> {
  const options = {
    backupKeep: opts.backupKeep ?? 30,
    staffSession: opts.staffSession ?? { idleMinutes: 120, absoluteMinutes: 12 * 60 },
    portalSession: opts.portalSession ?? { idleMinutes: 30, absoluteMinutes: 8 * 60 },
    runMode: opts.runMode ?? 'production',
    log: opts.log ?? ((m: string) => console.log(m))
  }
  const leftovers = [...removeBackupLeftovers(paths.backupDir), ...removeRestoreLeftovers(paths.dataDir)]
  if (leftovers.length > 0) options.log(`Fichiers laissés par une sauvegarde ou une restauration interrompue, supprimés : ${leftovers.join(', ')}`)
  const existed = existsSync(paths.dbFile) && statSync(paths.dbFile).size > 0
  const ds = createDataSource(paths.dbFile, entities)
  await ds.initialize()
  const db = rawDatabase(ds)
  try {
    if (existed && (await ds.showMigrations())) {
      const b = await backupDatabase(db, paths.backupDir, 'pre-migration', options.backupKeep, clock.now())
      options.log(`Sauvegarde avant migration : ${b.file}`)
    }
    await ds.runMigrations({ transaction: 'each' })
  } catch (e) {
    await ds.destroy()
    throw e
  }
  const snapshot = openReader(paths.dbFile)
  let checkpoint: IdleCheckpoint | null = null
  const live = new LiveHub()
  const tx = new Transactor(ds, () => checkpoint?.wrote(), options.log, (changes) => live.publish(changes))
  checkpoint = new IdleCheckpoint(db, (work) => tx.exclusive(work))
  const core: Core = {
    ds,
    db,
    tx,
    snapshot,
    clock,
    wallClock: opts.wallClock ?? systemClock,
    paths,
    options,
    runtime: { portalUrl: '', portalUrls: [], staffUrl: '', tlsFingerprint: null, tlsExpiresAt: null, staffLan: null, demoMailPort: null },
    deferred: new DeferredWork(options.log),
    live,
    close: async () => {
      // The lock is released whatever closing throws: the next start must not find a holder that has gone.
      try {
        await core.deferred.idle()
        checkpoint?.stop()
        if (snapshot.open) snapshot.close()
        if (ds.isInitialized) await ds.destroy()
      } finally {
        lock.release()
      }
    }
  }
  return core
}
