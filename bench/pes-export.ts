/**
 * Benchmark of the PES V2 export (#13): 3,000 families and their month
 * (bench/billing-load.ts, one family in seven on direct debit), issued as one
 * run, then exported as one ORMC bordereau (one titre per invoice): the
 * export transaction (reads, grouping, numbering, XML building, the rules
 * check, the rows), then xmllint against the 4.71 recette schemas. Target:
 * under 5 s for both together.
 *
 *   TSX_TSCONFIG_PATH=tsconfig.node.json node --import tsx bench/pes-export.ts [families=3000]
 */
import { spawnSync } from 'node:child_process'
import { existsSync, writeFileSync } from 'node:fs'
import { loadavg } from 'node:os'
import { join, resolve } from 'node:path'
import { frenchIban } from '@shared/check-digits'
import { issueRun } from '../src-main/billing/invoicing/issue'
import { exportRunToPes } from '../src-main/billing/pes/export'
import { savePesSettings } from '../src-main/billing/pes/settings'
import { PesBordereau } from '../src-main/billing/pes/entities'
import { BENCH_COMPTABLE, openBillingBench, seedInvoicingLoad } from './billing-load'

const XSD = resolve(__dirname, '../test/fixtures/pes-v2/Schemas_PES_v471_072015/PES_V2/Rev0/PES_Aller_recette.xsd')

async function main() {
  const families = Number(process.argv[2] ?? 3000)
  const bench = await openBillingBench('pes')
  const { core, dir } = bench
  try {
    const load = await seedInvoicingLoad(core, { families })
    // One family in seven on direct debit (a valid French IBAN, RIB key included), so titres carry InfoPrelevementSEPA.
    const ids = (core.db.prepare('SELECT id, number FROM family ORDER BY id').all() as { id: number; number: number }[]).filter((f) => f.id % 7 === 0)
    const ins = core.db.prepare(`INSERT INTO sepa_mandate (family_id, rum, holder, iban, bic, signed_on, sequence_type, status, created_at, updated_at) VALUES (?, ?, ?, ?, '', '2025-08-28', 'FRST', 'active', ?, ?)`)
    core.db.transaction(() => {
      for (const f of ids) ins.run(f.id, `RUM-BENCH-${f.number}`, `Famille ${f.number}`, frenchIban('30006', '00001', String(f.number)), '2026-03-01', '2026-03-01')
    })()
    const run = await issueRun(core, BENCH_COMPTABLE, { regieId: load.regieId, month: load.month })
    await savePesSettings(core, BENCH_COMPTABLE, {
      regieId: load.regieId,
      enabled: true,
      collectivite: 'Commune de Benchville',
      siret: '21319999000002',
      poste: '031000',
      codCol: '123',
      codBud: '01',
      defaultProduct: 'ENF',
      defaultNature: '7066',
      // Meals and Wednesdays under their own product codes: two or three sous-articles per titre.
      products: (core.db.prepare('SELECT id, name FROM activity').all() as { id: number; name: string }[]).flatMap((a) =>
        /Restauration/.test(a.name) ? [{ kind: 'activity' as const, refId: a.id, code: 'REST', nature: '7067' }] : /Mercredis/.test(a.name) ? [{ kind: 'activity' as const, refId: a.id, code: 'ALSH', nature: '7066' }] : []
      )
    })
    console.log(`Données : ${load.families} familles, ${run.invoiceCount} factures, ${run.lineCount} lignes de facture, ${ids.length} mandats SEPA (${load.month})`)

    // Wall time, and the CPU time of this process: the development VM is shared, so the second is the steadier figure.
    const cpu = () => {
      const u = process.cpuUsage()
      return (u.user + u.system) / 1000
    }
    const t0 = performance.now()
    const c0 = cpu()
    const r = await exportRunToPes(core, BENCH_COMPTABLE, run.runId)
    const exportMs = performance.now() - t0
    const exportCpu = cpu() - c0
    const xml = await core.tx.read(async (m) => (await m.findOneByOrFail(PesBordereau, { id: r.bordereauId })).xml)
    const file = join(dir, r.fileName)
    writeFileSync(file, xml)
    const t1 = performance.now()
    // GNU time reports xmllint's own CPU time when it is installed.
    const timed = existsSync('/usr/bin/time')
    const lint = timed
      ? spawnSync('/usr/bin/time', ['-f', '%U %S', 'xmllint', '--noout', '--schema', XSD, file], { encoding: 'utf8' })
      : spawnSync('xmllint', ['--noout', '--schema', XSD, file], { encoding: 'utf8' })
    const lintMs = performance.now() - t1
    if (lint.status !== 0) throw new Error(`xmllint refuse le fichier : ${lint.stderr}`)
    const [u, sy] = timed ? lint.stderr.trim().split('\n').at(-1)!.split(' ').map(Number) : [NaN, NaN]
    const lintCpu = (u + sy) * 1000
    const titreLines = (core.db.prepare('SELECT SUM(json_array_length(lines)) AS n FROM pes_titre').get() as { n: number }).n
    console.log(`Bordereau ORMC n° ${r.idBord}/${r.exer} : ${r.pieceCount} titres, ${titreLines} sous-articles, ${(r.totalCents / 100).toFixed(2)} €, ${(Buffer.byteLength(xml) / 1048576).toFixed(1)} Mo`)
    console.log(`Export (lecture, regroupement, numérotation, XML, contrôle des règles, écriture) : ${exportMs.toFixed(0)} ms (CPU ${exportCpu.toFixed(0)} ms)`)
    console.log(`xmllint (schémas PES V2 4.71 recette) : ${lintMs.toFixed(0)} ms (CPU ${lintCpu.toFixed(0)} ms) — valide`)
    console.log(`Total : ${(exportMs + lintMs).toFixed(0)} ms, CPU ${(exportCpu + lintCpu).toFixed(0)} ms (objectif < 5 000 ms) — charge de la machine : ${loadavg()[0].toFixed(1)}`)
  } finally {
    await bench.close()
  }
}

main().catch((e) => {
  console.error(e)
  process.exit(1)
})
