/**
 * Runs calls that arrive together as one batch. One batch is in flight at a time; calls that
 * arrive meanwhile wait and form the next one, so under load batches grow by themselves and an
 * idle caller waits only for the current event-loop turn.
 *
 * `run` gets a function that closes the batch and returns its items: call it when the work really
 * starts (e.g. first thing inside the transaction), so that calls arriving while the work waits for
 * its turn still join it. `run` answers one result per item, in order, or throws: then every caller
 * of that batch gets the error (a batch stands or falls together).
 */
export class Batcher<I, O> {
  private pending: { item: I; resolve: (v: O) => void; reject: (e: unknown) => void }[] = [];
  private running = false;

  constructor(
    private readonly run: (items: () => I[]) => Promise<O[]>,
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
      let batch: typeof this.pending | undefined;
      const items = () => (batch ??= this.pending.splice(0, this.max)).map((b) => b.item);
      try {
        const out = await this.run(items);
        batch!.forEach((b, i) => b.resolve(out[i]));
      } catch (error) {
        // Failed before it asked for its items (say, the transaction could not begin): the callers
        // it would have taken get the error, so a broken database never spins this loop.
        for (const b of batch ?? this.pending.splice(0, this.max)) b.reject(error);
      }
    }
    this.running = false;
  }
}
