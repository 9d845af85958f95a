import type Database from 'better-sqlite3'

/** WAL size, in 4 KiB pages, at which a commit checkpoints anyway (SQLite's default is 1,000). */
export const WAL_BACKSTOP_PAGES = 10_000

/**
 * Moves WAL checkpoints out of the commits. With SQLite's default, every
 * commit that takes the WAL past 1,000 pages copies them back into the
 * database file and fsyncs it, inside the request that happened to commit:
 * on the rush of the 20th that was a third of the COMMIT's cost, paid by
 * whichever family came next. Here the copy runs once writes have paused
 * for `afterMs` (PASSIVE: it never blocks a writer or a reader), and a page
 * rewritten by many commits in between is copied once. The connection's
 * `wal_autocheckpoint` stays as a backstop at WAL_BACKSTOP_PAGES, so a
 * structure that never pauses still bounds its WAL (about 40 MB).
 */
export class IdleCheckpoint {
  private timer: NodeJS.Timeout | null = null
  private stopped = false

  constructor(
    private readonly db: Database.Database,
    /** Runs the checkpoint when no transaction is open (the transaction mutex). */
    private readonly exclusive: (work: () => void) => Promise<void>,
    private readonly afterMs = 1000
  ) {}

  /** A write transaction just committed: (re)arm the timer. */
  wrote(): void {
    if (this.stopped) return
    if (this.timer) this.timer.refresh()
    else {
      this.timer = setTimeout(() => this.fire(), this.afterMs)
      // Never keeps the process alive on its own.
      this.timer.unref()
    }
  }

  stop(): void {
    this.stopped = true
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
  }

  private fire(): void {
    this.timer = null
    void this.exclusive(() => {
      if (!this.stopped && this.db.open) this.db.pragma('wal_checkpoint(PASSIVE)')
    }).catch(() => {
      // A checkpoint that fails (disk full…) leaves the WAL as it was; the next pause or the backstop retries.
    })
  }
}
