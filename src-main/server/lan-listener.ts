import type { AddressInfo } from 'node:net'
import { hostname } from 'node:os'
import type { FastifyInstance } from 'fastify'
import type { LanStatusDto } from '@shared/contract/staff-access'
import type { Core, StaffLanControl } from '../core/app-core'
import { DomainError } from '../core/errors'
import { addressInRanges, parseRanges, type AddressRange } from '../settings/address-ranges'
import { getStaffNetworkSettings, lanTlsMaterial } from '../settings/staff-network'
import { lanAddresses, type TlsMaterial } from '../settings/tls'
import { buildStaffApp } from './staff-app'

export interface LanListenerOptions {
  /** Built back-office (out/renderer), the same pages as on this computer. */
  staticDir: string | null
  /** Interface to bind: every one (the ranges decide who gets in); 127.0.0.1 only in test mode (core/config.ts). */
  host: string
}

interface Running {
  app: FastifyInstance
  port: number
  tls: TlsMaterial
}

function listenError(e: unknown, port: number): string {
  const code = (e as { code?: string }).code
  if (code === 'EADDRINUSE') return `Le port ${port} est déjà utilisé sur cet ordinateur (par un autre programme ou par le portail famille) : choisissez-en un autre.`
  if (code === 'EACCES') return `Ribambelle n’a pas le droit d’ouvrir le port ${port} sur cet ordinateur : choisissez un port plus élevé (par exemple 5181).`
  return `Le back-office n’a pas pu être ouvert sur le réseau (${(e as Error)?.message ?? e}).`
}

/**
 * The back-office on the LAN, opened, moved and closed while the app runs,
 * to match Paramètres › Postes et tablettes (no restart). The allowed ranges
 * are read by the running listener on each connection and each request, so
 * changing them needs no restart of the listener either; a new port or
 * certificate opens a new listener in place of the old one.
 */
export class StaffLanListener implements StaffLanControl {
  private running: Running | null = null
  private ranges: AddressRange[] = []
  private error: string | null = null
  private refused: LanStatusDto['refused'] = null
  /** One change at a time. */
  private queue: Promise<void> = Promise.resolve()

  constructor(
    private readonly core: Core,
    private readonly opts: LanListenerOptions
  ) {}

  apply(): Promise<void> {
    const next = this.queue.then(() => this.applyNow())
    this.queue = next.catch(() => undefined)
    return next
  }

  private async applyNow(): Promise<void> {
    const s = await this.core.tx.read((m) => getStaffNetworkSettings(m))
    this.ranges = parseRanges(s.allowedRanges)
    if (!s.enabled || this.ranges.length === 0) {
      this.stop()
      this.error = null
      return
    }
    let tls: TlsMaterial
    try {
      tls = lanTlsMaterial(this.core.paths.tlsDir, s.tlsMode)
    } catch (e) {
      this.stop()
      this.error = e instanceof DomainError ? e.message : String(e)
      return
    }
    // Only the ranges changed: the running listener already reads the new ones.
    if (this.running && this.running.port === s.port && this.running.tls.fingerprint === tls.fingerprint) {
      this.error = null
      return
    }
    this.stop()
    const app = await buildStaffApp(this.core, {
      staticDir: this.opts.staticDir,
      lan: {
        https: { key: tls.key, cert: tls.cert },
        allowed: (address) => addressInRanges(address, this.ranges),
        refused: (address) => {
          this.refused = { count: (this.refused?.count ?? 0) + 1, lastAddress: address, lastAt: this.core.clock.now().toISOString() }
        }
      }
    })
    try {
      await app.listen({ host: this.opts.host, port: s.port })
    } catch (e) {
      await app.close()
      this.error = listenError(e, s.port)
      this.core.options.log(`Back-office sur le réseau : ${this.error}`)
      return
    }
    this.running = { app, port: (app.server.address() as AddressInfo).port, tls }
    this.error = null
  }

  /**
   * Stops listening at once (the port is free for the next listener) and lets requests in flight finish in the
   * background: one of them may be the very request that asked for this change, so it is not waited for here.
   */
  private stop(): Promise<void> {
    const r = this.running
    this.running = null
    if (!r) return Promise.resolve()
    return r.app.close().catch((e: unknown) => this.core.options.log(`Back-office sur le réseau, fermeture : ${String(e)}`))
  }

  status(): LanStatusDto {
    const r = this.running
    const hosts = this.opts.host === '0.0.0.0' || this.opts.host === '::' ? [hostname(), ...lanAddresses()] : [this.opts.host]
    return {
      running: !!r,
      urls: r ? hosts.map((h) => `https://${h}:${r.port}`) : [],
      fingerprint: r?.tls.fingerprint ?? null,
      certificateExpiresAt: r?.tls.expiresAt ?? null,
      error: this.error,
      live: true,
      refused: this.refused
    }
  }

  /** At shutdown: waits for the requests in flight. */
  async close(): Promise<void> {
    await this.queue
    await this.stop()
  }
}
