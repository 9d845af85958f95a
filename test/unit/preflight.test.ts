import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { chromiumPath, preflight, TOOLS } from '../../scripts/preflight.mjs'

/** Where each package puts its tool on a Debian machine. */
const PROVIDES: Record<string, string> = {
  chromium: '/usr/bin/chromium',
  'poppler-utils': '/usr/bin/pdftotext',
  'libxml2-utils': '/usr/bin/xmllint',
  qpdf: '/usr/bin/qpdf',
  'libreoffice-calc-nogui': '/usr/bin/soffice',
  iproute2: '/usr/bin/ip'
}

/** A machine where `files` are the executables; apt-get "installs" by adding the packages' files. */
function machine(opts: { missing?: string[]; uid?: number; sudo?: boolean; aptWorks?: boolean; env?: Record<string, string> }) {
  const files = new Set(['/usr/bin/apt-get', ...(opts.sudo !== undefined ? ['/usr/bin/sudo'] : []), ...Object.entries(PROVIDES).filter(([pkg]) => !opts.missing?.includes(pkg)).map(([, f]) => f)])
  const runs: string[] = []
  const lines: string[] = []
  const probes = {
    env: { PATH: '/usr/local/bin:/usr/bin', ...opts.env },
    isExecutable: (p: string) => files.has(p),
    uid: () => opts.uid ?? 1000,
    sudoWithoutPassword: () => opts.sudo === true,
    run(cmd: string, args: string[]) {
      runs.push([cmd, ...args].join(' '))
      if (args.includes('install') && opts.aptWorks !== false) for (const a of args) if (PROVIDES[a]) files.add(PROVIDES[a])
      return args.includes('install') && opts.aptWorks === false ? 100 : 0
    },
    log: (l: string) => void lines.push(l)
  }
  return { probes, runs, lines }
}

describe('npm test preflight: the system tools the tests drive', () => {
  test('every tool present: nothing said, nothing run', () => {
    const m = machine({ uid: 0 })
    expect(preflight(m.probes)).toBe(0)
    expect(m.runs).toEqual([])
    expect(m.lines).toEqual([])
    expect(TOOLS.map((t) => t.pkg)).toEqual(Object.keys(PROVIDES))
  })

  test('a missing tool and no right to install: one line with the exact command, nothing installed', () => {
    const m = machine({ missing: ['poppler-utils', 'chromium'], uid: 1000, sudo: false })
    expect(preflight(m.probes)).toBe(1)
    expect(m.runs).toEqual([])
    expect(m.lines).toEqual(['Outils manquants pour les tests : Chromium, pdftotext. Installez-les (Debian/Ubuntu) : sudo apt-get install -y --no-install-recommends chromium poppler-utils'])
  })

  test('no sudo at all, or no apt-get: the same single line, nothing run', () => {
    const noSudo = machine({ missing: ['qpdf'], uid: 1000 })
    expect(preflight(noSudo.probes)).toBe(1)
    expect(noSudo.runs).toEqual([])
    expect(noSudo.lines).toHaveLength(1)
    const noApt = machine({ missing: ['qpdf'], uid: 0 })
    noApt.probes.isExecutable = ((inner) => (p: string) => p !== '/usr/bin/apt-get' && inner(p))(noApt.probes.isExecutable)
    expect(preflight(noApt.probes)).toBe(1)
    expect(noApt.runs).toEqual([])
    expect(noApt.lines).toEqual(['Outils manquants pour les tests : qpdf. Installez-les (Debian/Ubuntu) : apt-get install -y --no-install-recommends qpdf'])
  })

  test('as root: installs the missing packages with apt-get and says what it installed', () => {
    const m = machine({ missing: ['libreoffice-calc-nogui', 'libxml2-utils'], uid: 0 })
    expect(preflight(m.probes)).toBe(0)
    expect(m.runs).toEqual(['apt-get update -qq', 'apt-get install -y -qq --no-install-recommends libxml2-utils libreoffice-calc-nogui'])
    expect(m.lines.at(-1)).toBe('Installé : libxml2-utils (xmllint), libreoffice-calc-nogui (LibreOffice (soffice)).')
  })

  test('with sudo that needs no password: installs through sudo -n', () => {
    const m = machine({ missing: ['chromium'], uid: 1000, sudo: true })
    expect(preflight(m.probes)).toBe(0)
    expect(m.runs).toEqual(['sudo -n DEBIAN_FRONTEND=noninteractive apt-get update -qq', 'sudo -n DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium'])
  })

  test('a failed install stops with the command to run', () => {
    const m = machine({ missing: ['qpdf'], uid: 0, aptWorks: false })
    expect(preflight(m.probes)).toBe(1)
    expect(m.lines.at(-1)).toContain('Installez-les vous-même : apt-get install -y --no-install-recommends qpdf')
  })

  test('Chromium is CHROMIUM_PATH when set (never installed over it), else chromium on PATH', () => {
    const m = machine({ uid: 0, env: { CHROMIUM_PATH: '/opt/chrome/chrome' } })
    expect(chromiumPath(m.probes)).toBeNull()
    expect(preflight(m.probes)).toBe(1)
    expect(m.runs).toEqual([])
    expect(m.lines[0]).toContain('CHROMIUM_PATH=/opt/chrome/chrome')
    const hidden = machine({ uid: 1000, env: { PATH: '/usr/local/bin' } })
    expect(chromiumPath(hidden.probes)).toBeNull()
    expect(chromiumPath(machine({}).probes)).toBe('/usr/bin/chromium')
  })

  test('the script itself, with its tools hidden from PATH: exit 1 and one line', () => {
    // PATH holds only node: whoever runs this (root or not), apt-get is out of reach, so nothing can be installed.
    const bin = mkdtempSync(join(tmpdir(), 'preflight-path-'))
    try {
      symlinkSync(process.execPath, join(bin, 'node'))
      const env = { PATH: bin, HOME: process.env.HOME ?? '/tmp' }
      const r = spawnSync(join(bin, 'node'), ['scripts/preflight.mjs'], { env, encoding: 'utf8' })
      expect(r.status).toBe(1)
      expect(r.stdout.trim().split('\n')).toEqual([expect.stringMatching(/^Outils manquants pour les tests : Chromium, pdftotext, xmllint, qpdf, LibreOffice \(soffice\), ip \(iproute2\)\. Installez-les \(Debian\/Ubuntu\) : (sudo )?apt-get install -y --no-install-recommends chromium poppler-utils libxml2-utils qpdf libreoffice-calc-nogui iproute2$/)])
    } finally {
      rmSync(bin, { recursive: true, force: true })
    }
  })
})
