/**
 * Headless mode: the same core and servers as the desktop app, in plain
 * Node. The back-office is served on http://127.0.0.1:<port> and the portal
 * on the LAN over HTTPS. Tests and CI run this.
 *
 *   node out/main/headless.js [--demo [--regie-publique] [--clock 2027-01-19T08:00:00+01:00]] [--data-dir DIR]
 *   node out/main/headless.js --server https://pc-accueil:5181 [--fingerprint AA:…] [--data-dir DIR]
 *   node out/main/headless.js --forget-server https://pc-accueil:5181
 */
import { join, resolve } from 'node:path'
import { clockOption } from './core/clock-option'
import { parisDay } from './core/clock'
import { defaultDataDir, envPort, lanBindHost } from './core/config'
import { DomainError } from './core/errors'
import { openAppCore } from './core/startup'
import { runHeadlessClient } from './client/headless-client'
import { startServers } from './server/listen'

async function main() {
  const args = process.argv.slice(2)
  const demo = args.includes('--demo')
  const dirArg = args.indexOf('--data-dir')
  // A client of another computer's back-office: no local database is opened.
  if (args.includes('--server') || args.includes('--forget-server')) return runHeadlessClient(args, dirArg >= 0 ? resolve(args[dirArg + 1]) : defaultDataDir())
  const clock = clockOption(args, process.env, demo)
  // Signals are taken from the start: one that arrives while the app is still opening stops it once it is open,
  // through the same clean stop (servers closed, closing backup, lock released), never by the default kill.
  let stop: (() => Promise<void>) | null = null
  let stopAsked = false
  const onSignal = () => {
    stopAsked = true
    if (stop) void stop()
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  const { core, dataDir, credentials } = await openAppCore(
    dirArg >= 0 ? resolve(args[dirArg + 1]) : defaultDataDir(),
    demo,
    'Ribambelle (sans fenêtre)',
    clock,
    args.includes('--regie-publique') ? 'regie-publique' : 'association'
  )
  if (args.includes('--seed-only')) {
    console.log(`Base de démonstration créée dans ${dataDir}`)
    await core.close()
    return
  }
  const outDir = resolve(__dirname, '..')
  const servers = await startServers(core, {
    staffPort: envPort('RIBAMBELLE_STAFF_PORT', 5180),
    portalPort: envPort('RIBAMBELLE_PORTAL_PORT', 5443),
    portalHost: process.env.RIBAMBELLE_PORTAL_HOST ?? '0.0.0.0',
    staffStaticDir: join(outDir, 'renderer'),
    // Override for runs from source (tsx), where __dirname is src-main rather than out/main.
    portalStaticDir: process.env.RIBAMBELLE_PORTAL_STATIC ? resolve(process.env.RIBAMBELLE_PORTAL_STATIC) : join(outDir, 'portal'),
    withStaff: true,
    lanHost: lanBindHost(),
    // The demo sends within seconds, so a « Terminer » shows its recap in the Boîte de démonstration right away.
    mailIntervalMs: Number(process.env.RIBAMBELLE_MAIL_INTERVAL_MS ?? (demo ? 2_000 : 15_000))
  })
  console.log('Ribambelle — mode sans fenêtre (headless)')
  console.log(`  Données     : ${dataDir}`)
  if (clock) console.log(`  Horloge     : démonstration au ${parisDay(core.clock.now())} (${core.clock.now().toISOString()})`)
  console.log(`  Back-office : ${servers.staffUrl}`)
  for (const u of servers.portalUrls) console.log(`  Portail     : ${u}`)
  for (const u of servers.lan.status().urls) console.log(`  Back-office sur le réseau : ${u}`)
  if (core.runtime.tlsFingerprint) console.log(`  Empreinte du certificat (SHA-256) : ${core.runtime.tlsFingerprint}`)
  for (const line of credentials) console.log(line)
  console.log('READY')
  let stopping = false
  stop = async () => {
    if (stopping) return
    stopping = true
    // Whatever fails while stopping is said, and the database is still closed and its lock released.
    let code = 0
    try {
      await servers.close()
    } catch (e) {
      console.error('Arrêt :', e)
      code = 1
    }
    try {
      await core.close()
    } catch (e) {
      console.error('Fermeture de la base :', e)
      code = 1
    }
    process.exit(code)
  }
  if (stopAsked) await stop()
}

main().catch((e) => {
  // A refusal the user can act on (a bad --clock, the data directory in use…) is one French line; anything else with its stack.
  console.error(e instanceof DomainError ? `Erreur : ${e.message}` : e)
  process.exit(1)
})
