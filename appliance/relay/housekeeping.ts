/**
 * The relay's housekeeping, every `tickMs` while any room has media (and not otherwise, so an idle
 * box has no timer): REMB to each sender, keyframe retries after a join and until the receiver
 * reports a decoded frame, the consent poll, and the link-quality readings.
 */
import type { StopReason } from './protocol.ts';
import { other, type Leg } from './media-leg.ts';
import type { Room } from './room.ts';
import type { RelayClock } from './clock.ts';
import type { RelayConfig } from './relay-api.ts';
import type { KeyframeReason } from './feedback.ts';
import { sendRemb } from './feedback.ts';

/** What housekeeping does through the relay. */
export interface HousekeepingHost {
  rooms(): Iterable<Room>;
  consentActive(encounterId: string): Promise<boolean>;
  stopMedia(room: Room, reason: StopReason): void;
  requestKeyframe(room: Room, src: Leg, why: KeyframeReason): void;
  quality(room: Room): void;
  failed(err: unknown): void;
}

export class Housekeeping {
  private timer: { clear(): void } | null = null;
  private ticks = 0;
  readonly tickMs: number;

  constructor(
    private readonly host: HousekeepingHost,
    private readonly clock: RelayClock,
    private readonly config: RelayConfig,
  ) {
    this.tickMs = config.tickMs ?? 1000;
  }

  get running() {
    return this.timer !== null;
  }

  /** Runs while `busy` (some room has media); stops otherwise. */
  update(busy: boolean) {
    if (busy && !this.timer) this.timer = this.clock.every(this.tickMs, () => void this.tick().catch((err) => this.host.failed(err)));
    else if (!busy) this.stop();
  }

  stop() {
    this.timer?.clear();
    this.timer = null;
  }

  private async tick() {
    this.ticks++;
    const qualityEvery = Math.max(1, Math.round((this.config.qualityMs ?? 2000) / this.tickMs));
    const consentEvery = Math.max(1, Math.round((this.config.consentPollMs ?? 2000) / this.tickMs));
    for (const room of [...this.host.rooms()]) {
      const legs = [room.legs.patient, room.legs.doctor].filter((l): l is Leg => !!l);
      if (!legs.length) continue;
      for (const leg of legs) {
        sendRemb(leg);
        if (leg.keyframeRetries > 0) {
          leg.keyframeRetries--;
          leg.lastKeyframeRequest = -Infinity;
          this.host.requestKeyframe(room, leg, 'join');
        } else if (this.ticks % 2 === 0) {
          // Until the other side reports a decoded frame, keep asking this sender for keyframes:
          // on a loaded box or a lossy Wi-Fi the ones asked for at join can arrive before the
          // receiver's decoder is ready, and a browser waits long before asking on its own.
          const receiver = room.legs[other(leg.role)];
          if (leg.connected && receiver?.connected && !receiver.state.audioOnly && !((receiver.client.framesDecoded ?? 0) > 0)) this.host.requestKeyframe(room, leg, 'join');
        }
      }
      if (this.ticks % consentEvery === 0) {
        const epoch = room.epoch;
        const ok = await this.host.consentActive(room.encounterId).catch(() => true);
        if (!ok && room.epoch === epoch) this.host.stopMedia(room, 'withdrawn');
      }
      if (this.ticks % qualityEvery === 0) this.host.quality(room);
    }
  }
}
