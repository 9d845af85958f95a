/**
 * One process at a time on a data directory: a second app start and a
 * restore are refused while the app runs, naming it (pid, computer, start
 * time); a lock left by a process killed with kill -9 blocks nothing.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { hostname, tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, test } from 'vitest'
import { HOLDER_FILE, lockDataDir, readHolder } from '../../src-main/db/data-lock'
import { listBackups } from '../../src-main/db/backup'
import { ROOT, runTs } from '../helpers/backups'

const dirs: string[] = []
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'ribambelle-lock-'))
  dirs.push(d)
  return d
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})

const HEADLESS_ENV = { RIBAMBELLE_STAFF_PORT: '0', RIBAMBELLE_PORTAL_PORT: '0', RIBAMBELLE_PORTAL_HOST: '127.0.0.1' }

/** Starts the headless app from source and waits for READY. */
function startApp(dataDir: string): Promise<{ child: ChildProcess; out: () => string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src-main/headless.ts', '--data-dir', dataDir], {
    cwd: ROOT,
    env: { ...process.env, TSX_TSCONFIG_PATH: 'tsconfig.node.json', ...HEADLESS_ENV },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let out = ''
  child.stdout!.on('data', (d) => (out += d))
  child.stderr!.on('data', (d) => (out += d))
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`app did not start:\n${out}`)), 60_000)
    child.stdout!.on('data', () => {
      if (out.includes('READY')) {
        clearTimeout(t)
        resolve({ child, out: () => out })
      }
    })
    child.on('exit', (code) => {
      clearTimeout(t)
      reject(new Error(`app exited (${code}):\n${out}`))
    })
  })
}

/** How the child ended: its exit code, or the signal that ended it. */
const exited = (child: ChildProcess) => new Promise<string>((r) => child.once('exit', (code, signal) => r(`code ${code}, signal ${signal}`)))

describe('the data directory lock', () => {
  test('in one process: a second holder is refused, release lets the next one in, and release is idempotent', () => {
    const dir = tempDir()
    const first = lockDataDir(dir, 'Ribambelle', 'start')
    expect(readHolder(dir)).toEqual(first.holder)
    expect(() => lockDataDir(dir, 'Ribambelle', 'start')).toThrow(
      new RegExp(`^Ribambelle ne peut pas démarrer : ses données \\(.*\\) sont déjà utilisées par Ribambelle : processus ${process.pid} sur l’ordinateur « ${hostname()} »`)
    )
    first.release()
    first.release()
    expect(readHolder(dir)).toBeNull()
    lockDataDir(dir, 'Ribambelle', 'start').release()
  })

  test('the holder file never names a process that is gone', () => {
    const dir = tempDir()
    const lock = lockDataDir(dir, 'Ribambelle', 'start')
    try {
      // As if the holder file were a dead process's, not yet replaced by the live holder's.
      writeFileSync(join(dir, HOLDER_FILE), JSON.stringify({ pid: 2 ** 22 + 17, host: hostname(), startedAt: new Date().toISOString(), app: 'Ribambelle' }))
      expect(() => lockDataDir(dir, 'Ribambelle', 'start')).toThrow(/sont déjà utilisées par un autre programme \(impossible de savoir lequel\)/)
    } finally {
      lock.release()
    }
  })

  test('across processes: a second start and a restore are refused naming the running app; after its kill -9 the lock is gone', async () => {
    const dir = tempDir()
    const app = await startApp(dir)
    const pid = app.child.pid!
    try {
      const holder = readHolder(dir)
      expect(holder).toMatchObject({ pid, host: hostname(), app: 'Ribambelle (sans fenêtre)' })
      const named = `Ribambelle \\(sans fenêtre\\) : processus ${pid} sur l’ordinateur « ${hostname()} », démarré le \\d\\d/\\d\\d/\\d{4} à \\d\\dh\\d\\d`

      const second = await runTs('src-main/headless.ts', ['--data-dir', dir], { env: HEADLESS_ENV })
      expect(second.code).toBe(1)
      expect(second.err.trim()).toMatch(new RegExp(`^Erreur : Ribambelle ne peut pas démarrer : ses données \\(${dir}\\) sont déjà utilisées par ${named}\\.`))

      // The daily backup made at start (in the background: READY does not wait for it).
      let backup = listBackups(join(dir, 'backups'))[0]
      for (let i = 0; i < 100 && !backup; i++) {
        await new Promise((r) => setTimeout(r, 200))
        backup = listBackups(join(dir, 'backups'))[0]
      }
      expect(backup?.reason).toBe('quotidienne')
      const restore = await runTs('src-main/cli.ts', ['restore', backup.name, '--data-dir', dir])
      expect(restore.code).toBe(1)
      expect(restore.err.trim()).toMatch(new RegExp(`^Erreur : Restauration refusée : les données de Ribambelle \\(${dir}\\) sont utilisées par ${named}\\.`))
    } finally {
      app.child.kill('SIGKILL')
      await exited(app.child)
    }
    // The dead process's holder file is still there; its lock is not.
    expect(readHolder(dir)?.pid).toBe(pid)
    const again = await startApp(dir)
    expect(readHolder(dir)?.pid).toBe(again.child.pid)
    again.child.kill('SIGTERM')
    const end = await exited(again.child)
    expect(readHolder(dir), `${end}\n${again.out()}`).toBeNull()
    // A normal stop makes the closing backup.
    expect(listBackups(join(dir, 'backups')).map((b) => b.reason)).toContain('fermeture')
  }, 180_000)
})
