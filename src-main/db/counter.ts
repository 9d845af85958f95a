import type Database from 'better-sqlite3'
import { Column, Entity, PrimaryColumn, type EntityManager } from 'typeorm'
import { stmt } from './statements'

@Entity('counter')
export class Counter {
  @PrimaryColumn({ type: 'text' }) name: string
  @Column({ type: 'integer' }) value: number
}

/**
 * Next value of a named sequence (N° famille, invoice numbers…). It must be
 * called inside a transaction: the increment commits or rolls back with the
 * row that uses it, which is what keeps the numbering free of gaps.
 */
export async function nextNumber(m: EntityManager, name: string, start = 1): Promise<number> {
  await m.query(`INSERT INTO counter(name, value) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET value = value + 1`, [name, start])
  const [row] = await m.query(`SELECT value FROM counter WHERE name = ?`, [name])
  return Number(row.value)
}

/** Reserves `count` consecutive numbers of a sequence at once (bulk writes: a run's invoices, a file's debits). Call inside the transaction. */
export function reserveNumbers(db: Database.Database, name: string, count: number): number {
  stmt(db, 'INSERT INTO counter(name, value) VALUES (?, 0) ON CONFLICT(name) DO NOTHING').run(name)
  const { value } = stmt(db, 'SELECT value FROM counter WHERE name = ?').get(name) as { value: number }
  stmt(db, 'UPDATE counter SET value = ? WHERE name = ?').run(value + count, name)
  return value + 1
}
