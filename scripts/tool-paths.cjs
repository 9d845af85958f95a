// Where the tests' system tools are: shared by scripts/preflight.mjs (before
// `npm test`) and playwright.config.ts (which Chromium to launch), so both
// agree. CommonJS because Playwright loads its config that way.
const { accessSync, constants, statSync } = require('node:fs')
const { delimiter, join } = require('node:path')

/** @typedef {{ env: Record<string, string | undefined>, isExecutable(path: string): boolean }} PathProbes */

/** @param {string} path */
function isExecutableFile(path) {
  try {
    accessSync(path, constants.X_OK)
    return statSync(path).isFile()
  } catch {
    return false
  }
}

/**
 * A command on PATH, as the shell would find it.
 * @param {PathProbes} p
 * @param {string} command
 * @returns {string | null}
 */
function which(p, command) {
  for (const dir of (p.env.PATH ?? '').split(delimiter)) {
    if (dir && p.isExecutable(join(dir, command))) return join(dir, command)
  }
  return null
}

/**
 * The Chromium the browser tests launch: CHROMIUM_PATH when set, else `chromium` on PATH (Debian's package
 * installs /usr/bin/chromium).
 * @param {PathProbes} p
 * @returns {string | null}
 */
function chromiumPath(p) {
  if (p.env.CHROMIUM_PATH) return p.isExecutable(p.env.CHROMIUM_PATH) ? p.env.CHROMIUM_PATH : null
  return which(p, 'chromium')
}

module.exports = { isExecutableFile, which, chromiumPath }
