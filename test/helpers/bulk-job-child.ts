/**
 * Child process for the kill-midway tests of the commune-wide jobs (#19):
 * opens the database in argv[2] on the clock NOW and starts argv[3]
 * ('closure': the closure in CLOSURE as ACTOR; 'autobook': the pending
 * enrolments of period PERIOD). Each chunk prints its progress from inside its
 * transaction; once it reaches PAUSE_AT items the process holds still there,
 * before COMMIT, so the parent's SIGKILL lands mid-transaction every time.
 *
 *   TSX_TSCONFIG_PATH=tsconfig.node.json node --import tsx test/helpers/bulk-job-child.ts DIR closure|autobook
 */
import { openCore } from '../../src-main/core/app-core'
import { FixedClock } from '../../src-main/core/clock'
import { saveClosure } from '../../src-main/calendar/admin'
import { startAutobookJob } from '../../src-main/activities/autobook-job'
import type { JobHooks } from '../../src-main/jobs/runner'

async function main() {
  const [dataDir, what] = process.argv.slice(2)
  const core = await openCore({ dataDir, log: () => {}, clock: new FixedClock(new Date(process.env.NOW!)) })
  const pauseAt = Number(process.env.PAUSE_AT ?? Infinity)
  const actor = JSON.parse(process.env.ACTOR!)
  const hooks: JobHooks = {
    onChunk(done, total) {
      process.stdout.write(`PROGRESS ${done} ${total}\n`)
      if (done >= pauseAt) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 30_000)
    }
  }
  if (what === 'closure') await saveClosure(core, actor, JSON.parse(process.env.CLOSURE!), hooks)
  else await startAutobookJob(core, actor, { periodId: Number(process.env.PERIOD), waitlistIfFull: false }, hooks)
  process.stdout.write('DONE\n')
  await core.close()
}

main().catch((e) => {
  process.stderr.write(String(e?.stack ?? e))
  process.exit(1)
})
