/**
 * Independent checkers for billing outputs: xmllint against the ISO XSD for
 * SEPA files, pdftotext for PDFs. Both are Debian tools (libxml2-utils,
 * poppler-utils), so the tests do not trust our own code to read our output.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export const BILLING_FIXTURES = new URL('../fixtures/billing/', import.meta.url)
export const PAIN008_XSD = new URL('pain.008.001.02.xsd', BILLING_FIXTURES).pathname
export const PAIN008_08_XSD = new URL('pain.008.001.08.xsd', BILLING_FIXTURES).pathname

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

/** xmllint's verdict on a document against the XSD of its pain.008 version (.02 or .08, read from its namespace). */
export function xmllint(xml: string, xsd = xml.includes('pain.008.001.08') ? PAIN008_08_XSD : PAIN008_XSD): { ok: boolean; output: string } {
  return withTemp('file.xml', xml, (file) => {
    try {
      execFileSync('xmllint', ['--noout', '--schema', xsd, file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
      return { ok: true, output: '' }
    } catch (e) {
      return { ok: false, output: String((e as { stderr?: string }).stderr ?? e) }
    }
  })
}

/** Text of a PDF as pdftotext sees it (layout mode), NBSPs turned into spaces. */
export function pdfText(pdf: Uint8Array): string {
  return withTemp('file.pdf', pdf, (file) =>
    execFileSync('pdftotext', ['-layout', '-enc', 'UTF-8', file, '-'], { encoding: 'utf8' }).replace(/\u00a0/g, ' ')
  )
}
