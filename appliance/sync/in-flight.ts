/**
 * The uplink's window of batches published and waiting for the hub's acknowledgement. A batch
 * holds its entities: the next batch leaves them out, so an entity's versions reach the hub in
 * order even when a batch is lost and sent again. A batch settles once: acknowledged, timed out,
 * the link lost, or forgotten (never published: no failure to count).
 */
export interface Flight {
  /** `type|entity` of every record in it. */
  readonly entities: string[];
  readonly records: number;
  /** Starts the acknowledgement timeout (at the broker's PUBACK); settles unacknowledged when it runs out. */
  startTimer(ms: number): void;
  settle(acked: boolean): void;
  forget(): void;
  readonly done: Promise<boolean>;
}

export class InFlightWindow {
  private flights = new Map<string, Flight>();

  get size(): number {
    return this.flights.size;
  }

  /** Entities a version of which is on its way: a later version must wait. */
  busyEntities(): Set<string> {
    return new Set([...this.flights.values()].flatMap((f) => f.entities));
  }

  records(): number {
    let n = 0;
    for (const f of this.flights.values()) n += f.records;
    return n;
  }

  /** Resolves when any batch in the window is acknowledged or given up on. */
  anySettled(): Promise<boolean> {
    return Promise.race([...this.flights.values()].map((f) => f.done));
  }

  /** `onSettled` runs once, when the batch is acknowledged or given up on (not when forgotten). */
  track(batch: string, entities: string[], records: number, onSettled: (acked: boolean) => void): Flight {
    let resolve!: (acked: boolean) => void;
    let timer: NodeJS.Timeout | undefined;
    const flights = this.flights;
    const flight: Flight = {
      entities: [...new Set(entities)],
      records,
      done: new Promise<boolean>((res) => (resolve = res)),
      startTimer(ms) {
        if (flights.get(batch) === flight) timer = setTimeout(() => flight.settle(false), ms);
      },
      forget() {
        if (flights.get(batch) !== flight) return;
        clearTimeout(timer);
        flights.delete(batch);
        resolve(false);
      },
      settle(acked) {
        if (flights.get(batch) !== flight) return;
        clearTimeout(timer);
        flights.delete(batch);
        onSettled(acked);
        resolve(acked);
      },
    };
    flights.set(batch, flight);
    return flight;
  }

  get(batch: string): Flight | undefined {
    return this.flights.get(batch);
  }

  /** Every batch leaves the window uncounted (to be sent again now); a late acknowledgement still applies. */
  forgetAll() {
    for (const f of [...this.flights.values()]) f.forget();
  }

  /** Every batch in the window is given up on (the link went down, or the box is closing). */
  settleAll(acked: boolean) {
    for (const f of [...this.flights.values()]) f.settle(acked);
  }
}
