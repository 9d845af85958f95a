/**
 * Child process for the outbox kill test: opens the database in argv[2] and
 * runs one round of the outbox sender, so the parent can SIGKILL it while
 * the loopback SMTP server withholds an answer.
 *
 *   TSX_TSCONFIG_PATH=tsconfig.node.json node --import tsx test/helpers/outbox-child.ts DIR
 */
import { openCore } from '../../src-main/core/app-core'
import { deliverDueMail } from '../../src-main/mail/outbox'

async function main() {
  const core = await openCore({ dataDir: process.argv[2], log: () => {} })
  const r = await deliverDueMail(core)
  process.stdout.write(`DONE ${JSON.stringify(r)}\n`)
  await core.close()
}

main().catch((e) => {
  process.stderr.write(String(e?.stack ?? e))
  process.exit(1)
})
