/**
 * Child process for the SEPA kill test: opens the database in argv[2] on the
 * day argv[3] and exports the direct debits of régie argv[4] collected on
 * argv[5] as staff user argv[6], five debits per transaction, printing its
 * progress. With PAUSE_STEP (file | marking) and PAUSE_AT set, it holds
 * still at the first progress line of that step reaching PAUSE_AT, so the
 * parent's SIGKILL lands there every time.
 *
 *   TSX_TSCONFIG_PATH=tsconfig.node.json node --import tsx test/helpers/sepa-export-child.ts DIR DAY REGIE DATE STAFF
 */
import { openCore } from '../../src-main/core/app-core'
import { FixedClock } from '../../src-main/core/clock'
import { exportDirectDebits } from '../../src-main/billing/sepa/export'

async function main() {
  const [dataDir, day, regieId, collectionDate, staffId] = process.argv.slice(2)
  const core = await openCore({ dataDir, clock: new FixedClock(new Date(`${day}T08:00:00Z`)), log: () => {} })
  let paused = false
  const r = await exportDirectDebits(core, { kind: 'staff', id: Number(staffId), label: 'Comptable', role: 'comptable' }, { regieId: Number(regieId), runId: null, collectionDate, represent: false }, {
    chunk: 5,
    onProgress(step, done, total) {
      process.stdout.write(`PROGRESS ${step} ${done} ${total}\n`)
      if (!paused && step === process.env.PAUSE_STEP && done >= Number(process.env.PAUSE_AT ?? 0)) {
        paused = true
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20_000)
      }
    }
  })
  process.stdout.write(`DONE ${r.nbTxs}\n`)
  await core.close()
}

main().catch((e) => {
  process.stderr.write(String(e?.stack ?? e))
  process.exit(1)
})
