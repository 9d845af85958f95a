/**
 * Helpers for the backup and restore tests: child processes that can be
 * killed at a chosen moment, and ways to damage a file as a failing disk or
 * a crash would.
 */
import { spawn } from 'node:child_process'
import { closeSync, copyFileSync, mkdtempSync, openSync, readdirSync, readSync, statSync, writeSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'

export const ROOT = join(__dirname, '..', '..')

/** One number out of a SQLite file, read on a connection of its own. */
export function count(file: string, sql: string): number {
  const db = new Database(file, { readonly: true })
  try {
    return Number(Object.values(db.prepare(sql).get() as object)[0])
  } finally {
    db.close()
  }
}

/** Overwrites one whole page in the middle of the file with garbage, the way a failing disk would. */
export function corruptMiddlePage(file: string): void {
  const size = statSync(file).size
  const pageSize = 4096
  const fd = openSync(file, 'r+')
  try {
    writeSync(fd, Buffer.alloc(pageSize, 0xa5), 0, pageSize, Math.floor(size / pageSize / 2) * pageSize)
  } finally {
    closeSync(fd)
  }
}

/** Flips one byte at `offset` (negative: from the end). */
export function flipByte(file: string, offset: number): void {
  const pos = offset < 0 ? statSync(file).size + offset : offset
  const fd = openSync(file, 'r+')
  try {
    const b = Buffer.alloc(1)
    readSync(fd, b, 0, 1, pos)
    b[0] ^= 0x01
    writeSync(fd, b, 0, 1, pos)
  } finally {
    closeSync(fd)
  }
}

/** Every file in `dir` under a backup's name, valid or not (what a user browsing the folder would take for a backup). */
export function filesUnderBackupNames(dir: string): string[] {
  return readdirSync(dir)
    .filter((n) => /^ribambelle-\d{8}-\d{6}-\d{3}-[a-z-]+\.sqlite(\.enc)?$/.test(n))
    .sort()
}

export interface ChildRun {
  code: number | null
  signal: NodeJS.Signals | null
  out: string
  err: string
  pid: number
}

/**
 * Runs a TypeScript entry point in a child Node (`node --import tsx`: the
 * tsx CLI would run it in a grandchild that a SIGKILL would not reach).
 * With `killWhen` (a text, or a test of all it printed so far), the child gets SIGKILL as soon as its stdout
 * contains it or passes the test.
 * With `stdin`, that text is written to its stdin.
 */
export function runTs(
  script: string,
  args: string[],
  opts: { killWhen?: string | ((out: string) => boolean); env?: Record<string, string>; stdin?: string; timeoutMs?: number } = {}
): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
      cwd: ROOT,
      env: { ...process.env, TSX_TSCONFIG_PATH: 'tsconfig.node.json', ...opts.env },
      stdio: ['pipe', 'pipe', 'pipe']
    })
    if (opts.stdin !== undefined) child.stdin.end(opts.stdin)
    else child.stdin.end()
    let out = ''
    let err = ''
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000)
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString()
      const kill = opts.killWhen
      if (kill && (typeof kill === 'string' ? out.includes(kill) : kill(out))) child.kill('SIGKILL')
    })
    child.stderr.on('data', (b: Buffer) => (err += b.toString()))
    child.on('error', reject)
    child.on('exit', (code, signal) => {
      clearTimeout(timer)
      resolve({ code, signal, out, err, pid: child.pid! })
    })
  })
}

/**
 * A data directory holding a copy of `template` (a closed database file):
 * seeding 150 families once and copying the file is ten times faster than
 * seeding each test's database.
 */
export function dataDirFrom(template: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'ribambelle-test-'))
  copyFileSync(template, join(dir, 'ribambelle.sqlite'))
  return dir
}
