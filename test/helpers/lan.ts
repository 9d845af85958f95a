/**
 * The back-office on the LAN in tests: the same staff app in its LAN mode
 * (HTTPS certificate, allowed ranges), driven with `inject` like the others,
 * and TOTP codes computed with otplib at the test core's clock.
 *
 *   const lanApp = await buildLanApp(core)               // allows 10.0.0.0/8, the test clients' addresses
 *   const { secret } = await setUpTotp(core, loopbackApp, staff)
 *   const c = await lanLogin(core, lanApp, staff, secret) // password, then the code
 */
import type { FastifyInstance } from 'fastify'
import { generateSync } from 'otplib'
import { buildStaffApp } from '../../src-main/server/staff-app'
import { addressInRanges, parseRanges } from '../../src-main/settings/address-ranges'
import { selfSignedMaterial } from '../../src-main/settings/tls'
import type { Core } from '../../src-main/core/app-core'
import type { TestCore } from './core'
import { client, type TestClient } from './http'

export async function buildLanApp(core: Core, ranges: string[] = ['10.0.0.0/8']): Promise<FastifyInstance> {
  const tls = selfSignedMaterial(core.paths.tlsDir)
  const parsed = parseRanges(ranges)
  return buildStaffApp(core, { lan: { https: { key: tls.key, cert: tls.cert }, allowed: (a) => addressInRanges(a, parsed) } })
}

/** The TOTP code of `secret` at the core's wall clock, `steps` periods of 30 s later. */
export function totpCode(core: TestCore, secret: string, steps = 0): string {
  return generateSync({ secret, epoch: Math.floor(core.wallClock.now().getTime() / 1000) + steps * 30 })
}

/** Sets up TOTP for a user through the loopback back-office, as the user would: returns the secret and recovery codes. */
export async function setUpTotp(core: TestCore, loopbackApp: FastifyInstance, user: { login: string; password: string }) {
  const c = await client(loopbackApp, 'staff')
  await c.loginStaff(user.login, user.password)
  const start = await c.call('totp-setup-start', {})
  if (start.status !== 200) throw new Error(`totp-setup-start: ${start.status} ${JSON.stringify(start.body)}`)
  const secret = start.body.secret as string
  const done = await c.call('totp-setup-confirm', { code: totpCode(core, secret) })
  if (done.status !== 200) throw new Error(`totp-setup-confirm: ${done.status} ${JSON.stringify(done.body)}`)
  return { secret, recoveryCodes: done.body.recoveryCodes as string[], loopback: c }
}

/**
 * A whole login on the LAN app: password, then a code. The code is the next step's (accepted: one step of tolerance),
 * since the current step's may already have been used by the set-up.
 */
export async function lanLogin(core: TestCore, lanApp: FastifyInstance, user: { login: string; password: string }, secret: string, opts: { ip?: string } = {}): Promise<TestClient> {
  const c = await client(lanApp, 'staff', opts)
  const first = await c.call('auth-login', { login: user.login, password: user.password })
  if (first.status !== 200 || first.body.stage !== 'second-factor') throw new Error(`LAN login: ${first.status} ${JSON.stringify(first.body)}`)
  core.clock.advance(30_000)
  const second = await c.call('auth-second-factor', { code: totpCode(core, secret) })
  if (second.status !== 200) throw new Error(`second factor: ${second.status} ${JSON.stringify(second.body)}`)
  return c
}
