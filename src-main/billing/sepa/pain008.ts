/**
 * SEPA Direct Debit initiation, pain.008.001.02 (the version French banks and
 * the CFONB guide accept), SDD CORE. The XSD checks the structure; the EPC
 * rules it does not check (character set, lengths, control totals per file
 * and per PmtInf, one SeqTp per PmtInf, 2-decimal amounts, check digits) are
 * enforced here twice: on the input before writing, and on the written XML
 * by {@link checkPain008Xml}, which also catches files produced elsewhere.
 */
import { decimalAmount } from '@shared/billing/money'
import { ibanProblem, isValidBic, isValidIban, isValidIcs, normalizeIban } from '@shared/check-digits'
import { epcIdProblem, epcText, isEpcText } from './epc-text'

export type SequenceType = 'FRST' | 'RCUR' | 'OOFF' | 'FNAL'
export const SEQUENCE_TYPES: readonly SequenceType[] = ['FRST', 'RCUR', 'OOFF', 'FNAL']

export interface DebitTransaction {
  /** Returned in R-transactions: the invoice number. */
  endToEndId: string
  amountCents: number
  mandateId: string
  mandateSignedOn: string
  sequenceType: SequenceType
  debtorName: string
  debtorIban: string
  debtorBic: string | null
  remittance: string
}

export interface DirectDebitFile {
  msgId: string
  /** Local date-time, "2026-03-02T09:15:00". */
  createdAt: string
  initiatingParty: string
  creditor: { name: string; iban: string; bic: string | null; ics: string }
  collectionDate: string
  transactions: DebitTransaction[]
}

export const MAX_AMOUNT_CENTS = 99_999_999_999

/** Problems with the input, in French; empty when the file can be written. */
export function checkDirectDebitInput(f: DirectDebitFile): string[] {
  const p: string[] = []
  const idp = epcIdProblem(f.msgId)
  if (idp) p.push(`Identifiant du message : ${idp}`)
  if (!isValidIcs(f.creditor.ics)) p.push(`Identifiant créancier SEPA (ICS) « ${f.creditor.ics} » invalide (clé MOD 97-10).`)
  const cp = ibanProblem(f.creditor.iban)
  if (cp) p.push(`IBAN du créancier : ${cp}`)
  if (f.creditor.bic && !isValidBic(f.creditor.bic)) p.push('BIC du créancier invalide.')
  if (!epcText(f.creditor.name, 70)) p.push('Nom du créancier vide.')
  if (!/^\d{4}-\d{2}-\d{2}$/.test(f.collectionDate)) p.push("Date d'échéance du prélèvement invalide.")
  if (f.transactions.length === 0) p.push('Aucune transaction à prélever.')
  const seen = new Set<string>()
  for (const t of f.transactions) {
    const who = `Transaction ${t.endToEndId}`
    const e2e = epcIdProblem(t.endToEndId)
    if (e2e) p.push(`${who} : référence de bout en bout ${e2e}.`)
    if (seen.has(t.endToEndId)) p.push(`${who} : référence en double.`)
    seen.add(t.endToEndId)
    const rum = epcIdProblem(t.mandateId)
    if (rum) p.push(`${who} : RUM « ${t.mandateId} » ${rum}.`)
    if (!Number.isInteger(t.amountCents) || t.amountCents < 1 || t.amountCents > MAX_AMOUNT_CENTS) p.push(`${who} : montant hors limites (0,01 à 999 999 999,99 €).`)
    if (!SEQUENCE_TYPES.includes(t.sequenceType)) p.push(`${who} : type de séquence invalide.`)
    if (!/^\d{4}-\d{2}-\d{2}$/.test(t.mandateSignedOn)) p.push(`${who} : date de signature du mandat invalide.`)
    if (!isValidIban(t.debtorIban)) p.push(`${who} : IBAN du débiteur invalide.`)
    if (t.debtorBic && !isValidBic(t.debtorBic)) p.push(`${who} : BIC du débiteur invalide.`)
    if (!epcText(t.debtorName, 70)) p.push(`${who} : nom du débiteur vide.`)
  }
  return p
}

/** XML text escaping; EPC text never holds quotes, and apostrophes need none in element content. */
const x = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')

function pmtInfXml(f: DirectDebitFile, seq: SequenceType, txs: DebitTransaction[]): string {
  const total = txs.reduce((s, t) => s + t.amountCents, 0)
  const cdtrAgt = f.creditor.bic
    ? `<CdtrAgt><FinInstnId><BIC>${x(f.creditor.bic.toUpperCase())}</BIC></FinInstnId></CdtrAgt>`
    : `<CdtrAgt><FinInstnId><Othr><Id>NOTPROVIDED</Id></Othr></FinInstnId></CdtrAgt>`
  const items = txs.map((t) => {
    const dbtrAgt = t.debtorBic
      ? `<DbtrAgt><FinInstnId><BIC>${x(t.debtorBic.replace(/\s/g, '').toUpperCase())}</BIC></FinInstnId></DbtrAgt>`
      : `<DbtrAgt><FinInstnId><Othr><Id>NOTPROVIDED</Id></Othr></FinInstnId></DbtrAgt>`
    return `
      <DrctDbtTxInf>
        <PmtId><EndToEndId>${x(t.endToEndId)}</EndToEndId></PmtId>
        <InstdAmt Ccy="EUR">${decimalAmount(t.amountCents)}</InstdAmt>
        <DrctDbtTx><MndtRltdInf><MndtId>${x(t.mandateId)}</MndtId><DtOfSgntr>${t.mandateSignedOn}</DtOfSgntr></MndtRltdInf></DrctDbtTx>
        ${dbtrAgt}
        <Dbtr><Nm>${x(epcText(t.debtorName, 70))}</Nm></Dbtr>
        <DbtrAcct><Id><IBAN>${normalizeIban(t.debtorIban)}</IBAN></Id></DbtrAcct>
        <RmtInf><Ustrd>${x(epcText(t.remittance, 140))}</Ustrd></RmtInf>
      </DrctDbtTxInf>`
  })
  return `
    <PmtInf>
      <PmtInfId>${x(`${f.msgId}-${seq}`.slice(0, 35))}</PmtInfId>
      <PmtMtd>DD</PmtMtd>
      <BtchBookg>true</BtchBookg>
      <NbOfTxs>${txs.length}</NbOfTxs>
      <CtrlSum>${decimalAmount(total)}</CtrlSum>
      <PmtTpInf><SvcLvl><Cd>SEPA</Cd></SvcLvl><LclInstrm><Cd>CORE</Cd></LclInstrm><SeqTp>${seq}</SeqTp></PmtTpInf>
      <ReqdColltnDt>${f.collectionDate}</ReqdColltnDt>
      <Cdtr><Nm>${x(epcText(f.creditor.name, 70))}</Nm></Cdtr>
      <CdtrAcct><Id><IBAN>${normalizeIban(f.creditor.iban)}</IBAN></Id></CdtrAcct>
      ${cdtrAgt}
      <ChrgBr>SLEV</ChrgBr>
      <CdtrSchmeId><Id><PrvtId><Othr><Id>${x(f.creditor.ics.replace(/\s/g, '').toUpperCase())}</Id><SchmeNm><Prtry>SEPA</Prtry></SchmeNm></Othr></PrvtId></Id></CdtrSchmeId>${items.join('')}
    </PmtInf>`
}

/**
 * Writes the XML. Transactions are grouped by sequence type, one PmtInf per
 * type (in FRST, RCUR, OOFF, FNAL order). Throws with the French problems if
 * the input breaks a rule.
 */
export function buildPain008(f: DirectDebitFile): string {
  const problems = checkDirectDebitInput(f)
  if (problems.length) throw new Error(problems.join('\n'))
  const groups = SEQUENCE_TYPES.map((s) => [s, f.transactions.filter((t) => t.sequenceType === s)] as const).filter(([, t]) => t.length > 0)
  const total = f.transactions.reduce((s, t) => s + t.amountCents, 0)
  const xml = `<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.008.001.02" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <CstmrDrctDbtInitn>
    <GrpHdr>
      <MsgId>${x(f.msgId)}</MsgId>
      <CreDtTm>${f.createdAt.slice(0, 19)}</CreDtTm>
      <NbOfTxs>${f.transactions.length}</NbOfTxs>
      <CtrlSum>${decimalAmount(total)}</CtrlSum>
      <InitgPty><Nm>${x(epcText(f.initiatingParty, 70))}</Nm></InitgPty>
    </GrpHdr>${groups.map(([s, t]) => pmtInfXml(f, s, t)).join('')}
  </CstmrDrctDbtInitn>
</Document>
`
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

function all(xml: string, tag: string): string[] {
  const re = new RegExp(`<${tag}(?:\\s[^>]*)?>([\\s\\S]*?)</${tag}>`, 'g')
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
 * The EPC rules a pain.008.001.02 file must meet beyond its XSD, checked on
 * the XML text itself. Returns French problems; empty = compliant.
 */
export function checkPain008Xml(xml: string): string[] {
  const p: string[] = []
  const body = xml.replace(/<!--[\s\S]*?-->/g, '')
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
    if (seqs.length !== 1 || !SEQUENCE_TYPES.includes(seqs[0] as SequenceType)) p.push(`${where} : un seul SeqTp (FRST, RCUR, OOFF ou FNAL) attendu.`)
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
      if (!one(tx, 'DtOfSgntr')) p.push(`${w} : DtOfSgntr manquante.`)
      const dIban = one(one(tx, 'DbtrAcct') ?? '', 'IBAN') ?? ''
      if (!isValidIban(dIban)) p.push(`${w} : IBAN débiteur invalide.`)
      if (all(tx, 'Ustrd').length > 1) p.push(`${w} : une seule RmtInf/Ustrd autorisée.`)
      if (all(tx, 'Ustrd').length && all(tx, 'Strd').length) p.push(`${w} : RmtInf structurée et non structurée ensemble.`)
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
