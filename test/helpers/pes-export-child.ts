/**
 * Child process for the PES V2 kill test: opens the database in argv[2] on the day argv[3] and makes the ORMC
 * bordereau of run argv[4] as staff user argv[5], one titre staged per transaction, printing its progress. At the
 * first progress line reaching PAUSE_AT it holds still, so the parent's SIGKILL lands there every time.
 *
 *   TSX_TSCONFIG_PATH=tsconfig.node.json node --import tsx test/helpers/pes-export-child.ts DIR DAY RUN STAFF
 */
import { openCore } from '../../src-main/core/app-core'
import { FixedClock } from '../../src-main/core/clock'
import { exportRunToPes } from '../../src-main/billing/pes/export'

async function main() {
  const [dataDir, day, runId, staffId] = process.argv.slice(2)
  const core = await openCore({ dataDir, clock: new FixedClock(new Date(`${day}T08:00:00Z`)), log: () => {} })
  let paused = false
  const r = await exportRunToPes(core, { kind: 'staff', id: Number(staffId), label: 'Comptable', role: 'comptable' }, Number(runId), {
    chunk: 1,
    onProgress(done, total) {
      process.stdout.write(`PROGRESS ${done} ${total}\n`)
      if (!paused && done >= Number(process.env.PAUSE_AT ?? 0)) {
        paused = true
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20_000)
      }
    }
  })
  process.stdout.write(`DONE ${r.pieceCount}\n`)
  await core.close()
}

main().catch((e) => {
  process.stderr.write(String(e?.stack ?? e))
  process.exit(1)
})
