#!/usr/bin/env node
// `npm start [-- --demo [--clock 2027-01-19]] [-- --headless]`
// Opens the Electron back-office when Electron's binary is installed (and a
// display exists); otherwise runs the same core in plain Node (headless mode)
// and prints the back-office and portal URLs. Builds first when sources are
// newer than the build, and makes sure better-sqlite3 is compiled for the
// runtime that is about to load it.
import { spawnSync, spawn } from 'node:child_process'
import { appEnv } from './app-env.mjs'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { launchMode } from './launch-mode.mjs'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const require = createRequire(join(root, 'package.json'))
const args = process.argv.slice(2)
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'

/** @param {string} cmd @param {string[]} cmdArgs */
function run(cmd, cmdArgs) {
  const r = spawnSync(cmd, cmdArgs, { cwd: root, stdio: 'inherit' })
  if (r.status !== 0) process.exit(r.status ?? 1)
}

/** @param {string} dir @returns {number} */
function newest(dir) {
  let t = 0
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name)
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs)
  }
  return t
}

function needsBuild() {
  const marks = ['out/main/index.js', 'out/main/headless.js', 'out/renderer/index.html', 'out/portal/index.html'].map((f) => join(root, f))
  if (marks.some((f) => !existsSync(f))) return true
  const built = Math.min(...marks.map((f) => statSync(f).mtimeMs))
  return ['src-main', 'src-renderer', 'src-shared'].some((d) => newest(join(root, d)) > built)
}

/** The path of Electron's binary, or null when its download was skipped (as on machines without internet). */
function electronBinary() {
  try {
    const bin = require('electron') // throws when the download was skipped
    return typeof bin === 'string' && existsSync(bin) ? bin : null
  } catch {
    return null
  }
}

/** better-sqlite3 is native: it must be compiled for Node (headless) or Electron's ABI. */
function nodeCanLoadSqlite() {
  const r = spawnSync(process.execPath, ['-e', "new (require('better-sqlite3'))(':memory:').close()"], { cwd: root })
  return r.status === 0
}

if (needsBuild()) {
  console.log('Construction de l’application…')
  run(npm, ['run', 'build'])
}

const launch = launchMode({ args, platform: process.platform, env: process.env, electronBinary: electronBinary() })
if (launch.mode === 'electron') {
  run(process.execPath, [join(root, 'node_modules/@electron/rebuild/lib/cli.js'), '-f', '-w', 'better-sqlite3'])
  const child = spawn(launch.binary, [root, ...args], { cwd: root, stdio: 'inherit', env: appEnv(process.env) })
  child.on('exit', (code) => process.exit(code ?? 0))
} else {
  if (launch.notice) console.log(launch.notice)
  if (!nodeCanLoadSqlite()) {
    console.log('Recompilation de better-sqlite3 pour Node…')
    run(npm, ['rebuild', 'better-sqlite3'])
  }
  const child = spawn(process.execPath, [join(root, 'out/main/headless.js'), ...args.filter((a) => a !== '--headless')], {
    cwd: root,
    stdio: 'inherit',
    env: appEnv(process.env)
  })
  /** @param {NodeJS.Signals} sig */
  const forward = (sig) => child.kill(sig)
  process.on('SIGINT', forward)
  process.on('SIGTERM', forward)
  child.on('exit', (code) => process.exit(code ?? 0))
}
