import type { AddressInfo } from 'node:net'
import type { FastifyInstance } from 'fastify'
import type { Core } from '../core/app-core'
import { startBackupSchedule } from '../backups/schedule'
import { startMailWorker } from '../mail/outbox'
import { resumeInvoiceMails } from '../billing/invoice-mail'
import { resumeJobs } from '../jobs/kinds'
import { getPortalSettings } from '../settings/portal-settings'
import { lanAddresses, operatorMaterial, selfSignedMaterial, type TlsMaterial } from '../settings/tls'
import { buildPortalApp } from './portal-app'
import { buildStaffApp } from './staff-app'
import { StaffLanListener } from './lan-listener'

export interface ListenOptions {
  staffPort: number
  portalPort: number
  /** Interface the portal binds to; the staff API always binds 127.0.0.1. */
  portalHost: string
  /** Built back-office, served on 127.0.0.1 (headless) and on the LAN when the direction opens it. */
  staffStaticDir: string | null
  portalStaticDir: string | null
  /** Serve the staff back-office over HTTP on 127.0.0.1 (headless); Electron uses IPC instead. */
  withStaff: boolean
  /** Interface of the back-office on the LAN (when opened in Paramètres): every one by default (core/config.ts). */
  lanHost?: string
  mailIntervalMs?: number
}

export interface RunningServers {
  staff: FastifyInstance | null
  portal: FastifyInstance
  /** The back-office on the LAN: opened, moved and closed with its settings. */
  lan: StaffLanListener
  staffUrl: string
  portalUrls: string[]
  close(): Promise<void>
}

export async function startServers(core: Core, opts: ListenOptions): Promise<RunningServers> {
  const settings = await core.tx.read((m) => getPortalSettings(m))
  let tls: TlsMaterial | null = null
  if (settings.tlsMode === 'operator') tls = operatorMaterial(core.paths.tlsDir)
  if (!tls && settings.tlsMode !== 'reverse-proxy') tls = selfSignedMaterial(core.paths.tlsDir)

  const portal = await buildPortalApp(core, {
    staticDir: opts.portalStaticDir,
    https: tls ? { key: tls.key, cert: tls.cert } : null,
    trustProxy: settings.tlsMode === 'reverse-proxy'
  })
  await portal.listen({ host: opts.portalHost, port: opts.portalPort })
  const portalPort = (portal.server.address() as AddressInfo).port
  const scheme = tls ? 'https' : 'http'
  const hosts = opts.portalHost === '0.0.0.0' || opts.portalHost === '::' ? ['127.0.0.1', ...lanAddresses()] : [opts.portalHost]
  const portalUrls = hosts.map((h) => `${scheme}://${h}:${portalPort}`)

  let staff: FastifyInstance | null = null
  let staffUrl = ''
  if (opts.withStaff) {
    staff = await buildStaffApp(core, { staticDir: opts.staffStaticDir })
    // Loopback only: the staff API is never on the network.
    await staff.listen({ host: '127.0.0.1', port: opts.staffPort })
    staffUrl = `http://127.0.0.1:${(staff.server.address() as AddressInfo).port}`
  }

  core.runtime.portalUrls = portalUrls
  core.runtime.portalUrl = settings.publicUrl || portalUrls[portalUrls.length - 1]
  core.runtime.staffUrl = staffUrl
  core.runtime.tlsFingerprint = tls?.fingerprint ?? null
  core.runtime.tlsExpiresAt = tls?.expiresAt ?? null

  const lan = new StaffLanListener(core, { staticDir: opts.staffStaticDir, host: opts.lanHost ?? '0.0.0.0' })
  core.runtime.staffLan = lan
  await lan.apply()

  const stopMail = startMailWorker(core, opts.mailIntervalMs)
  const backups = startBackupSchedule(core)
  // A commune-wide job a killed process left midway (#19) finishes now, where it stopped.
  core.deferred.run('reprise des traitements interrompus', () => resumeJobs(core, core.options.log))
  core.deferred.run('reprise de l’envoi des factures', async () => void (await resumeInvoiceMails(core, core.options.log)))
  return {
    staff,
    portal,
    lan,
    staffUrl,
    portalUrls,
    close: async () => {
      stopMail()
      await portal.close()
      if (staff) await staff.close()
      await lan.close()
      core.runtime.staffLan = null
      // Once nobody can write any more: the closing backup is the last state.
      await backups.stop()
    }
  }
}
