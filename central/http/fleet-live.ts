/**
 * Who is watching the fleet live: each open stream (an overview or one box's page) is told to send
 * a fresh snapshot when a box changes state (the fleet state's sweep or a report after silence, a
 * new box's first report included), when a box is enrolled at this hub (overviews only),
 * when its box's report is written, and every `everyMs` besides (alerts and figures that move
 * without a state change). Streams are few (operators' pages), so each recomputes its own view.
 */
import type { FleetState } from '../fleet-state/fleet-state.ts';

interface Watcher {
  /** The one box this stream shows, or null for an overview. */
  box: string | null;
  push: () => void;
}

export class FleetLiveHub {
  private readonly watchers = new Set<Watcher>();
  private timer: ReturnType<typeof setInterval> | null = null;

  constructor(
    fleet: FleetState,
    private readonly everyMs: number,
    private readonly max: number,
  ) {
    fleet.onChange(() => this.push(() => true));
    // A box enrolled: the overviews it belongs to get a row for it.
    fleet.onRegistry(() => this.push((w) => w.box === null));
    fleet.onReports((ids) => {
      const reported = new Set(ids);
      this.push((w) => w.box !== null && reported.has(w.box));
    });
  }

  /** False when the hub holds as many live streams as it will. */
  admit(): boolean {
    return this.watchers.size < this.max;
  }

  /** Starts telling `w`; the returned function stops it. */
  join(w: Watcher): () => void {
    this.watchers.add(w);
    if (!this.timer && this.everyMs > 0) {
      this.timer = setInterval(() => this.push(() => true), this.everyMs);
      this.timer.unref?.();
    }
    return () => {
      this.watchers.delete(w);
      if (!this.watchers.size && this.timer) {
        clearInterval(this.timer);
        this.timer = null;
      }
    };
  }

  private push(which: (w: Watcher) => boolean) {
    for (const w of this.watchers) if (which(w)) w.push();
  }
}
