#!/usr/bin/env node
// `npm run db:restore -- <backup file> [--data-dir DIR]` — with the app stopped.
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const cli = join(root, 'out/main/cli.js')
if (!existsSync(cli)) spawnSync(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['run', 'build'], { cwd: root, stdio: 'inherit' })
const args = process.argv.slice(2)
const r = spawnSync(process.execPath, [cli, ...(args[0] === 'list' ? ['backups', ...args.slice(1)] : ['restore', ...args])], { stdio: 'inherit' })
process.exit(r.status ?? 1)
