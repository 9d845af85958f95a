/**
 * Systempay / PayZen hosted-form protocol ("API formulaire V2"), as described
 * in shared/reference/paiement/NOTES-payfip-systempay.md:
 * every `vads_*` field sorted by name, values joined with "+", then "+" and
 * the shop key; HMAC-SHA-256 with the same key, Base64 (or the deprecated
 * SHA-1 hex). The IPN carries the same kind of fields and is verified the
 * same way, from the fields received.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto'

export type SignatureAlgorithm = 'hmac-sha256' | 'sha1'
export type CtxMode = 'TEST' | 'PRODUCTION'

export const SYSTEMPAY_URL = 'https://paiement.systempay.fr/vads-payment/'

/** Statuses Lyra documents as "payment accepted" events. */
export const ACCEPTED_STATUSES = new Set([
  'ACCEPTED', 'AUTHORISED', 'AUTHORISED_TO_VALIDATE', 'CAPTURED', 'INITIAL', 'UNDER_VERIFICATION',
  'WAITING_AUTHORISATION', 'WAITING_AUTHORISATION_TO_VALIDATE', 'WAITING_FOR_PAYMENT'
])
export const FAILED_STATUSES = new Set(['REFUSED', 'ABANDONED', 'CANCELLED', 'EXPIRED'])

/** The string that is signed: sorted vads_ values joined by "+", then "+key". */
export function stringToSign(fields: Record<string, string>, key: string): string {
  const names = Object.keys(fields).filter((k) => k.startsWith('vads_')).sort()
  return [...names.map((k) => fields[k] ?? ''), key].join('+')
}

export function computeSignature(fields: Record<string, string>, key: string, algo: SignatureAlgorithm = 'hmac-sha256'): string {
  const s = stringToSign(fields, key)
  if (algo === 'sha1') return createHash('sha1').update(s, 'utf8').digest('hex')
  return createHmac('sha256', key).update(s, 'utf8').digest('base64')
}

/** Constant-time comparison of the received signature with the one recomputed from the received fields. */
export function verifySignature(fields: Record<string, string>, key: string, algo: SignatureAlgorithm = 'hmac-sha256'): boolean {
  const got = fields.signature
  if (typeof got !== 'string' || !got) return false
  const want = computeSignature(fields, key, algo)
  const a = Buffer.from(got, 'utf8')
  const b = Buffer.from(want, 'utf8')
  return a.length === b.length && timingSafeEqual(a, b)
}

/** vads_trans_date: UTC, YYYYMMDDHHMMSS (a local time gives Systempay error 04). */
export function transDate(d: Date): string {
  return d.toISOString().replace(/[-:T]/g, '').slice(0, 14)
}

export interface FormRequest {
  siteId: string
  key: string
  ctxMode: CtxMode
  amountCents: number
  /** 6 digits, unique per shop and day. */
  transId: string
  at: Date
  orderId: string
  /** Browser return (not a proof of payment). */
  urlReturn: string
  /** Server-to-server notification URL (IPN); overrides the back-office setting. */
  urlCheck?: string
  email?: string
  orderInfo?: string
  algo?: SignatureAlgorithm
}

/** The hidden fields of the payment form, signature included. */
export function buildPaymentForm(r: FormRequest): Record<string, string> {
  if (!/^\d{8}$/.test(r.siteId)) throw new Error('vads_site_id must be 8 digits')
  if (!/^[0-9a-zA-Z]{6}$/.test(r.transId)) throw new Error('vads_trans_id must be 6 characters')
  if (!Number.isInteger(r.amountCents) || r.amountCents <= 0) throw new Error('amount must be positive integer cents')
  const f: Record<string, string> = {
    vads_action_mode: 'INTERACTIVE',
    vads_amount: String(r.amountCents),
    vads_ctx_mode: r.ctxMode,
    vads_currency: '978',
    vads_order_id: r.orderId,
    vads_page_action: 'PAYMENT',
    vads_payment_config: 'SINGLE',
    vads_return_mode: 'GET',
    vads_site_id: r.siteId,
    vads_trans_date: transDate(r.at),
    vads_trans_id: r.transId,
    vads_url_return: r.urlReturn,
    vads_version: 'V2'
  }
  if (r.urlCheck) f.vads_url_check = r.urlCheck
  if (r.email) f.vads_cust_email = r.email
  if (r.orderInfo) f.vads_order_info = r.orderInfo
  f.signature = computeSignature(f, r.key, r.algo)
  return f
}

export type IpnOutcome = 'accepted' | 'failed' | 'other'

export interface VerifiedIpn {
  orderId: string
  transId: string
  transUuid: string
  amountCents: number
  status: string
  outcome: IpnOutcome
  /** PAY (first notification), BO, BATCH, RETRY… */
  source: string
}

/**
 * Checks an IPN body. Returns null when the signature does not match the
 * received fields, the site is not ours or a field is malformed: such a call
 * must change nothing.
 */
export function readIpn(fields: Record<string, string>, opts: { siteId: string; key: string; algo?: SignatureAlgorithm }): VerifiedIpn | null {
  if (!verifySignature(fields, opts.key, opts.algo)) return null
  if (fields.vads_site_id !== opts.siteId) return null
  if (fields.vads_currency !== '978') return null
  const amount = Number(fields.vads_amount)
  if (!/^\d+$/.test(fields.vads_amount ?? '') || !Number.isSafeInteger(amount)) return null
  const status = fields.vads_trans_status ?? ''
  return {
    orderId: fields.vads_order_id ?? '',
    transId: fields.vads_trans_id ?? '',
    transUuid: fields.vads_trans_uuid ?? '',
    amountCents: amount,
    status,
    outcome: ACCEPTED_STATUSES.has(status) ? 'accepted' : FAILED_STATUSES.has(status) ? 'failed' : 'other',
    source: fields.vads_url_check_src ?? ''
  }
}
