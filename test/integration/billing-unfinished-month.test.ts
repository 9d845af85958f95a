/**
 * Invoicing a month that is not over needs an explicit confirmation: the
 * preview says so, the server refuses the run without the flag (409, in
 * French, explaining the risk) and issues it with the flag.
 */
import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { Invoice } from '../../src-main/billing/entities'
import { buildStaffApp } from '../../src-main/server/staff-app'
import { Child } from '../../src-main/families/entities'
import { openTestCore, seedFamily, type TestCore } from '../helpers/core'
import { book, seedMiniRegie, type MiniRegie } from '../helpers/billing'
import { client, type TestClient } from '../helpers/http'

let core: TestCore
let app: FastifyInstance
let staff: TestClient
let mini: MiniRegie
beforeAll(async () => {
  // Wednesday 30 September 2026: the last day of September, not over yet.
  core = await openTestCore({ now: new Date('2026-09-30T08:00:00Z') })
  mini = await seedMiniRegie(core)
  const unit = await mini.unitWithTariff('Matin', '07:30', '08:20', { priceCents: 120 })
  const fam = await seedFamily(core, { account: false })
  const child = await core.tx.read(async (m) => (await m.findOneByOrFail(Child, { familyId: fam.familyId })).id)
  for (const d of ['2026-08-31', '2026-09-28', '2026-09-30']) book(core, child, unit, d, 'R')
  app = await buildStaffApp(core)
  staff = await client(app, 'staff')
  await staff.loginStaff(mini.comptable.login, mini.comptable.password)
})
afterAll(async () => {
  await app.close()
  await core.cleanup()
})

describe('a run for a month not yet over', () => {
  test('the preview says the month is not over; a finished month is not flagged', async () => {
    expect((await staff.call('billing-run-preview', { regieId: mini.regieId, month: '2026-09' })).body).toMatchObject({ monthNotOver: true, periodEnd: '2026-09-30' })
    expect((await staff.call('billing-run-preview', { regieId: mini.regieId, month: '2026-08' })).body).toMatchObject({ monthNotOver: false })
  })

  test('is refused without the confirmation, with the risk explained in French, and nothing is written', async () => {
    const r = await staff.call('billing-run-issue', { regieId: mini.regieId, month: '2026-09' })
    expect(r.status).toBe(409)
    expect(r.body.error.message).toMatch(/^Le mois de septembre 2026 n’est pas terminé : il court jusqu’au 30\/09\/2026\./)
    expect(r.body.error.message).toMatch(/demandera un avoir/)
    expect(r.body.error.message).toMatch(/Confirmez pour émettre quand même\.$/)
    expect(await core.tx.read((m) => m.count(Invoice))).toBe(0)
  })

  test('is issued with the confirmation; a finished month needs none', async () => {
    expect((await staff.call('billing-run-issue', { regieId: mini.regieId, month: '2026-08' })).body).toMatchObject({ invoiceCount: 1, totalCents: 120 })
    const r = await staff.call('billing-run-issue', { regieId: mini.regieId, month: '2026-09', confirmUnfinishedMonth: true })
    expect(r.status).toBe(200)
    expect(r.body).toMatchObject({ invoiceCount: 1, totalCents: 240 })
  })
})
