/**
 * The mass e-mail of a run's invoices (issue 19): the outbox names each
 * invoice, the sender renders its PDF when it sends. Killed midway (SIGKILL,
 * in a child process), the batch is finished at the next start, and started
 * again by hand it mails no family twice; an invoice that cannot be rendered fails its e-mail with
 * a French message, never sends it without its invoice. Twelve families, ten
 * of them accept e-mails, three e-mails per transaction.
 */
import { cpSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest'
import { SYSTEM } from '../../src-main/core/actor'
import { saveRegie } from '../../src-main/billing/regies'
import { createAdjustment } from '../../src-main/billing/invoicing/adjustments'
import { issueRun } from '../../src-main/billing/invoicing/issue'
import { runInvoiceBatch } from '../../src-main/billing/invoicing/batch'
import { resumeInvoiceMails } from '../../src-main/billing/invoice-mail'
import { renderInvoice } from '../../src-main/billing/documents/render'
import { closePdfPool } from '../../src-main/billing/pdf/pool'
import { deliverDueMail, enqueueMail } from '../../src-main/mail/outbox'
import { outboxAttachment } from '../../src-main/mail/mail-view'
import { setStructure } from '../helpers/activities'
import { openTestCore, seedFamily, seedStaff, type SeededStaff, type TestCore } from '../helpers/core'
import { runTs } from '../helpers/backups'
import { pdfText } from '../helpers/billing-tools'
import { configureSmtp, startSmtp, type TestSmtp } from '../helpers/smtp'

const DAY = '2026-10-06'
let owner: TestCore
let pristine: string
let comptable: SeededStaff
let runId: number
const families: { familyId: number; login: string }[] = []
let core: TestCore | null = null
let smtp: TestSmtp | null = null

/** The seeded database, untouched, opened on DAY. */
async function fresh(): Promise<{ dir: string; core: TestCore }> {
  const dir = mkdtempSync(join(tmpdir(), 'rb-mail-kill-'))
  cpSync(pristine, dir, { recursive: true })
  core = await openTestCore({ dataDir: dir, now: new Date(`${DAY}T08:00:00Z`) })
  return { dir, core }
}
const batch = (c: TestCore) => runInvoiceBatch(c, comptable.actor, { runId, email: true, printAll: false, mailsPerTx: 3 })
const rows = (c: TestCore) =>
  c.db.prepare('SELECT o.recipient, o.invoice_id, o.attachments, i.family_id, i.number FROM outbox_mail o JOIN invoice i ON i.id = o.invoice_id ORDER BY o.id').all() as {
    recipient: string
    invoice_id: number
    attachments: string
    family_id: number
    number: string
  }[]
/** pdfkit stamps the time of the render, and derives the file's /ID from it; the rest must be the same bytes. */
const undated = (pdf: Uint8Array) =>
  Buffer.from(pdf)
    .toString('latin1')
    .replace(/\(D:\d{14}Z\)/, '')
    .replace(/\/ID \[<[0-9a-f]+> <[0-9a-f]+>\]/, '')

beforeAll(async () => {
  owner = await openTestCore({ now: new Date('2026-10-01T08:00:00Z') })
  pristine = owner.paths.dataDir
  await setStructure(owner)
  comptable = await seedStaff(owner, 'comptable')
  const regieId = await saveRegie(owner, SYSTEM, {
    id: null, name: 'Régie', code: 'KM', invoiceFormat: '{CODE}-{N}', creditFormat: '{CODE}-AV{N}', paymentFormat: '{CODE}-R{N}', isDefault: true, dueDays: 20,
    paymentMethods: '', creditorName: '', ics: '', creditorIban: '', creditorBic: '', active: true, activityIds: []
  })
  for (let i = 0; i < 12; i++) {
    const f = await seedFamily(owner)
    families.push({ familyId: f.familyId, login: f.login })
    await createAdjustment(owner, comptable.actor, { regieId, familyId: f.familyId, childId: null, month: '2026-09', label: 'Accueil', amountCents: 1000 + i })
    // The last two refuse e-mails: their invoices go to the print file.
    owner.db.prepare('UPDATE person SET consent_email = ? WHERE family_id = ?').run(i < 10 ? 1 : 0, f.familyId)
  }
  runId = (await issueRun(owner, comptable.actor, { regieId, month: '2026-09', issueDate: '2026-10-01' })).runId
  await owner.close()
}, 60_000)

afterEach(async () => {
  await core?.cleanup()
  core = null
  if (smtp) await smtp.stop()
  smtp = null
})
afterAll(async () => {
  await closePdfPool()
  await owner.cleanup()
})

describe('the mass e-mail of invoices', () => {
  test('killed after 6 of 10 e-mails: the next start queues the other 4; each family gets its own invoice once, the PDF rendered when sent', async () => {
    const { dir, core: c } = await fresh()
    await c.close()
    const child = await runTs('test/helpers/invoice-mail-child.ts', [dir, DAY, String(runId), String(comptable.id)], {
      env: { PAUSE_AT: '6' },
      killWhen: (out) => [...out.matchAll(/PROGRESS (\d+)/g)].some((x) => Number(x[1]) >= 6)
    })
    expect(child.signal, child.err).toBe('SIGKILL')
    core = await openTestCore({ dataDir: dir, now: new Date(`${DAY}T08:00:00Z`) })
    // Two transactions committed, nothing of the third.
    expect(rows(core)).toHaveLength(6)
    expect(core.db.prepare('SELECT COUNT(*) AS n FROM invoice WHERE notified_on IS NOT NULL').get()).toEqual({ n: 6 })

    // The next start finishes it (server/listen.ts), under who started it; started again by hand, it mails no one twice.
    const batchState = () => core!.db.prepare('SELECT status, actor FROM invoice_mail_batch WHERE run_id = ?').get(runId) as { status: string; actor: string }
    expect(batchState().status).toBe('running')
    expect(await resumeInvoiceMails(core)).toEqual([{ queued: 4, already: 6 }])
    expect(batchState().status).toBe('done')
    expect(JSON.parse(batchState().actor)).toMatchObject({ kind: 'staff', id: comptable.id })
    expect(await resumeInvoiceMails(core)).toEqual([])
    expect(await batch(core)).toMatchObject({ emailed: 0, alreadyEmailed: 10, printed: 2 })
    const queued = rows(core)
    expect(queued.map((r) => r.family_id).sort()).toEqual(families.slice(0, 10).map((f) => f.familyId).sort())
    for (const r of queued) {
      expect(r.recipient).toBe(families.find((f) => f.familyId === r.family_id)!.login)
      // The row names the invoice; it does not carry it.
      expect(JSON.parse(r.attachments)).toEqual([{ filename: `facture-${r.number}.pdf`, contentType: 'application/pdf', document: 'invoice', invoiceId: r.invoice_id }])
    }

    smtp = await startSmtp()
    await configureSmtp(core, smtp.port)
    expect(await deliverDueMail(core)).toMatchObject({ sent: 10, failed: 0 })
    expect(smtp.messages).toHaveLength(10)
    for (const msg of smtp.messages) {
      const r = queued.find((q) => q.recipient === msg.to[0])!
      expect(msg.subject).toContain(`Votre facture ${r.number}`)
      const [pdf] = msg.parsed.attachments
      expect(pdf).toMatchObject({ filename: `facture-${r.number}.pdf`, contentType: 'application/pdf' })
      expect(pdfText(pdf.content)).toContain(`FACTURE N° ${r.number}`)
      // The same document as the invoice staff and families download.
      expect(undated(pdf.content)).toBe(undated((await renderInvoice(core, r.invoice_id)).data))
    }
  }, 90_000)

  test('an invoice that cannot be rendered when sent: the e-mail fails with a French message, nothing leaves without it', async () => {
    const { core: c } = await fresh()
    await batch(c)
    // An invoice whose stored snapshot is damaged (KM-1), and an e-mail naming an invoice that does not exist.
    // (Issued invoices are immutable: the damage goes around the guard, as a disk fault or a hand edit would.)
    for (const t of c.db.prepare(`SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'invoice_row'`).all() as { name: string }[]) c.db.exec(`DROP TRIGGER "${t.name}"`)
    const snapshot = (c.db.prepare(`SELECT snapshot FROM invoice_row WHERE number = 'KM-1'`).get() as { snapshot: string }).snapshot
    c.db.prepare(`UPDATE invoice_row SET snapshot = '{}' WHERE number = 'KM-1'`).run()
    await c.tx.run((m) =>
      enqueueMail(m, c, 'perdu@exemple.fr', { subject: 'Votre facture', text: 'Bonjour', html: '<p>Bonjour</p>' }, [
        { filename: 'facture-KM-999.pdf', contentType: 'application/pdf', document: 'invoice', invoiceId: 999_999 }
      ])
    )
    smtp = await startSmtp()
    await configureSmtp(c, smtp.port)
    // The other invoices of its worker task are sent: only the damaged one fails.
    expect(await deliverDueMail(c)).toMatchObject({ sent: 9, failed: 2 })
    expect(smtp.messages).toHaveLength(9)
    expect(smtp.messages.every((x) => x.parsed.attachments.length === 1 && !x.subject.includes('KM-1 '))).toBe(true)
    const failed = c.db.prepare(`SELECT recipient, last_error FROM outbox_mail WHERE status = 'failed' ORDER BY id`).all() as { recipient: string; last_error: string }[]
    expect(failed).toHaveLength(2)
    expect(failed[0].last_error).toMatch(/^Non envoyé : la facture jointe \(facture-KM-1\.pdf\) manque, elle n’a pas pu être générée \(.+\)\. L’e-mail ne part pas sans elle/)
    expect(failed[1].last_error).toMatch(/^Non envoyé : la facture jointe \(facture-KM-999\.pdf\) manque, elle est introuvable\./)
    // « E-mails envoyés » opens the attachment as the sender renders it, or says why it cannot.
    const [km1, km2] = c.db.prepare(`SELECT o.id FROM outbox_mail o JOIN invoice i ON i.id = o.invoice_id WHERE i.number IN ('KM-1', 'KM-2') ORDER BY i.seq`).all() as { id: number }[]
    await expect(outboxAttachment(c, km1.id, 0)).rejects.toThrow(/^Non envoyé : la facture jointe \(facture-KM-1\.pdf\) manque, elle n’a pas pu être générée/)
    const shown = await outboxAttachment(c, km2.id, 0)
    expect(shown).toMatchObject({ fileName: 'facture-KM-2.pdf', mime: 'application/pdf' })
    expect(pdfText(Buffer.from(shown.base64, 'base64'))).toContain('FACTURE N° KM-2')
    // Once the invoice is repaired, « Relancer » sends it (the missing invoice stays in failure).
    c.db.prepare(`UPDATE invoice_row SET snapshot = ? WHERE number = 'KM-1'`).run(snapshot)
    c.db.prepare(`UPDATE outbox_mail SET status = 'pending' WHERE status = 'failed'`).run()
    expect(await deliverDueMail(c)).toMatchObject({ sent: 1, failed: 1 })
    expect(smtp.messages.at(-1)!.subject).toContain('Votre facture KM-1')
    expect(pdfText(smtp.messages.at(-1)!.parsed.attachments[0].content)).toContain('FACTURE N° KM-1')
  }, 60_000)
})
