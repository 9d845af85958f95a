/**
 * Generates 20,000 families (about 35,000 children) into a fresh data
 * directory, in one transaction, through the same createFamily the app uses.
 *
 *   npx tsx --tsconfig tsconfig.node.json bench/seed-families.ts
 */
import { statSync } from 'node:fs'
import { BENCH_DIR, FAMILY_COUNT, seedFamilies } from './lib'

async function main() {
  const { core, seconds, generateSeconds } = await seedFamilies(BENCH_DIR, FAMILY_COUNT)
  const [{ families }] = await core.ds.query('SELECT COUNT(*) AS families FROM family')
  const [{ children }] = await core.ds.query('SELECT COUNT(*) AS children FROM child')
  const [{ persons }] = await core.ds.query('SELECT COUNT(*) AS persons FROM person')
  await core.close()
  const mb = statSync(`${BENCH_DIR}/ribambelle.sqlite`).size / 1e6
  console.log(`Data directory : ${BENCH_DIR}`)
  console.log(`Generated      : ${FAMILY_COUNT} families in ${generateSeconds.toFixed(2)} s (in memory)`)
  console.log(`Inserted       : ${families} families, ${persons} persons, ${children} children in ${seconds.toFixed(1)} s (one transaction, ${((families / seconds) | 0)} families/s)`)
  console.log(`Database file  : ${mb.toFixed(1)} MB`)
}

main().catch((e) => {
  console.error(e)
  process.exit(1)
})
