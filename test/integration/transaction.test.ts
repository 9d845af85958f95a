import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import { childInput, personInput } from '@shared/contract/shapes'
import { SYSTEM } from '../../src-main/core/actor'
import { nextNumber } from '../../src-main/db/counter'
import { AuditEntry } from '../../src-main/audit/entities'
import { Child, Family, Person } from '../../src-main/families/entities'
import { createFamily } from '../../src-main/families/families'
import { enqueueMail } from '../../src-main/mail/outbox'
import { OutboxMail } from '../../src-main/mail/entities'
import { openTestCore, type TestCore } from '../helpers/core'
import { fillDatabase, makeRoom, readElsewhere } from '../helpers/disk-full'
import Database from 'better-sqlite3'
import { StorageError } from '../../src-main/db/storage-errors'
import { afterCommit } from '../../src-main/db/transaction'

const delay = (ms: number) => new Promise((r) => setTimeout(r, ms))

const newFamily = (lastName: string) => ({
  status: 'active' as const,
  responsable: personInput.parse({ lastName, firstName: 'Anne', email: `${lastName.toLowerCase()}@exemple.fr` }),
  children: [childInput.parse({ lastName, firstName: 'Jules', birthDate: '2019-02-03' })]
})

let core: TestCore
beforeEach(async () => {
  core = await openTestCore()
})
afterEach(() => core.cleanup())

async function counts() {
  return core.tx.read(async (m) => ({
    family: await m.count(Family),
    person: await m.count(Person),
    child: await m.count(Child),
    audit: await m.count(AuditEntry),
    outbox: await m.count(OutboxMail)
  }))
}

describe('transaction helper', () => {
  test('an error rolls back every row of the transaction, audit and e-mail included', async () => {
    const before = await counts()
    await expect(
      core.tx.run(async (m) => {
        await createFamily(m, core, SYSTEM, newFamily('Rollback'))
        await enqueueMail(m, core, 'x@exemple.fr', { subject: 's', text: 't', html: '<p>t</p>' })
        // Rows are visible inside the transaction…
        expect(await m.count(Family)).toBe(before.family + 1)
        throw new Error('boom')
      })
    ).rejects.toThrow('boom')
    // …and gone after it.
    expect(await counts()).toEqual(before)
    // The N° famille sequence rolled back too: no gap.
    const f = await core.tx.run((m) => createFamily(m, core, SYSTEM, newFamily('Next')))
    expect(f.number).toBe(1001)
  })

  test('a nested run reuses the outer transaction (same manager, rolled back with it)', async () => {
    let outerM: unknown
    let innerM: unknown
    await expect(
      core.tx.run(async (m) => {
        outerM = m
        await core.tx.run(async (inner) => {
          innerM = inner
          await createFamily(inner, core, SYSTEM, newFamily('Inner'))
        })
        // A read inside the transaction does not wait for the mutex (it would deadlock) and sees the inner write.
        expect(await core.tx.read((r) => r.count(Family))).toBe(1)
        throw new Error('outer fails after inner succeeded')
      })
    ).rejects.toThrow('outer fails')
    expect(innerM).toBe(outerM)
    expect((await counts()).family).toBe(0)
  })

  test('concurrent runs are serialized: no interleaving, no lost update', async () => {
    const events: string[] = []
    const bump = (who: string) =>
      core.tx.run(async (m) => {
        events.push(`${who}:start`)
        const [row] = await m.query(`SELECT value FROM counter WHERE name = 'c'`)
        const value = row ? Number(row.value) : 0
        await delay(30) // give the other run every chance to slip in
        await m.query(`INSERT INTO counter(name, value) VALUES ('c', ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value`, [value + 1])
        events.push(`${who}:end`)
        return value + 1
      })
    const results = await Promise.all([bump('A'), bump('B'), bump('C')])
    expect(results).toEqual([1, 2, 3])
    expect(events).toEqual(['A:start', 'A:end', 'B:start', 'B:end', 'C:start', 'C:end'])
    const [row] = await core.ds.query(`SELECT value FROM counter WHERE name = 'c'`)
    expect(row.value).toBe(3)
  })

  test('a read started during a write waits for its commit (never sees half of it)', async () => {
    const write = core.tx.run(async (m) => {
      await createFamily(m, core, SYSTEM, newFamily('Un'))
      await delay(30)
      await createFamily(m, core, SYSTEM, newFamily('Deux'))
    })
    const read = core.tx.read((m) => m.count(Family))
    await write
    expect(await read).toBe(2)
  })

  test('a read nested in a read reuses it instead of waiting for itself', async () => {
    const n = await Promise.race([
      core.tx.read(async () => core.tx.read((m) => m.count(Family))),
      delay(2000).then(() => 'deadlock')
    ])
    expect(n).toBe(0)
  })

  test('a write started inside a read fails loudly instead of hanging', async () => {
    const r = await Promise.race([
      core.tx.read(async () => core.tx.run((m) => createFamily(m, core, SYSTEM, newFamily('Dedans')))).catch((e: Error) => e.message),
      delay(2000).then(() => 'deadlock')
    ])
    expect(r).toMatch(/tx\.run inside tx\.read/)
    expect((await counts()).family).toBe(0)
  })

  test('afterCommit runs after COMMIT only: never for a rolled-back transaction or savepoint, nor before the commit', async () => {
    const ran: string[] = []
    await core.tx.run(async () => {
      afterCommit(() => ran.push('kept'))
      await core.tx.savepoint(async () => {
        afterCommit(() => ran.push('savepoint rolled back'))
        throw new Error('one item fails')
      }).catch(() => undefined)
      expect(ran).toEqual([])
    })
    await expect(core.tx.run(async () => {
      afterCommit(() => ran.push('transaction rolled back'))
      throw new Error('the whole transaction fails')
    })).rejects.toThrow('the whole transaction fails')
    expect(ran).toEqual(['kept'])
    expect(() => afterCommit(() => undefined)).toThrow(/outside core.tx.run/)
  })

  test('nextNumber is gapless across committed and rolled-back transactions', async () => {
    const got: number[] = []
    got.push(await core.tx.run((m) => nextNumber(m, 'invoice', 1)))
    await expect(
      core.tx.run(async (m) => {
        await nextNumber(m, 'invoice', 1)
        throw new Error('cancelled')
      })
    ).rejects.toThrow()
    got.push(await core.tx.run((m) => nextNumber(m, 'invoice', 1)))
    got.push(...(await Promise.all([1, 2, 3].map(() => core.tx.run((m) => nextNumber(m, 'invoice', 1))))))
    expect(got).toEqual([1, 2, 3, 4, 5])
  })

  test('work that swallows a disk-full error cannot go on writing outside the transaction', async () => {
    await fillDatabase(core)
    const r = await core.tx
      .run(async (m) => {
        await createFamily(m, core, SYSTEM, newFamily('Avant'))
        try {
          await m.query(`INSERT INTO counter(name, value) VALUES (?, 1)`, ['x'.repeat(100_000)])
        } catch {
          // swallowed: SQLite has rolled the whole transaction back by itself
        }
        await m.query(`INSERT INTO counter(name, value) VALUES ('après', 1)`)
      })
      .catch((e: unknown) => e)
    expect(r).toBeInstanceOf(StorageError)
    expect((r as StorageError).status).toBe(503)
    await makeRoom(core)
    // Neither the row written before the failure nor the one after it (which would have been autocommitted).
    expect(readElsewhere(core.paths.dbFile, `SELECT name FROM counter WHERE name = 'après'`)).toEqual([])
    expect((await counts()).family).toBe(0)
    expect(core.db.inTransaction).toBe(false)
  })

  test('a database locked by another program: a French 503, and the next write works once it is released', async () => {
    core.db.pragma('busy_timeout = 50')
    const other = new Database(core.paths.dbFile)
    other.exec('BEGIN IMMEDIATE')
    const r = await core.tx.run((m) => createFamily(m, core, SYSTEM, newFamily('Bloquée'))).catch((e: unknown) => e)
    expect(r).toBeInstanceOf(StorageError)
    expect((r as StorageError).code).toBe('db_busy')
    expect((r as StorageError).message).toMatch(/^La base de données est occupée par un autre programme .*: rien n’a été enregistré\./)
    other.exec('ROLLBACK')
    other.close()
    await core.tx.run((m) => createFamily(m, core, SYSTEM, newFamily('Libre')))
    expect((await counts()).family).toBe(1)
  })
})
