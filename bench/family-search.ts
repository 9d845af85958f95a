/**
 * Times searchFamilies (the back-office family search) on the 20,000-family
 * database for typical desk queries. Seeds the database first if needed.
 *
 *   npx tsx --tsconfig tsconfig.node.json bench/family-search.ts [iterations]
 */
import { searchFamilies } from '../src-main/families/families'
import { openBenchCore, printRow, time } from './lib'

async function main() {
  const iterations = Number(process.argv[2] ?? 200)
  const core = await openBenchCore()
  // Real values from the generated data, so the queries hit.
  const [sample] = await core.ds.query(
    `SELECT f.number, p.email, p.phone_mobile FROM family f JOIN person p ON p.family_id = f.id AND p.role = 'responsable' WHERE p.email <> '' ORDER BY f.id LIMIT 1 OFFSET 12345`
  )
  const phone = String(sample.phone_mobile)
  const queries: [string, string][] = [
    ['list, no query (page 1)', ''],
    ['name prefix "dup"', 'dup'],
    ['common name "martin"', 'martin'],
    ['name + first name "martin emma"', 'martin emma'],
    ['accented "lefevre"', 'lefevre'],
    [`N° famille "${sample.number}"`, String(sample.number)],
    [`email fragment "${String(sample.email).slice(0, 14)}"`, String(sample.email).slice(0, 14)],
    [`phone digits "${phone.slice(0, 8)}"`, phone.slice(0, 8)],
    [`full phone "${phone}"`, phone],
    ['no match "zzzz"', 'zzzz']
  ]
  const [{ n }] = await core.ds.query('SELECT COUNT(*) AS n FROM family')
  console.log(`searchFamilies on ${n} families, ${iterations} iterations each (limit 50), after 5 warm-up calls`)
  for (const [label, query] of queries) {
    for (let i = 0; i < 5; i++) await searchFamilies(core, { query, limit: 50, offset: 0 })
    const samples: number[] = []
    let total = 0
    for (let i = 0; i < iterations; i++) {
      const [ms, r] = await time(() => searchFamilies(core, { query, limit: 50, offset: 0 }))
      samples.push(ms)
      total = r.total
    }
    printRow(label, samples, `(${total} matches)`)
  }
  await core.close()
}

main().catch((e) => {
  console.error(e)
  process.exit(1)
})
