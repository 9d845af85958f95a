/**
 * The outbox sends each e-mail once, even when the sender is killed (SIGKILL,
 * in a child process) in the middle of the SMTP conversation with a real
 * loopback server; a restart then sends it again only if the server cannot
 * have it, always with the Message-ID of the first attempt.
 */
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import { deliverDueMail, enqueueMail, INTERRUPTED_AFTER_END } from '../../src-main/mail/outbox'
import { OutboxMail } from '../../src-main/mail/entities'
import { openTestCore, type TestCore } from '../helpers/core'
import { configureSmtp, startSmtp, type TestSmtp } from '../helpers/smtp'

const root = join(__dirname, '..', '..')
let smtp: TestSmtp
let dataDir: string
let cleanup: () => Promise<void>

beforeEach(async () => {
  smtp = await startSmtp()
  // Queued in the past, so the child (real clock) finds it due whatever today's date.
  const core = await openTestCore({ now: new Date('2020-01-06T08:00:00Z') })
  dataDir = core.paths.dataDir
  cleanup = core.cleanup
  await configureSmtp(core, smtp.port)
  await core.tx.run((m) => enqueueMail(m, core, 'famille@exemple.fr', { subject: 'Votre facture de septembre', text: 'Bonjour', html: '<p>Bonjour</p>' }))
  await core.close()
})
afterEach(async () => {
  smtp.release()
  await smtp.stop()
  await cleanup()
})

/** Runs the sender in a child process and SIGKILLs it as soon as `killWhen` holds. */
function killSenderWhen(killWhen: () => boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    // `node --import tsx`, not the tsx CLI: the CLI runs the script in a grandchild that a SIGKILL would not reach.
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/helpers/outbox-child.ts', dataDir], {
      cwd: root,
      env: { ...process.env, TSX_TSCONFIG_PATH: 'tsconfig.node.json' },
      stdio: ['ignore', 'pipe', 'pipe']
    })
    let err = ''
    child.stderr.on('data', (b: Buffer) => (err += b.toString()))
    const poll = setInterval(() => {
      if (killWhen()) child.kill('SIGKILL')
    }, 10)
    child.on('error', reject)
    child.on('exit', (_code, signal) => {
      clearInterval(poll)
      if (signal === 'SIGKILL') resolve()
      else reject(new Error(`the sender ended by itself (${signal ?? _code}): ${err}`))
    })
  })
}

async function reopen(): Promise<{ core: TestCore; row: () => Promise<OutboxMail> }> {
  const core = await openTestCore({ dataDir })
  return { core, row: () => core.tx.read((m) => m.findOneByOrFail(OutboxMail, {})) }
}

describe('outbox: each e-mail once', () => {
  test('killed while the server holds the whole message: never sent a second time after the restart', async () => {
    smtp.hold('data')
    await killSenderWhen(() => smtp.messages.length === 1)
    smtp.release()
    const { core, row } = await reopen()
    try {
      expect(await row()).toMatchObject({ status: 'sending', attempts: 1 })
      expect((await row()).handedAt).not.toBeNull()
      await deliverDueMail(core)
      await deliverDueMail(core)
      expect(smtp.messages).toHaveLength(1)
      const r = await row()
      expect(r).toMatchObject({ status: 'sent', lastError: INTERRUPTED_AFTER_END })
      expect(smtp.messages[0].parsed.messageId).toBe(r.messageId)
    } finally {
      await core.close()
    }
  }, 60_000)

  test('killed before the server had the whole message: sent again after the restart, once, with the same Message-ID', async () => {
    smtp.hold('rcpt')
    await killSenderWhen(() => smtp.held > 0)
    smtp.release()
    expect(smtp.messages).toHaveLength(0)
    const { core, row } = await reopen()
    try {
      const claimed = await row()
      expect(claimed).toMatchObject({ status: 'sending', handedAt: null })
      expect(claimed.messageId).toMatch(/^<[^@<>]+@exemple\.fr>$/)
      await deliverDueMail(core)
      await deliverDueMail(core)
      expect(smtp.messages).toHaveLength(1)
      expect(smtp.messages[0].parsed.messageId).toBe(claimed.messageId)
      expect(await row()).toMatchObject({ status: 'sent', lastError: null, messageId: claimed.messageId })
    } finally {
      await core.close()
    }
  }, 60_000)

  test('the database refuses writes while the server takes the message: not sent twice, and recorded as sent once it accepts them', async () => {
    const { core, row } = await reopen()
    try {
      smtp.hold('data')
      const round = deliverDueMail(core)
      await smtp.waitFor(1)
      // Read-only from now on (SQLITE_READONLY): the server's "250" cannot be written down.
      await core.tx.exclusive(() => void core.db.pragma('query_only = ON'))
      smtp.release()
      expect(await round).toMatchObject({ sent: 1 })
      expect((await row()).status).toBe('sending')
      await expect(deliverDueMail(core)).rejects.toThrow(/lecture seule/)
      await core.tx.exclusive(() => void core.db.pragma('query_only = OFF'))
      await deliverDueMail(core)
      expect(smtp.messages).toHaveLength(1)
      expect(await row()).toMatchObject({ status: 'sent', lastError: null })
    } finally {
      await core.close()
    }
  })
})
