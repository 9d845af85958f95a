#!/usr/bin/env node
// `npm test` runs this first (and `.ci/run` before `npm ci`): the system tools
// the tests drive must be there before anything starts, or the run fails
// partway with whatever error the first missing tool causes. When one is
// missing, it is installed with apt-get if this user may (root, or sudo
// without a password); otherwise the check stops at once with the one command
// to run. Plain Node, no dependency: it runs before `npm ci` on a fresh machine.
import { spawnSync } from 'node:child_process'
import { pathToFileURL } from 'node:url'
import { chromiumPath, isExecutableFile, which } from './tool-paths.cjs'

export { chromiumPath }

/**
 * @typedef {{ label: string, pkg: string, command?: string }} Tool
 * @typedef {{
 *   env: Record<string, string | undefined>,
 *   isExecutable(path: string): boolean,
 *   uid(): number,
 *   sudoWithoutPassword(): boolean,
 *   run(cmd: string, args: string[]): number,
 *   log(line: string): void
 * }} Probes
 */

/**
 * What the tests drive, and the Debian package that brings it. Chromium is found by chromiumPath (tool-paths.cjs).
 * @type {Tool[]}
 */
export const TOOLS = [
  { label: 'Chromium', pkg: 'chromium' },
  { label: 'pdftotext', pkg: 'poppler-utils', command: 'pdftotext' },
  { label: 'xmllint', pkg: 'libxml2-utils', command: 'xmllint' },
  { label: 'qpdf', pkg: 'qpdf', command: 'qpdf' },
  { label: 'LibreOffice (soffice)', pkg: 'libreoffice-calc-nogui', command: 'soffice' },
  // The LAN listener's address-range test makes network namespaces with `ip netns` (and skips without it).
  { label: 'ip (iproute2)', pkg: 'iproute2', command: 'ip' }
]

/** @param {Pick<Probes, 'env' | 'isExecutable'>} p */
export function missingTools(p) {
  return TOOLS.filter((t) => (t.command ? !which(p, t.command) : !chromiumPath(p)))
}

/** @param {string[]} pkgs */
export const installCommand = (pkgs) => `apt-get install -y --no-install-recommends ${pkgs.join(' ')}`

/**
 * Checks, installs when allowed, and returns the exit code (0: everything is there).
 * @param {Probes} p
 */
export function preflight(p) {
  const missing = missingTools(p)
  if (!missing.length) return 0
  const names = missing.map((t) => t.label).join(', ')
  const pkgs = missing.map((t) => t.pkg)
  if (p.env.CHROMIUM_PATH && missing.some((t) => t.pkg === 'chromium')) {
    // Installing the package would not put Chromium where CHROMIUM_PATH says.
    p.log(`Chromium introuvable à CHROMIUM_PATH=${p.env.CHROMIUM_PATH} : corrigez ce chemin ou retirez la variable pour utiliser le paquet chromium.`)
    return 1
  }
  const root = p.uid() === 0
  const aptGet = which(p, 'apt-get')
  const sudo = !root && aptGet && which(p, 'sudo') && p.sudoWithoutPassword()
  if (!aptGet || (!root && !sudo)) {
    p.log(`Outils manquants pour les tests : ${names}. Installez-les (Debian/Ubuntu) : ${root ? '' : 'sudo '}${installCommand(pkgs)}`)
    return 1
  }
  /** @param {string[]} args */
  const apt = (args) => (sudo ? p.run('sudo', ['-n', 'DEBIAN_FRONTEND=noninteractive', 'apt-get', ...args]) : p.run('apt-get', args))
  p.log(`Outils manquants pour les tests : ${names}. Installation avec apt-get${sudo ? ' (sudo)' : ''} : ${pkgs.join(' ')}`)
  // A fresh machine may have no package lists yet; a failed update is not fatal if the install works.
  apt(['update', '-qq'])
  const status = apt(['install', '-y', '-qq', '--no-install-recommends', ...pkgs])
  const still = missingTools(p)
  if (status !== 0 || still.length) {
    p.log(`L’installation a échoué (${still.map((t) => t.label).join(', ') || `apt-get a rendu ${status}`}). Installez-les vous-même : ${root ? '' : 'sudo '}${installCommand(pkgs)}`)
    return 1
  }
  p.log(`Installé : ${missing.map((t) => `${t.pkg} (${t.label})`).join(', ')}.`)
  return 0
}

/** @returns {Probes} the real machine */
export function systemProbes() {
  return {
    env: process.env,
    isExecutable: isExecutableFile,
    uid: () => (process.getuid ? process.getuid() : -1),
    // -n: never prompt; a password prompt is "not allowed" here.
    sudoWithoutPassword: () => spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore', timeout: 5000 }).status === 0,
    run: (cmd, args) => spawnSync(cmd, args, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } }).status ?? 1,
    log: (line) => console.log(line)
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) process.exit(preflight(systemProbes()))
