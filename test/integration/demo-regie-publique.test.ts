/**
 * The demo structure set up as a public régie (`--demo --regie-publique`):
 * every past run went to the Trésor as an ORMC bordereau that xmllint and
 * the PES rules accept, direct debits included, and the demo family pays its
 * titres with PayFiP (simulator). The association profile is the default
 * demo (demo-seed.test.ts, e2e billing.spec.ts).
 */
import { afterAll, beforeAll, expect, test } from 'vitest'
import { seedDemo, DEMO_FAMILY_PASSWORD } from '../../src-main/demo/seed'
import { generateFamilies } from '../../src-main/demo/generate'
import { PesBordereau } from '../../src-main/billing/pes/entities'
import { pesBordereauXml } from '../../src-main/billing/pes/export'
import { checkIdBordSequence, checkPesXml } from '../../src-main/billing/pes/check'
import { buildPortalApp } from '../../src-main/server/portal-app'
import { openTestCore, type TestCore } from '../helpers/core'
import { client } from '../helpers/http'
import { PES_XSD, xmllint } from '../helpers/billing-tools'

let core: TestCore
let lines: string[]
beforeAll(async () => {
  core = await openTestCore({ now: new Date('2026-12-03T09:00:00Z'), runMode: 'demo' })
  lines = await seedDemo(core, { profile: 'regie-publique' })
}, 120_000)
afterAll(() => core.cleanup())

test('every past run is an ORMC bordereau sent to the Trésor, valid for xmllint and the PES rules', async () => {
  expect(lines.join('\n')).toContain('Régie publique : lots transmis au Trésor public (PES V2 ORMC), paiement en ligne PayFiP (simulateur)')
  const files = (await core.tx.read((m) => m.find(PesBordereau, { order: { id: 'ASC' } }))).map((b) => ({ ...b, xml: pesBordereauXml(core, b) }))
  const runs = (core.db.prepare('SELECT COUNT(*) AS n FROM invoicing_run').get() as { n: number }).n
  expect(files.length).toBe(runs)
  expect(files.length).toBeGreaterThanOrEqual(3)
  for (const f of files) {
    expect(f.status).toBe('sent')
    expect(xmllint(f.xml, PES_XSD).output).toBe('')
    expect(checkPesXml(f.xml).problems).toEqual([])
  }
  expect(checkIdBordSequence(files.map((f) => ({ exer: f.exer, idBord: f.idBord })))).toEqual([])
  // The mandates of the demo are collected by the Trésor: FRST on their first titre, RCUR after.
  const seq = core.db.prepare('SELECT sequence, COUNT(*) AS n FROM pes_titre WHERE mandate_id IS NOT NULL GROUP BY sequence ORDER BY sequence').all() as { sequence: string; n: number }[]
  expect(seq.map((s) => s.sequence)).toEqual(['FRST', 'RCUR'])
  const mandates = (core.db.prepare("SELECT COUNT(DISTINCT mandate_id) AS n FROM pes_titre WHERE sequence = 'FRST'").get() as { n: number }).n
  expect(seq[0].n).toBe(mandates)
})

test('the demo family is told to pay the Trésor and may do so with PayFiP', async () => {
  const portal = await buildPortalApp(core)
  try {
    const fam = await client(portal, 'portal')
    await fam.loginPortal(generateFamilies(40, 2026)[0].login, DEMO_FAMILY_PASSWORD)
    const r = await fam.call('billing-invoices', {})
    expect(r.body).toMatchObject({ onlinePayment: true, onlineProvider: 'payfip', simulatorNotice: expect.stringMatching(/^Démonstration/) })
    expect(r.body.unpaid.length).toBeGreaterThan(0)
    for (const i of r.body.unpaid) expect(i).toMatchObject({ stateLabel: 'Titre émis', payableOnline: true, payNote: 'Titre émis : payable auprès du Trésor public ou en ligne avec PayFiP.' })
  } finally {
    await portal.close()
  }
})
