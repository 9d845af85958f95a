#!/usr/bin/env node
// `npm test` after the preflight: the whole suite in two phases, each running two jobs side by side.
//   1. typecheck ∥ build (the browser tests need the build);
//   2. vitest on one worker ∥ Playwright on its one worker.
// Why side by side: on the 2-core CI machine, Playwright spends most of its time waiting on a browser and a server,
// one core's worth at most, so running it after vitest left a core idle for 12 minutes. Side by side, the suite
// takes about as long as Playwright alone. Each line is prefixed with its job; the exit code is non-zero if any job
// failed, and phase 2 does not start after a failure in phase 1.
import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'

const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx'
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'

/**
 * Runs one job, prefixing its output lines, and resolves to its exit code (with its duration printed).
 * @param {string} name @param {string} command @param {string[]} args @returns {Promise<number>}
 */
function job(name, command, args) {
  const started = Date.now()
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' } })
    for (const stream of [child.stdout, child.stderr]) {
      createInterface({ input: stream }).on('line', (line) => process.stdout.write(`[${name}] ${line}\n`))
    }
    child.on('close', (code, signal) => {
      const seconds = Math.round((Date.now() - started) / 1000)
      const outcome = code === 0 ? 'réussi' : `échec (${signal ?? `code ${code}`})`
      process.stdout.write(`[${name}] ${outcome} en ${seconds} s\n`)
      resolve(code ?? 1)
    })
  })
}

/** @param {Array<[string, string, string[]]>} jobs @returns {Promise<boolean>} true when every job passed */
async function phase(jobs) {
  const codes = await Promise.all(jobs.map(([name, command, args]) => job(name, command, args)))
  return codes.every((c) => c === 0)
}

const ok1 = await phase([
  ['typecheck', npm, ['run', '--silent', 'typecheck']],
  ['build', npm, ['run', '--silent', 'build']]
])
if (!ok1) process.exit(1)
const ok2 = await phase([
  ['vitest', npx, ['vitest', 'run', '--maxWorkers=1']],
  ['e2e', npx, ['playwright', 'test']]
])
process.exit(ok2 ? 0 : 1)
