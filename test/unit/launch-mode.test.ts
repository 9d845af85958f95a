import { describe, expect, test } from 'vitest'
import { launchMode } from '../../scripts/launch-mode.mjs'

const BIN = '/app/node_modules/electron/dist/electron'
const NO_DISPLAY = 'Aucun affichage graphique (ni DISPLAY ni WAYLAND_DISPLAY) : Ribambelle démarre sans fenêtre, le back-office s’ouvre dans le navigateur.'
const NO_BINARY = 'Electron n’est pas installé sur ce poste (binaire absent) : Ribambelle démarre sans fenêtre, le back-office s’ouvre dans le navigateur.'

describe('npm start: the desktop window or headless', () => {
  // Every combination of: Electron's binary present or not, a display (X11 or Wayland) or not, --headless or not.
  const cases = [
    { binary: BIN, env: { DISPLAY: ':0' }, headlessFlag: false, expected: { mode: 'electron', binary: BIN } },
    { binary: BIN, env: { WAYLAND_DISPLAY: 'wayland-0' }, headlessFlag: false, expected: { mode: 'electron', binary: BIN } },
    { binary: BIN, env: {}, headlessFlag: false, expected: { mode: 'headless', notice: NO_DISPLAY } },
    { binary: null, env: { DISPLAY: ':0' }, headlessFlag: false, expected: { mode: 'headless', notice: NO_BINARY } },
    { binary: null, env: {}, headlessFlag: false, expected: { mode: 'headless', notice: NO_BINARY } },
    { binary: BIN, env: { DISPLAY: ':0' }, headlessFlag: true, expected: { mode: 'headless', notice: null } },
    { binary: BIN, env: {}, headlessFlag: true, expected: { mode: 'headless', notice: null } },
    { binary: null, env: { DISPLAY: ':0' }, headlessFlag: true, expected: { mode: 'headless', notice: null } },
    { binary: null, env: {}, headlessFlag: true, expected: { mode: 'headless', notice: null } }
  ]
  for (const c of cases) {
    test(`binary ${c.binary ? 'present' : 'absent'}, display ${Object.keys(c.env).join('') || 'none'}${c.headlessFlag ? ', --headless' : ''}`, () => {
      const args = ['--demo', ...(c.headlessFlag ? ['--headless'] : [])]
      expect(launchMode({ args, platform: 'linux', env: c.env, electronBinary: c.binary })).toEqual(c.expected)
    })
  }

  test('the notice is one French line; Windows and macOS always have a display', () => {
    expect(NO_DISPLAY).not.toContain('\n')
    for (const platform of ['win32', 'darwin']) expect(launchMode({ args: [], platform, env: {}, electronBinary: BIN })).toEqual({ mode: 'electron', binary: BIN })
  })
})
