/**
 * The uplink's bandwidth cap: each frame takes its share of the link (bytes × 8 / kbit/s) before
 * the next may start, so a box on a 2G link shared with the clinic leaves room for the clinic.
 */
export class BandwidthLimit {
  /** When the link is free for the next frame (performance.now() time). */
  private nextSendAt = 0;

  /** `kbps` 0: no cap. */
  constructor(private readonly kbps: number) {}

  /** Resolves when a frame of `frameBytes` may be sent. */
  async waitFor(frameBytes: number): Promise<void> {
    if (this.kbps <= 0) return;
    const now = performance.now();
    const start = Math.max(now, this.nextSendAt);
    this.nextSendAt = start + (frameBytes * 8) / this.kbps;
    if (start > now) await new Promise((res) => setTimeout(res, start - now));
  }
}
