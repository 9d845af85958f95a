import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { buildPaymentForm, computeSignature, readIpn, stringToSign, transDate, verifySignature } from '../../src-main/billing/payments/systempay'

const vector = JSON.parse(readFileSync(new URL('../fixtures/billing/systempay-form-signature-test-vector.json', import.meta.url), 'utf8')) as {
  fields: Record<string, string>
  key: string
  string_to_sign: string
  signature_sha1_hex_documented: string
  signature_hmac_sha256_base64_computed: string
}

describe('Systempay form signature', () => {
  it('builds the documented string to sign', () => {
    expect(stringToSign(vector.fields, vector.key)).toBe(vector.string_to_sign)
  })
  it('matches the reference vector (HMAC-SHA-256 Base64 and the documented SHA-1)', () => {
    expect(computeSignature(vector.fields, vector.key)).toBe(vector.signature_hmac_sha256_base64_computed)
    expect(computeSignature(vector.fields, vector.key, 'sha1')).toBe(vector.signature_sha1_hex_documented)
  })
  it('ignores non-vads fields and field order', () => {
    const shuffled = Object.fromEntries(Object.entries(vector.fields).reverse())
    expect(computeSignature({ ...shuffled, signature: 'x', other: 'y' }, vector.key)).toBe(vector.signature_hmac_sha256_base64_computed)
  })
  it('writes the transaction date in UTC', () => {
    expect(transDate(new Date('2026-03-01T23:30:05+01:00'))).toBe('20260301223005')
  })
  it('signs a form that verifies, and detects tampering', () => {
    const f = buildPaymentForm({ siteId: '12345678', key: 'k', ctxMode: 'TEST', amountCents: 24536, transId: '000123', at: new Date(), orderId: 'P-1', urlReturn: 'https://x/retour' })
    expect(verifySignature(f, 'k')).toBe(true)
    expect(verifySignature({ ...f, vads_amount: '1' }, 'k')).toBe(false)
    expect(verifySignature(f, 'other')).toBe(false)
  })
})

describe('IPN reading', () => {
  const base = { vads_site_id: '12345678', vads_currency: '978', vads_amount: '1524', vads_order_id: 'P-9', vads_trans_id: '000001', vads_trans_status: 'AUTHORISED', vads_url_check_src: 'PAY' }
  const signed = (f: Record<string, string>, key = 'secret') => ({ ...f, signature: computeSignature(f, key) })
  it('accepts a signed notification from our site', () => {
    const r = readIpn(signed(base), { siteId: '12345678', key: 'secret' })
    expect(r).toMatchObject({ orderId: 'P-9', amountCents: 1524, outcome: 'accepted', source: 'PAY' })
  })
  it('classifies refusals', () => {
    expect(readIpn(signed({ ...base, vads_trans_status: 'REFUSED' }), { siteId: '12345678', key: 'secret' })?.outcome).toBe('failed')
  })
  it('rejects a bad signature, another site or another currency', () => {
    expect(readIpn({ ...signed(base), vads_amount: '1' }, { siteId: '12345678', key: 'secret' })).toBeNull()
    expect(readIpn(signed(base, 'wrong'), { siteId: '12345678', key: 'secret' })).toBeNull()
    expect(readIpn(signed({ ...base, vads_site_id: '87654321' }), { siteId: '12345678', key: 'secret' })).toBeNull()
    expect(readIpn(signed({ ...base, vads_currency: '840' }), { siteId: '12345678', key: 'secret' })).toBeNull()
  })
})
