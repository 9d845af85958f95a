/**
 * pdfmake on Node with the PDF standard fonts (Helvetica). They need no
 * embedding, which makes an invoice about 5 times faster to render than with
 * an embedded TrueType font (the batch target is ≥ 20 invoices/s on one
 * core). Their encoding is WinAnsi (CP1252), which covers French; any other
 * character is transliterated by {@link pdfSafe} before rendering.
 */
import PdfPrinter from 'pdfmake'
import type { Content, TDocumentDefinitions } from 'pdfmake/interfaces'
import { PNG } from 'pngjs'

let printer: PdfPrinter | null = null

function getPrinter(): PdfPrinter {
  if (printer) return printer
  printer = new PdfPrinter({
    Helvetica: { normal: 'Helvetica', bold: 'Helvetica-Bold', italics: 'Helvetica-Oblique', bolditalics: 'Helvetica-BoldOblique' }
  })
  cacheFontMetrics(printer)
  return printer
}

interface AfmParsed {
  contents: string
  attributes: object
  glyphWidths: object
  boundingBoxes: object
  kernPairs: Record<string, number>
  /** kernPairs by left then right glyph name (added here). */
  kerning: Map<string, Map<string, number>>
  parse(): void
  getKernPair(left: string, right: string): number
}

/**
 * pdfkit reads and parses a standard font's metrics file (AFM, ~70 KB of text, by regular expressions) in
 * every document, for each font it uses: a third of an invoice's CPU time (#19). The parse is memoised per
 * file content: the tables it fills are only read afterwards, so every document can share them. pdfkit does
 * not export its AFM class, so it is reached through a font of a first document.
 * Kerning, looked up for every pair of letters measured or drawn, is read from two nested Maps: pdfkit's
 * lookup (`left + '\0' + right` in an object of 2,700 keys) built and hashed a new string for each pair.
 */
function cacheFontMetrics(p: PdfPrinter): void {
  const doc = p.createPdfKitDocument({ content: '' }) as unknown as { font(name: string): { _font: { font: object } } }
  const afm = doc.font('Helvetica')._font.font.constructor as { prototype: AfmParsed }
  const parse = afm.prototype.parse
  const parsed = new Map<string, Omit<AfmParsed, 'contents' | 'parse' | 'getKernPair'>>()
  afm.prototype.parse = function (this: AfmParsed) {
    const known = parsed.get(this.contents)
    if (known) {
      Object.assign(this, known)
      return
    }
    parse.call(this)
    const kerning = new Map<string, Map<string, number>>()
    for (const [pair, value] of Object.entries(this.kernPairs)) {
      const [left, right] = pair.split('\0')
      if (!kerning.has(left)) kerning.set(left, new Map())
      kerning.get(left)!.set(right, value)
    }
    this.kerning = kerning
    parsed.set(this.contents, { attributes: this.attributes, glyphWidths: this.glyphWidths, boundingBoxes: this.boundingBoxes, kernPairs: this.kernPairs, kerning })
  }
  afm.prototype.getKernPair = function (this: AfmParsed, left: string, right: string) {
    return this.kerning.get(left)?.get(right) || 0
  }
}

/** The CP1252 characters above 0x7F (0x80–0x9F block, then Latin-1). */
const CP1252_EXTRA = new Set('€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ')
const REPLACE: Record<string, string> = { '≥': '>=', '≤': '<=', '−': '-', '→': '->', '\u202f': '\u00a0', '\u2009': ' ', '✓': 'x', Ł: 'L', ł: 'l', Đ: 'D', đ: 'd', ı: 'i', Ħ: 'H', ħ: 'h' }

function safeChar(ch: string): string {
  const c = ch.codePointAt(0) as number
  if ((c >= 0x20 && c <= 0x7e) || c === 0x0a || (c >= 0xa0 && c <= 0xff) || CP1252_EXTRA.has(ch)) return ch
  if (REPLACE[ch] !== undefined) return REPLACE[ch]
  const base = ch.normalize('NFD').replace(/\p{Diacritic}/gu, '')
  return base !== ch && [...base].every((b) => safeChar(b) === b) ? base : '?'
}

/** Text the standard fonts can draw: anything outside CP1252 is transliterated or replaced by "?". */
export function pdfSafe(s: string): string {
  let out = ''
  for (const ch of s) out += safeChar(ch)
  return out
}

const NON_TEXT_KEYS = new Set(['style', 'alignment', 'font', 'color', 'fillColor', 'image', 'width', 'widths', 'heights', 'layout', 'pageBreak', 'margin', 'decoration', 'link', 'qr', 'svg', 'canvas', 'headerRows', 'id'])

function sanitize(v: unknown, key?: string): unknown {
  if (typeof v === 'string') return key === undefined || key === 'text' ? pdfSafe(v) : v
  if (Array.isArray(v)) return v.map((x) => sanitize(x))
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {}
    for (const [k, x] of Object.entries(v)) out[k] = NON_TEXT_KEYS.has(k) || typeof x === 'function' ? x : sanitize(x, k)
    return out
  }
  return v
}

/** Renders a document definition to PDF bytes. */
export function renderPdf(doc: TDocumentDefinitions): Promise<Buffer> {
  const def = {
    ...doc,
    content: sanitize(doc.content) as Content,
    defaultStyle: { font: 'Helvetica', fontSize: 9, ...doc.defaultStyle }
  } as TDocumentDefinitions
  return new Promise((resolve, reject) => {
    const pdf = getPrinter().createPdfKitDocument(def)
    const chunks: Buffer[] = []
    pdf.on('data', (c: Buffer) => chunks.push(c))
    pdf.on('end', () => resolve(Buffer.concat(chunks)))
    pdf.on('error', reject)
    pdf.end()
  })
}

let lastLogo: { from: string; to: string } | null = null

/**
 * A PNG or JPEG data URL the structure uploaded as its logo, or null (pdfmake draws nothing else). A PNG is
 * flattened once on white (the paper) without its alpha channel: pdfkit then copies its compressed pixels into
 * each PDF as they are, where a transparent or interlaced PNG is inflated, split and deflated again in every
 * invoice (a fifth of its CPU time, #19). The last logo is remembered: a batch passes the same one each time.
 */
export function pdfLogo(logo: string | null | undefined): string | null {
  if (!logo || !/^data:image\/(png|jpe?g);base64,/.test(logo)) return null
  if (lastLogo?.from !== logo) lastLogo = { from: logo, to: flattenPng(logo) }
  return lastLogo.to
}

function flattenPng(dataUrl: string): string {
  const b64 = /^data:image\/png;base64,(.*)$/s.exec(dataUrl)?.[1]
  if (!b64) return dataUrl
  try {
    const png = PNG.sync.read(Buffer.from(b64, 'base64'))
    const rgb = PNG.sync.write(png, { colorType: 2, inputHasAlpha: true, bgColor: { red: 255, green: 255, blue: 255 } })
    return `data:image/png;base64,${rgb.toString('base64')}`
  } catch {
    return dataUrl // pdfkit says what is wrong with it, as before
  }
}
