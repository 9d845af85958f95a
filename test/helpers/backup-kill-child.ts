/**
 * Child process for the kill -9 tests: makes a backup (or a restore) of the
 * data directory in argv[3] and, when it reaches the moment named in
 * argv[4], prints "STAGE <name>" and blocks for good, so the parent's
 * SIGKILL lands exactly there, every time.
 *
 *   TSX_TSCONFIG_PATH=tsconfig.node.json node --import tsx test/helpers/backup-kill-child.ts backup DIR copying
 *   TSX_TSCONFIG_PATH=tsconfig.node.json node --import tsx test/helpers/backup-kill-child.ts restore DIR before-swap FILE
 */
import { writeSync } from 'node:fs'
import { corePaths, openCore } from '../../src-main/core/app-core'
import { backupDatabase } from '../../src-main/db/backup'
import { restoreDatabase } from '../../src-main/db/restore'

function holdAt(wanted: string) {
  return (stage: string) => {
    if (stage !== wanted) return
    writeSync(1, `STAGE ${stage}\n`)
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0)
  }
}

async function main() {
  const [mode, dataDir, stage, file] = process.argv.slice(2)
  if (mode === 'backup') {
    const core = await openCore({ dataDir, log: () => {} })
    // Two pages per step, so that "copying" is a moment with part of the pages copied.
    await backupDatabase(core.db, core.paths.backupDir, 'manuelle', 30, new Date(), {
      exclusive: (w) => core.tx.exclusive(w),
      stepPages: 2,
      onStage: holdAt(stage)
    })
    await core.close()
  } else {
    await restoreDatabase(corePaths(dataDir), file, { onStage: holdAt(stage) })
  }
  writeSync(1, 'DONE\n')
}

main().catch((e) => {
  process.stderr.write(String(e?.stack ?? e))
  process.exit(1)
})
