/**
 * Runs calls that arrive together as one batch. One batch is in flight at a time; calls that
 * arrive meanwhile wait and form the next one, so under load batches grow by themselves and an
 * idle caller waits only for the current event-loop turn.
 *
 * `run` answers one result per item, in order, or throws: then every caller of that batch gets
 * the error (a batch stands or falls together).
 */
export class Batcher<I, O> {
  private pending: { item: I; resolve: (v: O) => void; reject: (e: unknown) => void }[] = [];
  private running = false;

  constructor(
    private readonly run: (items: I[]) => Promise<O[]>,
    /** Upper bound on one batch, so one batch never holds many callers for long. */
    private readonly max = 256,
  ) {}

  add(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      if (!this.running) void this.drain();
    });
  }

  private async drain() {
    this.running = true;
    // Let the calls already in flight on this turn join the first batch.
    await new Promise((r) => setImmediate(r));
    while (this.pending.length) {
      const batch = this.pending.splice(0, this.max);
      try {
        const out = await this.run(batch.map((b) => b.item));
        batch.forEach((b, i) => b.resolve(out[i]));
      } catch (error) {
        for (const b of batch) b.reject(error);
      }
    }
    this.running = false;
  }
}
