/**
 * Work done after the caller has had its answer. Used where the answer must
 * not depend on the work — « Mot de passe oublié » answers the same thing, in
 * the same time, whether the login exists or not, so looking it up, writing
 * the token and queueing the e-mail happen only once the answer is out.
 *
 * Tasks run one at a time in arrival order, each after a macrotask turn
 * (setImmediate), so the HTTP reply has been written before they start. A
 * failing task is logged, never thrown at a caller who has already been
 * answered. `core.close()` waits for the queue to drain.
 */
export class DeferredWork {
  private tail: Promise<void> = Promise.resolve()

  constructor(private readonly log: (msg: string) => void) {}

  run(label: string, work: () => Promise<void>): void {
    this.tail = this.tail
      .then(() => new Promise<void>((resolve) => setImmediate(resolve)))
      .then(work)
      .catch((e: unknown) => this.log(`Tâche différée « ${label} » en échec : ${e instanceof Error ? e.message : String(e)}`))
  }

  /** Resolves once every task queued so far (and any they queued) has finished. */
  async idle(): Promise<void> {
    let seen: Promise<void>
    do {
      seen = this.tail
      await seen
    } while (seen !== this.tail)
  }
}
