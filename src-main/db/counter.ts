import { Column, Entity, PrimaryColumn, type EntityManager } from 'typeorm'

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
