/**
 * The bank's Customer Payment Status Report (pain.002.001.03 answers a
 * pain.008.001.02 file, pain.002.001.10 a .08 one), read with
 * fast-xml-parser. A report says a status per file (GrpSts), per batch
 * (PmtInfSts) and per transaction (TxSts); RJCT at a level rejects
 * everything under it. Reason codes are ISO 20022 (AM04, AC04, MD01…).
 */
import { XMLParser } from 'fast-xml-parser'
import { TZDate } from '@date-fns/tz'
import { format } from 'date-fns'
import { PARIS } from '../../core/clock'
import { DomainError } from '../../core/errors'

export interface StatusReason {
  code: string
  detail: string
}

export interface StatusReport {
  msgId: string
  /** Paris day of GrpHdr/CreDtTm. */
  createdOn: string | null
  originalMsgId: string
  groupStatus: string
  groupReason: string
  batches: { pmtInfId: string; status: string; reason: StatusReason | null; txs: { endToEndId: string; status: string; reason: StatusReason | null; amountCents: number | null }[] }[]
}

type Node = Record<string, unknown>
const ARRAYS = new Set(['OrgnlPmtInfAndSts', 'TxInfAndSts', 'StsRsnInf', 'AddtlInf'])
const parser = new XMLParser({
  ignoreAttributes: true,
  removeNSPrefix: true,
  parseTagValue: false,
  trimValues: true,
  processEntities: false,
  isArray: (name) => ARRAYS.has(name)
})

const text = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '')
const node = (v: unknown): Node => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Node) : {})
const list = (v: unknown): Node[] => (Array.isArray(v) ? v.map(node) : v ? [node(v)] : [])

function reasonOf(n: Node): StatusReason | null {
  const r = list(n.StsRsnInf)[0]
  if (!r) return null
  const rsn = node(r.Rsn)
  const code = text(rsn.Cd) || text(rsn.Prtry)
  const detail = (Array.isArray(r.AddtlInf) ? r.AddtlInf.map(text) : []).join(' ').trim()
  return code || detail ? { code: code.toUpperCase(), detail } : null
}

function cents(v: unknown): number | null {
  const s = text(v)
  if (!/^\d+(\.\d{1,2})?$/.test(s)) return null
  const [e, c = ''] = s.split('.')
  return Number(e) * 100 + Number(c.padEnd(2, '0'))
}

/** Reads a pain.002; throws a French DomainError when the file is not one. */
export function parsePain002(xml: string): StatusReport {
  if (!/urn:iso:std:iso:20022:tech:xsd:pain\.002\.001\.\d{2}/.test(xml)) {
    throw new DomainError('invalid_input', 'Ce fichier n’est pas un compte rendu de prélèvements pain.002 (espace de noms urn:iso:std:iso:20022:tech:xsd:pain.002.001.xx attendu).', 400, { xml: 'pas un pain.002' })
  }
  let doc: Node
  try {
    doc = node(parser.parse(xml))
  } catch {
    throw new DomainError('invalid_input', 'Le compte rendu pain.002 n’est pas un XML lisible (fichier tronqué ou abîmé ?).', 400, { xml: 'illisible' })
  }
  const rpt = node(node(doc.Document).CstmrPmtStsRpt)
  const grp = node(rpt.GrpHdr)
  const orig = node(rpt.OrgnlGrpInfAndSts)
  const originalMsgId = text(orig.OrgnlMsgId)
  if (!originalMsgId) throw new DomainError('invalid_input', 'Le compte rendu ne dit pas de quel fichier il parle (OrgnlGrpInfAndSts/OrgnlMsgId absent).', 400, { xml: 'OrgnlMsgId absent' })
  const created = text(grp.CreDtTm)
  const createdAt = created ? new Date(created) : null
  const gr = reasonOf(orig)
  return {
    msgId: text(grp.MsgId),
    createdOn: createdAt && !Number.isNaN(createdAt.getTime()) ? format(new TZDate(createdAt, PARIS), 'yyyy-MM-dd') : null,
    originalMsgId,
    groupStatus: text(orig.GrpSts).toUpperCase(),
    groupReason: gr ? `${gr.code}${gr.detail ? ` ${gr.detail}` : ''}` : '',
    batches: list(rpt.OrgnlPmtInfAndSts).map((b) => ({
      pmtInfId: text(b.OrgnlPmtInfId),
      status: text(b.PmtInfSts).toUpperCase(),
      reason: reasonOf(b),
      txs: list(b.TxInfAndSts).map((t) => ({
        endToEndId: text(t.OrgnlEndToEndId),
        status: text(t.TxSts).toUpperCase(),
        reason: reasonOf(t),
        amountCents: cents(node(node(t.OrgnlTxRef).Amt).InstdAmt)
      }))
    }))
  }
}

/** The EndToEndIds of each batch of a pain.008 we wrote, for a report that rejects a whole batch or file. */
function endToEndIdsByBatch(xml: string): Map<string, string[]> {
  const out = new Map<string, string[]>()
  for (const pi of xml.matchAll(/<PmtInf>([\s\S]*?)<\/PmtInf>/g)) {
    const id = /<PmtInfId>([^<]+)<\/PmtInfId>/.exec(pi[1])?.[1] ?? ''
    out.set(id, [...pi[1].matchAll(/<EndToEndId>([^<]+)<\/EndToEndId>/g)].map((m) => m[1]))
  }
  return out
}

/**
 * Every transaction the report speaks of, with its status: the file's own
 * status when the whole file is rejected, the batch's when a batch is
 * rejected without detail, else each transaction's.
 */
export function rejectedEndToEndIds(r: StatusReport, originalXml: string | null): { endToEndId: string; status: string; reasonCode: string; detail: string; amountCents: number | null }[] {
  const batches = originalXml ? endToEndIdsByBatch(originalXml) : new Map<string, string[]>()
  const out = new Map<string, { endToEndId: string; status: string; reasonCode: string; detail: string; amountCents: number | null }>()
  const put = (endToEndId: string, status: string, reason: StatusReason | null, amountCents: number | null) => {
    if (endToEndId) out.set(endToEndId, { endToEndId, status, reasonCode: reason?.code ?? '', detail: reason?.detail ?? '', amountCents })
  }
  if (r.groupStatus === 'RJCT') {
    const [code = '', ...rest] = r.groupReason.split(' ')
    for (const ids of batches.values()) for (const id of ids) put(id, 'RJCT', { code, detail: rest.join(' ') }, null)
  }
  for (const b of r.batches) {
    if (b.status === 'RJCT' && b.txs.length === 0) for (const id of batches.get(b.pmtInfId) ?? []) put(id, 'RJCT', b.reason, null)
    for (const t of b.txs) put(t.endToEndId, t.status || b.status, t.reason ?? b.reason, t.amountCents)
  }
  return [...out.values()]
}
