/**
 * SEPA Direct Debit initiation, SDD CORE, in the two versions banks take:
 * pain.008.001.02 (ISO 2009, CFONB guide) and pain.008.001.08 (ISO 2019, the
 * current EPC rulebook: `BICFI`, structured or hybrid postal addresses).
 * The XSD checks the structure; the EPC rules it does not check (character
 * set, lengths, control totals per file and per PmtInf, one SeqTp and one
 * date per PmtInf, 2-decimal amounts, check digits, amendment details, one
 * first collection per mandate) are enforced here twice: on the input before
 * writing, and on the written XML by {@link checkPain008Xml}, which also
 * catches files produced elsewhere.
 */
import { decimalAmount } from '@shared/billing/money'
import type { SepaFormat } from '@shared/contract/sepa'
import { ibanProblem, isValidBic, isValidIban, isValidIcs, normalizeIban } from '@shared/check-digits'
import { epcIdProblem, epcText, isEpcText } from './epc-text'

export type SequenceType = 'FRST' | 'RCUR' | 'OOFF' | 'FNAL'
export const SEQUENCE_TYPES: readonly SequenceType[] = ['FRST', 'RCUR', 'OOFF', 'FNAL']

/** A postal address as Ribambelle keeps it: one street line, postal code, town, country. */
export interface PostalAddress {
  street: string
  postalCode: string
  town: string
  /** ISO 3166 alpha-2, "FR" by default. */
  country: string
}

/** What changed on a mandate since its last collection (AT-24 … AT-26 of the rulebook). */
export interface MandateAmendment {
  /** The RUM changed: the former one. */
  originalRum?: string
  /** New account in the same bank: the former IBAN. */
  originalIban?: string
  /** The debtor changed bank: "SMNDA" (the first collection after it is FRST). */
  otherBank?: boolean
  /** The creditor (ICS or name) changed: the former ones. */
  originalCreditor?: { name: string; ics: string }
}

export interface DebitTransaction {
  /** Returned in R-transactions (pain.002, returns): unique per creditor. */
  endToEndId: string
  amountCents: number
  sequenceType: SequenceType
  collectionDate: string
  mandate: { rum: string; signedOn: string; amendment: MandateAmendment | null }
  debtor: { name: string; iban: string; bic: string | null; address: PostalAddress | null }
  remittance: string
}

export interface DirectDebitFile {
  format: SepaFormat
  msgId: string
  /** Local date-time, "2026-03-02T09:15:00". */
  createdAt: string
  initiatingParty: string
  creditor: { name: string; iban: string; bic: string | null; ics: string; address: PostalAddress | null }
  transactions: DebitTransaction[]
}

export const MAX_AMOUNT_CENTS = 99_999_999_999
const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/

function amendmentProblem(t: DebitTransaction): string | null {
  const a = t.mandate.amendment
  if (!a) return null
  if (!a.originalRum && !a.originalIban && !a.otherBank && !a.originalCreditor) return 'amendement sans détail'
  if (a.otherBank && a.originalIban) return 'changement de banque (SMNDA) et ancien IBAN ne vont pas ensemble'
  if (a.otherBank && t.sequenceType !== 'FRST') return 'après un changement de banque (SMNDA), le prélèvement est un premier (FRST)'
  if (a.originalIban && !isValidIban(a.originalIban)) return 'ancien IBAN invalide'
  if (a.originalRum && epcIdProblem(a.originalRum)) return `ancienne RUM ${epcIdProblem(a.originalRum)}`
  if (a.originalCreditor && !isValidIcs(a.originalCreditor.ics)) return 'ancien identifiant créancier invalide'
  return null
}

/** Problems with the input, in French; empty when the file can be written. */
export function checkDirectDebitInput(f: DirectDebitFile): string[] {
  const p: string[] = []
  for (const _ of inputCheckSteps(f, p)) {
    // All at once.
  }
  return p
}

/**
 * The same checks, pushing into `p`, in steps of `chunk` transactions: a city's 20,000 debits are checked with the
 * event loop (the portal) getting a turn between two steps (sepa/export.ts).
 */
export function* inputCheckSteps(f: DirectDebitFile, p: string[], chunk = 500): Generator<void> {
  const idp = epcIdProblem(f.msgId)
  if (idp) p.push(`Identifiant du message : ${idp}`)
  if (!isValidIcs(f.creditor.ics)) p.push(`Identifiant créancier SEPA (ICS) « ${f.creditor.ics} » invalide (clé MOD 97-10).`)
  const cp = ibanProblem(f.creditor.iban)
  if (cp) p.push(`IBAN du créancier : ${cp}`)
  if (f.creditor.bic && !isValidBic(f.creditor.bic)) p.push('BIC du créancier invalide.')
  if (!epcText(f.creditor.name, 70)) p.push('Nom du créancier vide.')
  if (f.transactions.length === 0) p.push('Aucune transaction à prélever.')
  const seen = new Set<string>()
  const perMandate = new Map<string, SequenceType[]>()
  for (const [i, t] of f.transactions.entries()) {
    if (i % chunk === chunk - 1) yield
    const who = `Transaction ${t.endToEndId}`
    const e2e = epcIdProblem(t.endToEndId)
    if (e2e) p.push(`${who} : référence de bout en bout ${e2e}.`)
    if (seen.has(t.endToEndId)) p.push(`${who} : référence en double.`)
    seen.add(t.endToEndId)
    const rum = epcIdProblem(t.mandate.rum)
    if (rum) p.push(`${who} : RUM « ${t.mandate.rum} » ${rum}.`)
    if (!Number.isInteger(t.amountCents) || t.amountCents < 1 || t.amountCents > MAX_AMOUNT_CENTS) p.push(`${who} : montant hors limites (0,01 à 999 999 999,99 €).`)
    if (!SEQUENCE_TYPES.includes(t.sequenceType)) p.push(`${who} : type de séquence invalide.`)
    if (!ISO_DAY.test(t.collectionDate)) p.push(`${who} : date d’échéance du prélèvement invalide.`)
    if (!ISO_DAY.test(t.mandate.signedOn)) p.push(`${who} : date de signature du mandat invalide.`)
    if (!isValidIban(t.debtor.iban)) p.push(`${who} : IBAN du débiteur invalide.`)
    if (t.debtor.bic && !isValidBic(t.debtor.bic)) p.push(`${who} : BIC du débiteur invalide.`)
    if (!epcText(t.debtor.name, 70)) p.push(`${who} : nom du débiteur vide.`)
    const am = amendmentProblem(t)
    if (am) p.push(`${who} : ${am}.`)
    perMandate.set(t.mandate.rum, [...(perMandate.get(t.mandate.rum) ?? []), t.sequenceType])
  }
  for (const [rum, seqs] of perMandate) {
    if (seqs.length > 1 && seqs.includes('FRST')) p.push(`Mandat ${rum} : un premier prélèvement (FRST) ne peut pas être accompagné d’un autre prélèvement du même mandat.`)
  }
}

/** XML text escaping; EPC text never holds quotes, and apostrophes need none in element content. */
const x = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')

/** "12 bis rue des Lilas" → building number and street; null when the line does not start with a number. */
function splitStreet(line: string): { number: string; street: string } | null {
  const m = /^(\d{1,5}(?:\s?(?:bis|ter|quater|[A-Z]))?)\s*,?\s+(\S.*)$/i.exec(line.trim())
  return m ? { number: m[1], street: m[2] } : null
}

/**
 * pain.008.001.08 postal address: structured (StrtNm, BldgNb, PstCd, TwnNm,
 * Ctry) when the street line reads "<number> <street>", hybrid otherwise
 * (PstCd, TwnNm and Ctry structured, the street in one AdrLine), as the EPC
 * rulebook asks from November 2025. No address without a town.
 */
function postalAddressXml(a: PostalAddress | null): string {
  const town = a ? epcText(a.town, 35) : ''
  if (!a || !town) return ''
  const country = /^[A-Z]{2}$/.test(a.country) ? a.country : 'FR'
  const pc = epcText(a.postalCode, 16)
  const street = epcText(a.street, 140)
  const split = street ? splitStreet(street) : null
  const parts: string[] = []
  if (split && split.street.length <= 70) parts.push(`<StrtNm>${x(split.street)}</StrtNm>`, `<BldgNb>${x(epcText(split.number, 16))}</BldgNb>`)
  if (pc) parts.push(`<PstCd>${x(pc)}</PstCd>`)
  parts.push(`<TwnNm>${x(town)}</TwnNm>`, `<Ctry>${country}</Ctry>`)
  if (street && !(split && split.street.length <= 70)) parts.push(`<AdrLine>${x(street.slice(0, 70).trim())}</AdrLine>`)
  return `<PstlAdr>${parts.join('')}</PstlAdr>`
}

function agentXml(tag: string, bic: string | null, v08: boolean): string {
  return bic
    ? `<${tag}><FinInstnId><${v08 ? 'BICFI' : 'BIC'}>${x(bic.replace(/\s/g, '').toUpperCase())}</${v08 ? 'BICFI' : 'BIC'}></FinInstnId></${tag}>`
    : `<${tag}><FinInstnId><Othr><Id>NOTPROVIDED</Id></Othr></FinInstnId></${tag}>`
}

const schemeIdXml = (ics: string) => `<Id><PrvtId><Othr><Id>${x(ics.replace(/\s/g, '').toUpperCase())}</Id><SchmeNm><Prtry>SEPA</Prtry></SchmeNm></Othr></PrvtId></Id>`

function mandateXml(t: DebitTransaction): string {
  const a = t.mandate.amendment
  const base = `<MndtId>${x(t.mandate.rum)}</MndtId><DtOfSgntr>${t.mandate.signedOn}</DtOfSgntr>`
  if (!a) return `<MndtRltdInf>${base}</MndtRltdInf>`
  // Element order of AmendmentInformationDetails in both XSDs.
  const details = [
    a.originalRum ? `<OrgnlMndtId>${x(a.originalRum)}</OrgnlMndtId>` : '',
    a.originalCreditor ? `<OrgnlCdtrSchmeId><Nm>${x(epcText(a.originalCreditor.name, 70))}</Nm>${schemeIdXml(a.originalCreditor.ics)}</OrgnlCdtrSchmeId>` : '',
    a.originalIban ? `<OrgnlDbtrAcct><Id><IBAN>${normalizeIban(a.originalIban)}</IBAN></Id></OrgnlDbtrAcct>` : '',
    a.otherBank ? '<OrgnlDbtrAgt><FinInstnId><Othr><Id>SMNDA</Id></Othr></FinInstnId></OrgnlDbtrAgt>' : ''
  ].join('')
  return `<MndtRltdInf>${base}<AmdmntInd>true</AmdmntInd><AmdmntInfDtls>${details}</AmdmntInfDtls></MndtRltdInf>`
}

function txXml(t: DebitTransaction, v08: boolean): string {
  return `
      <DrctDbtTxInf>
        <PmtId><EndToEndId>${x(t.endToEndId)}</EndToEndId></PmtId>
        <InstdAmt Ccy="EUR">${decimalAmount(t.amountCents)}</InstdAmt>
        <DrctDbtTx>${mandateXml(t)}</DrctDbtTx>
        ${agentXml('DbtrAgt', t.debtor.bic, v08)}
        <Dbtr><Nm>${x(epcText(t.debtor.name, 70))}</Nm>${v08 ? postalAddressXml(t.debtor.address) : ''}</Dbtr>
        <DbtrAcct><Id><IBAN>${normalizeIban(t.debtor.iban)}</IBAN></Id></DbtrAcct>
        <RmtInf><Ustrd>${x(epcText(t.remittance, 140))}</Ustrd></RmtInf>
      </DrctDbtTxInf>`
}

/** A PmtInf up to its first transaction. */
function pmtInfHead(f: DirectDebitFile, pmtInfId: string, seq: SequenceType, date: string, txs: DebitTransaction[]): string {
  const v08 = f.format === 'pain.008.001.08'
  return `
    <PmtInf>
      <PmtInfId>${x(pmtInfId)}</PmtInfId>
      <PmtMtd>DD</PmtMtd>
      <BtchBookg>true</BtchBookg>
      <NbOfTxs>${txs.length}</NbOfTxs>
      <CtrlSum>${decimalAmount(sum(txs))}</CtrlSum>
      <PmtTpInf><SvcLvl><Cd>SEPA</Cd></SvcLvl><LclInstrm><Cd>CORE</Cd></LclInstrm><SeqTp>${seq}</SeqTp></PmtTpInf>
      <ReqdColltnDt>${date}</ReqdColltnDt>
      <Cdtr><Nm>${x(epcText(f.creditor.name, 70))}</Nm>${v08 ? postalAddressXml(f.creditor.address) : ''}</Cdtr>
      <CdtrAcct><Id><IBAN>${normalizeIban(f.creditor.iban)}</IBAN></Id></CdtrAcct>
      ${agentXml('CdtrAgt', f.creditor.bic, v08)}
      <ChrgBr>SLEV</ChrgBr>
      <CdtrSchmeId>${schemeIdXml(f.creditor.ics)}</CdtrSchmeId>`
}
const PMTINF_END = `
    </PmtInf>`
const DOCUMENT_END = `
  </CstmrDrctDbtInitn>
</Document>
`

const sum = (txs: DebitTransaction[]) => txs.reduce((s, t) => s + t.amountCents, 0)

function documentHead(f: DirectDebitFile, txs: DebitTransaction[]): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:${f.format}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <CstmrDrctDbtInitn>
    <GrpHdr>
      <MsgId>${x(f.msgId)}</MsgId>
      <CreDtTm>${f.createdAt.slice(0, 19)}</CreDtTm>
      <NbOfTxs>${txs.length}</NbOfTxs>
      <CtrlSum>${decimalAmount(sum(txs))}</CtrlSum>
      <InitgPty><Nm>${x(epcText(f.initiatingParty, 70))}</Nm></InitgPty>
    </GrpHdr>`
}

/**
 * One batch (PmtInf) per collection date and sequence type, dates in order,
 * then FRST, RCUR, OOFF, FNAL. PmtInfId = MsgId-SEQ, numbered when a file has
 * several dates.
 */
export function paymentGroups(f: DirectDebitFile): { pmtInfId: string; seq: SequenceType; date: string; txs: DebitTransaction[] }[] {
  const dates = [...new Set(f.transactions.map((t) => t.collectionDate))].sort()
  const out: { pmtInfId: string; seq: SequenceType; date: string; txs: DebitTransaction[] }[] = []
  dates.forEach((date, i) => {
    for (const seq of SEQUENCE_TYPES) {
      const txs = f.transactions.filter((t) => t.collectionDate === date && t.sequenceType === seq)
      if (txs.length) out.push({ pmtInfId: `${f.msgId}-${seq}${dates.length > 1 ? i + 1 : ''}`, seq, date, txs })
    }
  })
  return out
}

/**
 * The XML in pieces, to be written one after the other (a city's file is
 * tens of MB: it is never held as one string). The input is checked first;
 * each piece of up to `chunk` transactions is checked by {@link checkPain008Xml}
 * as a file of its own (same header and batch, its own totals), and the totals
 * of the real header and batches are those of the input, checked above.
 * Throws with the French problems.
 */
export function* pain008Pieces(f: DirectDebitFile, chunk = 500, inputChecked = false): Generator<string> {
  // `inputChecked`: the caller ran checkDirectDebitInput's steps itself (a city's file, pausing between them).
  const problems = inputChecked ? [] : checkDirectDebitInput(f)
  if (problems.length) throw new Error(problems.join('\n'))
  const v08 = f.format === 'pain.008.001.08'
  yield documentHead(f, f.transactions)
  for (const g of paymentGroups(f)) {
    yield pmtInfHead(f, g.pmtInfId, g.seq, g.date, g.txs)
    for (let i = 0; i < g.txs.length; i += chunk) {
      const part = g.txs.slice(i, i + chunk)
      const items = part.map((t) => txXml(t, v08)).join('')
      const after = checkPain008Xml(documentHead(f, part) + pmtInfHead(f, g.pmtInfId, g.seq, g.date, part) + items + PMTINF_END + DOCUMENT_END)
      if (after.length) throw new Error(after.join('\n'))
      yield items
    }
    yield PMTINF_END
  }
  yield DOCUMENT_END
}

/** Writes the XML as one string (small files, tests). Throws with the French problems if the input or the result breaks a rule. */
export function buildPain008(f: DirectDebitFile): string {
  const xml = [...pain008Pieces(f)].join('')
  const after = checkPain008Xml(xml)
  if (after.length) throw new Error(after.join('\n'))
  return xml
}

// ---------------------------------------------------------------- checker

function unescapeXml(s: string): string {
  return s
    .replace(/&#x([0-9a-f]+);/gi, (_, h: string) => String.fromCodePoint(parseInt(h, 16)))
    .replace(/&#(\d+);/g, (_, d: string) => String.fromCodePoint(Number(d)))
    .replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&')
}

const tagPatterns = new Map<string, RegExp>()
/** Contents of every `<tag>` (matchAll copies the cached pattern, so it is safe to share). */
function all(xml: string, tag: string): string[] {
  let re = tagPatterns.get(tag)
  if (!re) tagPatterns.set(tag, (re = new RegExp(`<${tag}(?:\\s[^>]*)?>([\\s\\S]*?)</${tag}>`, 'g')))
  return [...xml.matchAll(re)].map((m) => m[1])
}

function one(xml: string, tag: string): string | null {
  return all(xml, tag)[0] ?? null
}

function toCents(s: string | null): number | null {
  if (s === null || !/^\d+(\.\d{1,2})?$/.test(s.trim())) return null
  const [e, c = ''] = s.trim().split('.')
  return Number(e) * 100 + Number(c.padEnd(2, '0'))
}

/**
 * The EPC rules a pain.008.001.02 or .08 file must meet beyond its XSD,
 * checked on the XML text itself. Returns French problems; empty = compliant.
 */
export function checkPain008Xml(xml: string): string[] {
  const p: string[] = []
  const body = xml.replace(/<!--[\s\S]*?-->/g, '')
  const version = /xmlns="urn:iso:std:iso:20022:tech:xsd:(pain\.008\.001\.0[28])"/.exec(body)?.[1]
  if (!version) p.push('Espace de noms : pain.008.001.02 ou pain.008.001.08 attendu.')
  const grp = one(body, 'GrpHdr') ?? ''
  const pmtInfs = all(body, 'PmtInf')
  const allTx = all(body, 'DrctDbtTxInf')
  const amountOf = (tx: string) => toCents(one(tx, 'InstdAmt'))
  const sum = (txs: string[]) => txs.reduce((s, t) => s + (amountOf(t) ?? 0), 0)

  const msgId = unescapeXml(one(grp, 'MsgId') ?? '')
  const idp = epcIdProblem(msgId)
  if (idp) p.push(`MsgId : ${idp}`)
  if (Number(one(grp, 'NbOfTxs')) !== allTx.length) p.push(`GrpHdr/NbOfTxs = ${one(grp, 'NbOfTxs')} mais le fichier contient ${allTx.length} transactions.`)
  const grpSum = toCents(one(grp, 'CtrlSum'))
  if (grpSum === null) p.push('GrpHdr/CtrlSum absent ou avec plus de 2 décimales.')
  else if (grpSum !== sum(allTx)) p.push(`GrpHdr/CtrlSum = ${one(grp, 'CtrlSum')} mais la somme des transactions est ${(sum(allTx) / 100).toFixed(2)}.`)

  const ids = new Set<string>()
  const batches = new Set<string>()
  const mandates = new Map<string, string[]>()
  for (const pi of pmtInfs) {
    const pid = unescapeXml(one(pi, 'PmtInfId') ?? '')
    const where = `PmtInf ${pid}`
    const e = epcIdProblem(pid)
    if (e) p.push(`${where} : PmtInfId ${e}.`)
    const txs = all(pi, 'DrctDbtTxInf')
    if (Number(one(pi, 'NbOfTxs')) !== txs.length) p.push(`${where} : NbOfTxs = ${one(pi, 'NbOfTxs')} pour ${txs.length} transactions.`)
    const s = toCents(one(pi, 'CtrlSum'))
    if (s === null || s !== sum(txs)) p.push(`${where} : CtrlSum = ${one(pi, 'CtrlSum')} pour une somme de ${(sum(txs) / 100).toFixed(2)}.`)
    const seqs = all(pi, 'SeqTp')
    const seq = seqs[0] as SequenceType
    if (seqs.length !== 1 || !SEQUENCE_TYPES.includes(seq)) p.push(`${where} : un seul SeqTp (FRST, RCUR, OOFF ou FNAL) attendu.`)
    const batchKey = `${seq}|${one(pi, 'ReqdColltnDt')}`
    if (batches.has(batchKey)) p.push(`${where} : deux lots pour le même type de séquence et la même date (${batchKey.replace('|', ', ')}).`)
    batches.add(batchKey)
    if (one(pi, 'PmtMtd') !== 'DD') p.push(`${where} : PmtMtd doit valoir DD.`)
    if (one(one(pi, 'SvcLvl') ?? '', 'Cd') !== 'SEPA') p.push(`${where} : SvcLvl/Cd doit valoir SEPA.`)
    const li = one(one(pi, 'LclInstrm') ?? '', 'Cd')
    if (li !== 'CORE' && li !== 'B2B') p.push(`${where} : LclInstrm/Cd doit valoir CORE ou B2B.`)
    if (one(pi, 'ChrgBr') !== 'SLEV') p.push(`${where} : ChrgBr doit valoir SLEV.`)
    const schme = one(pi, 'CdtrSchmeId') ?? ''
    const ics = unescapeXml(one(one(schme, 'Othr') ?? '', 'Id') ?? '')
    if (!isValidIcs(ics)) p.push(`${where} : identifiant créancier ${ics} invalide (clé MOD 97-10).`)
    if (one(schme, 'Prtry') !== 'SEPA') p.push(`${where} : SchmeNm/Prtry doit valoir SEPA.`)
    const cdtrIban = one(one(pi, 'CdtrAcct') ?? '', 'IBAN') ?? ''
    if (!isValidIban(cdtrIban)) p.push(`${where} : IBAN créancier invalide.`)
    for (const tx of txs) {
      const e2e = unescapeXml(one(tx, 'EndToEndId') ?? '')
      const w = `Transaction ${e2e}`
      const ee = epcIdProblem(e2e)
      if (ee) p.push(`${w} : EndToEndId ${ee}.`)
      if (ids.has(e2e)) p.push(`${w} : EndToEndId en double.`)
      ids.add(e2e)
      const amt = amountOf(tx)
      const ccy = /<InstdAmt\s+Ccy="([A-Z]{3})"/.exec(tx)?.[1]
      if (amt === null) p.push(`${w} : montant absent ou avec plus de 2 décimales.`)
      else if (amt < 1 || amt > MAX_AMOUNT_CENTS) p.push(`${w} : montant hors limites.`)
      if (ccy !== 'EUR') p.push(`${w} : devise ${ccy ?? '?'} (EUR attendu).`)
      const rum = unescapeXml(one(tx, 'MndtId') ?? '')
      const re = epcIdProblem(rum)
      if (re) p.push(`${w} : MndtId ${re}.`)
      mandates.set(rum, [...(mandates.get(rum) ?? []), seq])
      if (!one(tx, 'DtOfSgntr')) p.push(`${w} : DtOfSgntr manquante.`)
      const amended = one(tx, 'AmdmntInd') === 'true'
      const details = one(tx, 'AmdmntInfDtls')
      if (amended && !details?.trim()) p.push(`${w} : AmdmntInd = true sans AmdmntInfDtls.`)
      if (!amended && details !== null) p.push(`${w} : AmdmntInfDtls sans AmdmntInd = true.`)
      if (details && details.includes('<Id>SMNDA</Id>') && seq !== 'FRST') p.push(`${w} : changement de banque (SMNDA) hors d’un premier prélèvement (FRST).`)
      const dIban = one(one(tx, 'DbtrAcct') ?? '', 'IBAN') ?? ''
      if (!isValidIban(dIban)) p.push(`${w} : IBAN débiteur invalide.`)
      if (all(tx, 'Ustrd').length > 1) p.push(`${w} : une seule RmtInf/Ustrd autorisée.`)
      if (all(tx, 'Ustrd').length && all(tx, 'Strd').length) p.push(`${w} : RmtInf structurée et non structurée ensemble.`)
    }
  }
  for (const [rum, seqs] of mandates) {
    if (seqs.length > 1 && seqs.includes('FRST')) p.push(`Mandat ${rum} : ${seqs.length} prélèvements dont un premier (FRST) dans le même fichier.`)
  }
  if (version === 'pain.008.001.08') {
    // EPC rulebook 2023+: no unstructured-only address; town and country always structured.
    for (const a of all(body, 'PstlAdr')) {
      if (!one(a, 'TwnNm') || !one(a, 'Ctry')) p.push('Adresse postale : TwnNm et Ctry sont obligatoires (adresse structurée ou hybride).')
      if (all(a, 'AdrLine').length > 2) p.push('Adresse postale hybride : 2 lignes AdrLine au plus.')
    }
  }

  // Every text node: EPC character set, names ≤ 70, Ustrd ≤ 140.
  for (const m of body.matchAll(/<([A-Za-z]+)(?:\s[^>]*)?>([^<]+)<\/\1>/g)) {
    const [, tag, raw] = m
    const text = unescapeXml(raw)
    if (!isEpcText(text)) p.push(`<${tag}> « ${text} » contient des caractères hors du jeu EPC (accents, &, guillemets…).`)
    if (tag === 'Nm' && text.length > 70) p.push(`<Nm> « ${text.slice(0, 20)}… » dépasse 70 caractères.`)
    if (tag === 'Ustrd' && text.length > 140) p.push('<Ustrd> dépasse 140 caractères.')
  }
  return p
}
