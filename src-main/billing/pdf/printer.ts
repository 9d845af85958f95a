/**
 * pdfmake on Node with the PDF standard fonts (Helvetica). They need no
 * embedding, which makes an invoice about 5 times faster to render than with
 * an embedded TrueType font (the batch target is ≥ 20 invoices/s on one
 * core). Their encoding is WinAnsi (CP1252), which covers French; any other
 * character is transliterated by {@link pdfSafe} before rendering.
 */
import PdfPrinter from 'pdfmake'
import type { Content, TDocumentDefinitions } from 'pdfmake/interfaces'

let printer: PdfPrinter | null = null

function getPrinter(): PdfPrinter {
  printer ??= new PdfPrinter({
    Helvetica: { normal: 'Helvetica', bold: 'Helvetica-Bold', italics: 'Helvetica-Oblique', bolditalics: 'Helvetica-BoldOblique' }
  })
  return printer
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

/** A PNG or JPEG data URL the structure uploaded as its logo, or null (pdfmake draws nothing else). */
export function pdfLogo(logo: string | null | undefined): string | null {
  return logo && /^data:image\/(png|jpe?g);base64,/.test(logo) ? logo : null
}
