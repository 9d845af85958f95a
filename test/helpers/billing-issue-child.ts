/**
 * Child process for the kill-midway test: opens the database in argv[2] and
 * issues the run of régie argv[3] for month argv[4], printing progress from
 * inside each staging transaction. With PAUSE_MS set, it holds still after the
 * first progress line that reaches PAUSE_AT families (default: the first) so
 * the parent's SIGKILL lands mid-transaction, every time. With PAUSE_NUMBERED
 * set, it holds still after the first numbering transaction instead.
 *
 *   TSX_TSCONFIG_PATH=tsconfig.node.json node --import tsx test/helpers/billing-issue-child.ts DIR REGIE MONTH
 */
import { openCore } from '../../src-main/core/app-core'
import { SYSTEM } from '../../src-main/core/actor'
import { issueRun } from '../../src-main/billing/invoicing/issue'

async function main() {
  const [dataDir, regieId, month] = process.argv.slice(2)
  const pause = Number(process.env.PAUSE_MS ?? 0)
  const pauseAt = Number(process.env.PAUSE_AT ?? 0)
  const core = await openCore({ dataDir, log: () => {} })
  let paused = false
  const r = await issueRun(core, SYSTEM, { regieId: Number(regieId), month }, {
    onProgress(done, total) {
      process.stdout.write(`PROGRESS ${done} ${total}\n`)
      if (pause && !paused && done >= pauseAt) {
        paused = true
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, pause)
      }
    },
    onNumbered(count) {
      process.stdout.write(`NUMBERED ${count}\n`)
      if (process.env.PAUSE_NUMBERED) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, pause)
    }
  })
  process.stdout.write(`DONE ${r.invoiceCount}\n`)
  await core.close()
}

main().catch((e) => {
  process.stderr.write(String(e?.stack ?? e))
  process.exit(1)
})
