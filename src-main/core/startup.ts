import { rmSync } from 'node:fs'
import { join } from 'node:path'
import { seedDemo } from '../demo/seed'
import type { DemoProfile } from '../billing/demo'
import { lockDataDir } from '../db/data-lock'
import { startMailCatcher } from '../mail/catcher'
import { openCore, type Core, type RunMode } from './app-core'
import type { Clock } from './clock'
import { envPort } from './config'

/** Demo when asked; the explicit test mode only through RIBAMBELLE_TEST_MODE=1 (never a setting staff can flip). */
export function runModeOf(demo: boolean): RunMode {
  if (demo) return 'demo'
  return process.env.RIBAMBELLE_TEST_MODE === '1' ? 'test' : 'production'
}

/**
 * Opens the core for the desktop shell and headless mode alike. With
 * `demo`, the database is a fresh one in `<dataDir>/demo`, seeded with the
 * demo structure: always a sub-folder, so a demo can never wipe real data.
 * The demo's e-mails go to the built-in mail catcher (« Boîte de
 * démonstration »), unless RIBAMBELLE_DEMO_SMTP_PORT names another loopback
 * SMTP server (the browser tests' own). `app` names this process to whoever
 * is refused the data directory. `clock` (demo only, see clock-option.ts)
 * sets the demo's today. `profile` sets the demo up as an association or a
 * public régie.
 */
export async function openAppCore(
  dataDir: string,
  demo: boolean,
  app: string,
  clock?: Clock | null,
  profile: DemoProfile = 'association'
): Promise<{ core: Core; dataDir: string; credentials: string[] }> {
  let lock
  if (demo) {
    dataDir = join(dataDir, 'demo')
    // Locked before anything is wiped: a demo already running keeps its database.
    lock = lockDataDir(dataDir, `${app}, démonstration`, 'start')
    for (const f of ['ribambelle.sqlite', 'ribambelle.sqlite-wal', 'ribambelle.sqlite-shm']) rmSync(join(dataDir, f), { force: true })
  }
  const core = await openCore({ dataDir, lock, app, runMode: runModeOf(demo), ...(clock ? { clock } : {}) })
  if (!demo) return { core, dataDir, credentials: [] }
  let smtpPort = envPort('RIBAMBELLE_DEMO_SMTP_PORT', 0)
  if (!smtpPort) {
    const catcher = await startMailCatcher(core)
    core.runtime.demoMailPort = smtpPort = catcher.port
    // The catcher writes to the database: it stops before the database closes.
    const closeCore = core.close
    core.close = async () => {
      await catcher.close()
      await closeCore()
    }
  }
  const credentials = await seedDemo(core, { smtpPort, profile })
  if (core.runtime.demoMailPort) credentials.push('E-mails : remis à la « Boîte de démonstration » du back-office (Administration), rien ne sort de cet ordinateur.')
  return { core, dataDir, credentials }
}
