/**
 * A FIFO async lock. TypeORM's better-sqlite3 driver shares one query runner,
 * so two interleaved transactions would see each other's statements; the
 * transaction helper takes this lock so they run one after the other.
 */
export class Mutex {
  private tail: Promise<void> = Promise.resolve()

  async run<T>(fn: () => Promise<T>): Promise<T> {
    let release!: () => void
    const next = new Promise<void>((r) => (release = r))
    const prev = this.tail
    this.tail = prev.then(() => next)
    await prev
    try {
      return await fn()
    } finally {
      release()
    }
  }
}
