import { resolve } from 'node:path'
import { beforeAll, describe, expect, test } from 'vitest'
import { ACTIONS } from '../../src-shared/bookings/state-machine'
import { otherAuditWriters, scanAuditCodes, type AuditCodeScan } from '../helpers/audit-codes'

// The labels live in the back-office renderer, outside tsconfig.node.json's
// project: imported by path at run time so the server typecheck stays separate.
const LABELS_FILE = resolve(__dirname, '../../src-renderer/backoffice/src/views/admin/audit-labels.ts')
let AUDIT_ACTION_LABELS: Record<string, string>
let AUDIT_ENTITY_LABELS: Record<string, string>

/**
 * The Journal shows unknown codes raw; this keeps every code src-main can
 * write labelled in French, including codes built at run time.
 */
let scan: AuditCodeScan
beforeAll(async () => {
  ;({ AUDIT_ACTION_LABELS, AUDIT_ENTITY_LABELS } = (await import(/* @vite-ignore */ LABELS_FILE)) as Record<'AUDIT_ACTION_LABELS' | 'AUDIT_ENTITY_LABELS', Record<string, string>>)
  scan = scanAuditCodes()
}, 120_000)

const missing = (uses: { code: string; where: string }[], labels: Record<string, string>) =>
  [...new Map(uses.filter((u) => !labels[u.code]?.trim()).map((u) => [u.code, `${u.code} (${u.where})`])).values()].sort()

describe('audit labels', () => {
  test('the scanner reads every audit call down to concrete codes', () => {
    expect(scan.unresolved).toEqual([])
    // Guards against a scanner that silently finds nothing: codes of each kind of call site.
    const actions = new Set(scan.actions.map((u) => u.code))
    for (const code of ['login', 'booking-mark-present', 'request-refuse', 'activity_period-delete', 'enrolment-promote', 'document-refused', 'message-themes-update', 'file-update-bank', 'invoice-issue']) {
      expect(actions, code).toContain(code)
    }
    expect(new Set(scan.entities.map((u) => u.code))).toContain('capacity')
    expect(scan.calls).toBeGreaterThan(50)
  })

  test('no source writes audit rows except through audit() and auditRow()', () => {
    expect(otherAuditWriters()).toEqual([])
  })

  test('every audit action written by src-main has a French label', () => {
    expect(missing(scan.actions, AUDIT_ACTION_LABELS)).toEqual([])
  })

  test('every audit entity written by src-main has a French label', () => {
    expect(missing(scan.entities, AUDIT_ENTITY_LABELS)).toEqual([])
  })

  test('every booking action of the state machine has its booking-* label', () => {
    expect(ACTIONS.length).toBeGreaterThan(10)
    expect(ACTIONS.filter((a) => !AUDIT_ACTION_LABELS[`booking-${a}`])).toEqual([])
  })

  test('labels are distinct, so the Journal filter lists no two identical choices', () => {
    for (const labels of [AUDIT_ACTION_LABELS, AUDIT_ENTITY_LABELS]) {
      const seen = new Map<string, string>()
      const dup: string[] = []
      for (const [code, label] of Object.entries(labels)) {
        if (seen.has(label)) dup.push(`${seen.get(label)} / ${code}: ${label}`)
        seen.set(label, code)
      }
      expect(dup).toEqual([])
    }
  })
})
