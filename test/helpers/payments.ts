/**
 * A family with two invoices to pay online, on a portal that really listens
 * on loopback (the simulators notify it over HTTP like a provider would),
 * and the browser steps of the payment simulators.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { RunMode } from '../../src-main/core/app-core'
import type { FastifyInstance } from 'fastify'
import { expect } from 'vitest'
import { SYSTEM } from '../../src-main/core/actor'
import { saveRegie } from '../../src-main/billing/regies'
import { DEFAULT_BILLING_SETTINGS, saveBillingSettings, type BillingSettings } from '../../src-main/billing/settings'
import { createAdjustment } from '../../src-main/billing/invoicing/adjustments'
import { issueRun } from '../../src-main/billing/invoicing/issue'
import { Invoice } from '../../src-main/billing/entities'
import { invoiceRow } from '../../src-main/billing/invoices'
import { buildPortalApp } from '../../src-main/server/portal-app'
import { buildStaffApp } from '../../src-main/server/staff-app'
import { setStructure } from './activities'
import { testRegie } from './billing'
import { openTestCore, seedFamily, seedStaff, type SeededFamily, type SeededStaff, type TestCore } from './core'
import { client, type TestClient } from './http'

export interface PayWorld {
  regieId: number
  comptable: SeededStaff
  fam: SeededFamily
  /** Two invoices of the family: 23,40 € (January) and 18,60 € (February). */
  invoices: Invoice[]
  portal: FastifyInstance
  staff: FastifyInstance
  family: TestClient
}

export const SIMULATOR_KEY = 'cle-de-test-simulateur'

export async function seedPayWorld(core: TestCore, settings: Partial<BillingSettings> = {}): Promise<PayWorld> {
  await setStructure(core)
  const comptable = await seedStaff(core, 'comptable')
  const regieId = await saveRegie(core, SYSTEM, testRegie({ name: 'Régie périscolaire', paymentMethods: 'Chèque à l’ordre du Trésor public.', creditorName: '', ics: '', creditorIban: '' }))
  await saveBillingSettings(core, SYSTEM, { ...DEFAULT_BILLING_SETTINGS, onlineEnabled: true, provider: 'systempay', simulated: true, testKey: SIMULATOR_KEY, ...settings })
  const fam = await seedFamily(core, { lastName: 'Paiement', firstName: 'Inès' })
  await createAdjustment(core, comptable.actor, { regieId, familyId: fam.familyId, childId: null, month: '2026-01', label: 'Garderie de janvier', amountCents: 2340 })
  await createAdjustment(core, comptable.actor, { regieId, familyId: fam.familyId, childId: null, month: '2026-02', label: 'Garderie de février', amountCents: 1860 })
  await issueRun(core, comptable.actor, { regieId, month: '2026-01' })
  await issueRun(core, comptable.actor, { regieId, month: '2026-02' })
  const invoices = await core.tx.read((m) => m.find(Invoice, { where: { familyId: fam.familyId }, order: { seq: 'ASC' } }))
  const portal = await buildPortalApp(core)
  await portal.listen({ host: '127.0.0.1', port: 0 })
  const url = `http://127.0.0.1:${(portal.server.address() as AddressInfo).port}`
  core.runtime.portalUrls = [url]
  core.runtime.portalUrl = url
  const staff = await buildStaffApp(core)
  const family = await client(portal, 'portal')
  expect((await family.loginPortal(fam.login, fam.password)).status).toBe(200)
  return { regieId, comptable, fam, invoices, portal, staff, family }
}

const form = (fields: Record<string, string>) => ({ headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams(fields).toString() })

/** The browser's way through the Systempay simulator: post the signed form, then « Valider le paiement ». */
export async function paySystempaySimulator(portal: FastifyInstance, start: { action: string; fields: Record<string, string> }, card = '4970 1000 0000 0003'): Promise<string> {
  const page = await portal.inject({ method: 'POST', url: start.action, ...form(start.fields) })
  expect(page.statusCode, page.body).toBe(200)
  const token = /name="token" value="([0-9a-f]+)"/.exec(page.body)![1]
  const done = await portal.inject({ method: 'POST', url: '/simulateur-paiement/vads-payment/confirm', ...form({ token, card, exp: '12/30', cvv: '123', action: 'pay' }) })
  expect(done.statusCode).toBe(200)
  return done.body
}

/** What an invoice still owes, from the database. */
export const dueOf = (core: TestCore, invoiceId: number) =>
  core.tx.read(async (m) => {
    const r = invoiceRow(m, invoiceId)
    return r.total_cents - r.paid
  })

/**
 * A copy of the test database opened as another kind of install (a normal one: 'production'), at the same
 * time; the data directory is locked by the running core, so the copy has its own. Cleanup removes it.
 */
export async function openCopyAs(core: TestCore, runMode: RunMode): Promise<TestCore> {
  const dir = mkdtempSync(join(tmpdir(), 'ribambelle-copy-'))
  await core.db.backup(join(dir, 'ribambelle.sqlite'))
  const copy = await openTestCore({ dataDir: dir, runMode, now: core.clock.now() })
  const close = copy.cleanup
  return Object.assign(copy, {
    cleanup: async () => {
      await close()
      rmSync(dir, { recursive: true, force: true })
    }
  })
}
