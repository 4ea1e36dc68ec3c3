/**
 * Per-route request counts and time for /metrics. Keyed by the matched route pattern (never the
 * raw path: a ticket token must not become a label).
 */
export class RequestMetrics {
  private counts = new Map<string, { n: number; seconds: number }>();

  observe(method: string, route: string, status: number, seconds: number) {
    const key = `method="${method}",route="${route}",status="${status}"`;
    const m = this.counts.get(key);
    if (m) {
      m.n++;
      m.seconds += seconds;
    } else this.counts.set(key, { n: 1, seconds });
  }

  text(): string {
    const lines = [
      '# HELP simpul_http_requests_total HTTP requests answered, by route pattern and status.',
      '# TYPE simpul_http_requests_total counter',
    ];
    for (const [k, m] of this.counts) lines.push(`simpul_http_requests_total{${k}} ${m.n}`);
    lines.push('# HELP simpul_http_request_seconds_total Time spent answering, by route pattern and status.', '# TYPE simpul_http_request_seconds_total counter');
    for (const [k, m] of this.counts) lines.push(`simpul_http_request_seconds_total{${k}} ${m.seconds.toFixed(6)}`);
    return lines.join('\n') + '\n';
  }
}
