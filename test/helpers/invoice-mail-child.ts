/**
 * Child process for the mass e-mail kill test: opens the database in argv[2]
 * on the day argv[3] and runs the batch of run argv[4] (e-mails on) as staff
 * user argv[5], three e-mails per transaction, printing its progress. With
 * PAUSE_AT set, it holds still at the first progress reaching it (after a
 * commit), so the parent's SIGKILL lands there every time.
 *
 *   TSX_TSCONFIG_PATH=tsconfig.node.json node --import tsx test/helpers/invoice-mail-child.ts DIR DAY RUN STAFF
 */
import { openCore } from '../../src-main/core/app-core'
import { FixedClock } from '../../src-main/core/clock'
import { runInvoiceBatch } from '../../src-main/billing/invoicing/batch'

async function main() {
  const [dataDir, day, runId, staffId] = process.argv.slice(2)
  const core = await openCore({ dataDir, clock: new FixedClock(new Date(`${day}T08:00:00Z`)), log: () => {} })
  let paused = false
  // The batch writes its progress on the job the screen polls: this one prints it.
  const job = {
    set done(n: number) {
      process.stdout.write(`PROGRESS ${n}\n`)
      if (!paused && process.env.PAUSE_AT && n >= Number(process.env.PAUSE_AT)) {
        paused = true
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20_000)
      }
    }
  }
  const r = await runInvoiceBatch(core, { kind: 'staff', id: Number(staffId), label: 'Comptable', role: 'comptable' }, { runId: Number(runId), email: true, printAll: false, mailsPerTx: 3 }, job as never)
  process.stdout.write(`DONE ${r.emailed}\n`)
  await core.close()
}

main().catch((e) => {
  process.stderr.write(String(e?.stack ?? e))
  process.exit(1)
})
