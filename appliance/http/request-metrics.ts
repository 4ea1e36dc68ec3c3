/**
 * Per-route request counts and time for /metrics (shown by metrics.ts). Keyed by the matched route
 * pattern (never the raw path: a ticket token must not become a label). A plain map on the hot
 * path: a ticket-status answer is tiny, and the registry only reads these tallies when scraped.
 */
export interface RequestTally {
  labels: { method: string; route: string; status: string };
  n: number;
  seconds: number;
}

export class RequestTallies {
  private readonly counts = new Map<string, RequestTally>();

  observe(method: string, route: string, status: number, seconds: number) {
    const key = `${method} ${status} ${route}`;
    const m = this.counts.get(key);
    if (m) {
      m.n++;
      m.seconds += seconds;
    } else this.counts.set(key, { labels: { method, route, status: String(status) }, n: 1, seconds });
  }

  all(): Iterable<RequestTally> {
    return this.counts.values();
  }
}
