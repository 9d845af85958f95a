/**
 * PayFiP (DGFiP), the online payment of titres of public régies, through its
 * SOAP web service (shared/reference/paiement/NOTES-payfip-systempay.md):
 *
 * 1. `creerPaiementSecurise(arg0 { exer, mel, montant, numcli, objet, refdet,
 *    saisie, urlnotif, urlredirect })` returns an operation id `idOp`; the
 *    browser goes to `paiementws.web?idop=…` (the legacy TIPI URL called the
 *    return address `urlcl`: here `urlredirect`, and `urlnotif` for PayFiP's
 *    server-to-server call);
 * 2. PayFiP calls `urlnotif` with `idop` only. Nothing in it is proof: we ask
 *    PayFiP ourselves, `recupererDetailPaiementSecurise(idOp)`, and check the
 *    answer against our order (numcli, exer, refdet, montant);
 * 3. `resultrans`: P paid by card, V paid by direct debit, R / Z refused,
 *    A abandoned. A fault with code P5 means "not finished yet", P1 "unknown
 *    operation" (expired and cleaned).
 *
 * The envelopes are built by fast-xml-parser's builder (values escaped) and
 * the answers read with its parser.
 */
import { XMLBuilder, XMLParser } from 'fast-xml-parser'
import { epcText } from '../sepa/epc-text'
import { postBody } from './http'

export const PAYFIP_SERVICE_URL = 'https://www.payfip.gouv.fr/tpa/services/securite'
export const PAYFIP_PAYMENT_URL = 'https://www.payfip.gouv.fr/tpa/paiementws.web'
export const NS_SERVICE = 'http://securite.service.tpa.cp.finances.gouv.fr/services/mas_securite/contrat_paiement_securise/PaiementSecuriseService'
export const NS_REPONSE = 'http://securite.service.tpa.cp.finances.gouv.fr/reponse'
const NS_SOAP = 'http://schemas.xmlsoap.org/soap/envelope/'

/** Amounts PayFiP takes by card (integer cents). */
export const PAYFIP_MIN_CENTS = 100
export const PAYFIP_MAX_CENTS = 9_999_999

/** What identifies a payment at PayFiP: sent by creerPaiementSecurise, echoed by recupererDetailPaiementSecurise. */
export interface PayfipOperation {
  numcli: string
  exer: string
  refdet: string
  objet: string
  /** Integer cents. */
  montant: number
  mel: string
  saisie: 'T' | 'X' | 'W'
}

export interface PayfipRequest extends PayfipOperation {
  urlnotif: string
  urlredirect: string
}

export interface PayfipDetail extends PayfipOperation {
  idOp: string
  resultrans: string
  numauto: string
  /** DDMMYYYY and HHMM, Paris time. */
  dattrans: string
  heurtrans: string
}

export type PayfipOutcome = 'paid' | 'refused' | 'abandoned' | 'unknown'

export function payfipOutcome(resultrans: string): { outcome: PayfipOutcome; label: string } {
  switch (resultrans) {
    case 'P':
      return { outcome: 'paid', label: 'carte bancaire (PayFiP)' }
    case 'V':
      return { outcome: 'paid', label: 'prélèvement unique (PayFiP)' }
    case 'R':
    case 'Z':
      return { outcome: 'refused', label: 'refusé' }
    case 'A':
      return { outcome: 'abandoned', label: 'abandonné' }
    default:
      return { outcome: 'unknown', label: `résultat « ${resultrans} »` }
  }
}

/** An error of PayFiP's web service: its FonctionnelleErreur code (P1 unknown operation, P5 not finished…) or 'soap'. */
export class PayfipError extends Error {
  constructor(
    public readonly code: string,
    message: string
  ) {
    super(message)
    this.name = 'PayfipError'
  }
}

/** "objet": letters, digits and spaces, 100 characters at most. */
export function payfipObjet(s: string): string {
  return epcText(s, 200)
    .replace(/[^A-Za-z0-9 ]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 100)
    .trim()
}

/** French problems with a request, empty when PayFiP should accept it. */
export function payfipRequestProblems(r: PayfipRequest): string[] {
  const p: string[] = []
  if (!/^\d{6}$/.test(r.numcli)) p.push('numéro client (numcli) : 6 chiffres')
  if (!/^\d{4}$/.test(r.exer)) p.push('exercice (exer) : 4 chiffres')
  if (!/^[A-Za-z0-9]{6,30}$/.test(r.refdet)) p.push('référence de la dette (refdet) : 6 à 30 lettres ou chiffres')
  if (!/^[A-Za-z0-9 ]{0,100}$/.test(r.objet)) p.push('objet : 100 lettres, chiffres ou espaces au plus')
  if (!Number.isInteger(r.montant) || r.montant < PAYFIP_MIN_CENTS || r.montant > PAYFIP_MAX_CENTS) p.push('montant : de 1,00 € à 99 999,99 €, en centimes')
  if (r.mel.length < 6 || r.mel.length > 80 || !/^[^@\s]+@[^@\s]+$/.test(r.mel)) p.push('adresse e-mail (mel) : 6 à 80 caractères')
  if (!['T', 'X', 'W'].includes(r.saisie)) p.push('saisie : T, X ou W')
  for (const k of ['urlnotif', 'urlredirect'] as const) if (!/^https?:\/\/\S+$/.test(r[k])) p.push(`${k} : adresse http(s)`)
  return p
}

const builder = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: '@_', suppressEmptyNode: false })
const parser = new XMLParser({ ignoreAttributes: true, removeNSPrefix: true, parseTagValue: false, trimValues: true })

/** A SOAP 1.1 envelope around one operation of the PaiementSecuriseService. */
export function soapEnvelope(operation: string, arg0: Record<string, string>): string {
  return builder.build({
    '?xml': { '@_version': '1.0', '@_encoding': 'UTF-8' },
    'soapenv:Envelope': {
      '@_xmlns:soapenv': NS_SOAP,
      '@_xmlns:pai': NS_SERVICE,
      'soapenv:Body': { [`pai:${operation}`]: { arg0 } }
    }
  }) as string
}

/** Reads a SOAP envelope: the operation (first element of the Body) and its fields, or the fault. */
export function readSoap(xml: string): { operation: string; fields: Record<string, string> } | { fault: { code: string; message: string } } {
  let doc: Record<string, unknown>
  try {
    doc = parser.parse(xml) as Record<string, unknown>
  } catch {
    return { fault: { code: 'soap', message: 'réponse illisible' } }
  }
  const body = (doc.Envelope as Record<string, unknown> | undefined)?.Body as Record<string, unknown> | undefined
  if (!body) return { fault: { code: 'soap', message: 'pas de corps SOAP' } }
  const fault = body.Fault as Record<string, unknown> | undefined
  if (fault) {
    const detail = ((fault.detail as Record<string, unknown> | undefined)?.FonctionnelleErreur ?? {}) as Record<string, string>
    return { fault: { code: detail.code || 'soap', message: detail.libelle || detail.descriptif || String(fault.faultstring ?? 'erreur') } }
  }
  const [operation] = Object.keys(body)
  const inner = (body[operation] ?? {}) as Record<string, unknown>
  const payload = (inner.arg0 ?? inner.return ?? {}) as Record<string, unknown>
  return { operation, fields: Object.fromEntries(Object.entries(payload).map(([k, v]) => [k, String(v ?? '')])) }
}

export function soapFault(code: string, libelle: string): string {
  return builder.build({
    '?xml': { '@_version': '1.0', '@_encoding': 'UTF-8' },
    'soapenv:Envelope': {
      '@_xmlns:soapenv': NS_SOAP,
      'soapenv:Body': {
        'soapenv:Fault': {
          faultcode: 'soapenv:Server',
          faultstring: 'fr.gouv.finances.cp.tpa.webservice.exceptions.FonctionnelleErreur',
          detail: { FonctionnelleErreur: { code, libelle, severite: '2' } }
        }
      }
    }
  }) as string
}

export function soapResponse(operation: string, fields: Record<string, string>): string {
  return builder.build({
    '?xml': { '@_version': '1.0', '@_encoding': 'UTF-8' },
    'soapenv:Envelope': {
      '@_xmlns:soapenv': NS_SOAP,
      'soapenv:Body': { [`ns:${operation}Response`]: { '@_xmlns:ns': NS_SERVICE, return: { '@_xmlns': NS_REPONSE, ...fields } } }
    }
  }) as string
}

async function call(serviceUrl: string, operation: string, arg0: Record<string, string>): Promise<Record<string, string>> {
  let res: { status: number; body: string }
  try {
    res = await postBody(serviceUrl, soapEnvelope(operation, arg0), 'text/xml; charset=utf-8', { soapaction: '""' })
  } catch (e) {
    throw new PayfipError('network', `PayFiP injoignable (${(e as Error).message})`)
  }
  const r = readSoap(res.body)
  if ('fault' in r) throw new PayfipError(r.fault.code, r.fault.message)
  if (res.status !== 200) throw new PayfipError('soap', `HTTP ${res.status}`)
  return r.fields
}

export async function creerPaiementSecurise(serviceUrl: string, r: PayfipRequest): Promise<string> {
  const problems = payfipRequestProblems(r)
  if (problems.length) throw new PayfipError('input', problems.join(' ; '))
  const f = await call(serviceUrl, 'creerPaiementSecurise', {
    exer: r.exer,
    mel: r.mel,
    montant: String(r.montant),
    numcli: r.numcli,
    objet: r.objet,
    refdet: r.refdet,
    saisie: r.saisie,
    urlnotif: r.urlnotif,
    urlredirect: r.urlredirect
  })
  if (!f.idOp) throw new PayfipError('soap', 'pas d’identifiant d’opération (idOp) dans la réponse')
  return f.idOp
}

export async function recupererDetailPaiementSecurise(serviceUrl: string, idOp: string): Promise<PayfipDetail> {
  const f = await call(serviceUrl, 'recupererDetailPaiementSecurise', { idOp })
  const montant = Number(f.montant)
  if (!/^\d+$/.test(f.montant ?? '') || !Number.isSafeInteger(montant)) throw new PayfipError('soap', 'montant illisible dans la réponse')
  return {
    idOp: f.idOp ?? '',
    numcli: f.numcli ?? '',
    exer: f.exer ?? '',
    refdet: f.refdet ?? '',
    objet: f.objet ?? '',
    montant,
    mel: f.mel ?? '',
    saisie: (f.saisie ?? '') as PayfipDetail['saisie'],
    resultrans: f.resultrans ?? '',
    numauto: f.numauto ?? '',
    dattrans: f.dattrans ?? '',
    heurtrans: f.heurtrans ?? ''
  }
}
