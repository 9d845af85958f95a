/**
 * Child process for the kill-midway import test: opens the data directory
 * argv[2] and commits upload argv[3] as staff user argv[4], printing each
 * table written from inside the transaction. With PAUSE_MS set it holds
 * still after the children rows, so the parent's SIGKILL lands
 * mid-transaction every time.
 *
 *   TSX_TSCONFIG_PATH=tsconfig.node.json node --import tsx test/helpers/import-commit-child.ts DIR UPLOAD STAFF
 */
import { importRequest } from '@shared/contract/imports-shapes'
import { openCore } from '../../src-main/core/app-core'
import { commitImport } from '../../src-main/imports/commit'

async function main() {
  const [dataDir, uploadId, staffId] = process.argv.slice(2)
  const pause = Number(process.env.PAUSE_MS ?? 0)
  const core = await openCore({ dataDir, log: () => {} })
  const r = await commitImport(core, { kind: 'staff', id: Number(staffId), label: 'Direction', role: 'direction' }, importRequest.parse({ uploadId: Number(uploadId) }), {
    onProgress(step) {
      process.stdout.write(`PROGRESS ${step}\n`)
      if (pause && step === 'child') Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, pause)
    }
  })
  process.stdout.write(`DONE ${r.batchId} ${r.counts.families}\n`)
  await core.close()
}

main().catch((e) => {
  process.stderr.write(String(e?.stack ?? e))
  process.exit(1)
})
