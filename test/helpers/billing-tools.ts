/**
 * Independent checkers for billing outputs: xmllint against the ISO XSD for
 * SEPA files, pdftotext for PDFs. Both are Debian tools (libxml2-utils,
 * poppler-utils), so the tests do not trust our own code to read our output.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export const BILLING_FIXTURES = new URL('../fixtures/billing/', import.meta.url)
export const PAIN008_XSD = new URL('pain.008.001.02.xsd', BILLING_FIXTURES).pathname
export const PAIN008_08_XSD = new URL('pain.008.001.08.xsd', BILLING_FIXTURES).pathname
/** PES V2 4.71 recette schemas (DGFiP), as the notes of shared/reference/pes-v2 validate them. */
export const PES_XSD = new URL('../fixtures/pes-v2/Schemas_PES_v471_072015/PES_V2/Rev0/PES_Aller_recette.xsd', import.meta.url).pathname

function withTemp<T>(name: string, data: string | Uint8Array, fn: (file: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'rb-check-'))
  try {
    const file = join(dir, name)
    writeFileSync(file, data)
    return fn(file)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/**
 * xmllint's verdict on a document against an XSD: by default the one of its pain.008 version (.02 or .08, read from
 * its namespace). The verdict is xmllint's exit code; `output` is empty on success, and never holds the PES schemas'
 * expected "parser warning" lines.
 */
export function xmllint(xml: string, xsd = xml.includes('pain.008.001.08') ? PAIN008_08_XSD : PAIN008_XSD): { ok: boolean; output: string } {
  return withTemp('file.xml', xml, (file) => {
    try {
      execFileSync('xmllint', ['--noout', '--schema', xsd, file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
      return { ok: true, output: '' }
    } catch (e) {
      const out = String((e as { stderr?: string }).stderr ?? e)
      return { ok: false, output: out.split('\n').filter((l) => !/parser warning|failed to load external entity/.test(l)).join('\n') }
    }
  })
}

/** Text of a PDF as pdftotext sees it (layout mode), NBSPs turned into spaces. */
export function pdfText(pdf: Uint8Array): string {
  return withTemp('file.pdf', pdf, (file) =>
    execFileSync('pdftotext', ['-layout', '-enc', 'UTF-8', file, '-'], { encoding: 'utf8' }).replace(/\u00a0/g, ' ')
  )
}

/**
 * Spreadsheets printed to PDF by LibreOffice headless (Debian
 * libreoffice-calc-nogui), as an accountant's « Imprimer » would: one soffice
 * run for all the files, with its own throw-away profile so concurrent runs
 * never share (or lock) one.
 */
export function spreadsheetsToPdf(files: { name: string; data: Uint8Array }[]): Map<string, Buffer> {
  const dir = mkdtempSync(join(tmpdir(), 'rb-lo-'))
  try {
    for (const f of files) writeFileSync(join(dir, f.name), f.data)
    execFileSync(
      'soffice',
      [`-env:UserInstallation=file://${join(dir, 'profile')}`, '--headless', '--norestore', '--convert-to', 'pdf', '--outdir', join(dir, 'pdf'), ...files.map((f) => join(dir, f.name))],
      { stdio: ['ignore', 'pipe', 'pipe'], timeout: 180_000 }
    )
    return new Map(files.map((f) => [f.name, readFileSync(join(dir, 'pdf', f.name.replace(/\.[^.]+$/, '.pdf')))]))
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** qpdf's structural check of a PDF (xref, streams, objects): throws with qpdf's output on any error or warning. */
export function qpdfCheck(pdf: Uint8Array): void {
  withTemp('file.pdf', pdf, (file) => execFileSync('qpdf', ['--check', file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }))
}

/** Page count (qpdf) and page sizes in points (pdfinfo) of a PDF. */
export function pdfPages(pdf: Uint8Array): { count: number; sizes: { width: number; height: number }[] } {
  return withTemp('file.pdf', pdf, (file) => {
    const count = Number(execFileSync('qpdf', ['--show-npages', file], { encoding: 'utf8' }).trim())
    const info = execFileSync('pdfinfo', ['-f', '1', '-l', String(count), file], { encoding: 'utf8' })
    const sizes = [...info.matchAll(/Page\s+\d+ size:\s+([\d.]+) x ([\d.]+) pts/g)].map((m) => ({ width: Number(m[1]), height: Number(m[2]) }))
    return { count, sizes }
  })
}
