/**
 * A clock the box can trust. A Raspberry Pi has no battery-backed clock: after a power cut it can
 * boot with a time from the past (2020, or the image's build date) until NTP answers, if it ever
 * does offline. The clinic day, queue numbers and every record's time follow the clock, so the
 * box keeps a floor: the latest time it has recorded, in its database and in a small file
 * (written every minute and at shutdown). A system clock earlier than the floor is not trusted:
 *
 * - the box's time (`now()`) then runs on from the floor with the monotonic clock, so the clinic
 *   day never goes backwards (no day reopened, no queue number given twice);
 * - once the hub's time is known (the box measures its offset from a round trip), the box's time
 *   is the hub's: system time + offset;
 * - records written meanwhile carry a flag the hub keeps (clinic/outbox.ts).
 *
 * Once the hub has answered, its word decides: the system clock is trusted when it agrees with the
 * hub's within MAX_OFFSET_MS. Before that, when it is not earlier than the floor (NTP set it).
 */
import { open, readFile, rename } from 'node:fs/promises';
import { PRIVATE_FILE_MODE } from '../storage/private-files.ts';

/** Written whole or not at all (a power cut mid-write leaves the old floor), 0600. */
async function writeFloorFile(path: string, text: string) {
  const tmp = `${path}.tmp`;
  const f = await open(tmp, 'w', PRIVATE_FILE_MODE);
  try {
    await f.chmod(PRIVATE_FILE_MODE); // whatever the umask
    await f.writeFile(text);
    await f.sync();
  } finally {
    await f.close();
  }
  await rename(tmp, path);
}

export interface ClockReport {
  trusted: boolean;
  /** Hub time minus box time, from the last round trip; null before the first. */
  offsetMs: number | null;
  /** The latest time the box has recorded (ISO), or null on a new box. */
  floor: string | null;
}

/** A clock slewed back by NTP by a second or two is not a clock from the past. */
export const FLOOR_TOLERANCE_MS = 120_000;
/** Farther than this from the hub's time, the system clock is wrong (a round trip on 2G is seconds, not minutes). */
export const MAX_OFFSET_MS = 5 * 60_000;

export interface TrustedClockOptions {
  /** The floor file, 0600 (e.g. <dataDir>/clock-floor). */
  floorFile: string;
  /** The latest time the database holds (clinic/clock-floor.ts), read at open. */
  databaseFloor: Date | null;
  /** The system clock (injected in tests). */
  systemNow?: () => number;
  /** A clock that never goes back (injected in tests). */
  monotonicNow?: () => number;
}

export class TrustedClock {
  private floorMs: number | null;
  /** The monotonic time at which floorMs was last raised. */
  private floorMono: number;
  private offsetMs: number | null = null;
  private readonly systemNow: () => number;
  private readonly mono: () => number;

  private constructor(
    floorMs: number | null,
    private readonly floorFile: string,
    o: TrustedClockOptions,
  ) {
    this.systemNow = o.systemNow ?? Date.now;
    this.mono = o.monotonicNow ?? (() => performance.now());
    this.floorMs = floorMs;
    this.floorMono = this.mono();
  }

  static async open(o: TrustedClockOptions): Promise<TrustedClock> {
    const fromFile = await readFile(o.floorFile, 'utf8').then(
      (s) => Date.parse(s.trim()),
      () => NaN,
    );
    const candidates = [fromFile, o.databaseFloor?.getTime() ?? NaN].filter((n) => Number.isFinite(n));
    return new TrustedClock(candidates.length ? Math.max(...candidates) : null, o.floorFile, o);
  }

  /** Where the floor has got to by now: it runs on with the monotonic clock (the box was on all along). */
  private runningFloor(): number | null {
    return this.floorMs === null ? null : this.floorMs + (this.mono() - this.floorMono);
  }

  /** The hub's word first (it is the reference); before it answers, the floor's. */
  get trusted(): boolean {
    if (this.offsetMs !== null) return Math.abs(this.offsetMs) <= MAX_OFFSET_MS;
    return this.floorMs === null || this.systemNow() >= this.floorMs - FLOOR_TOLERANCE_MS;
  }

  /** The box's time: the system clock when trusted, else the hub's, else the floor running on. */
  now(): Date {
    const sys = this.systemNow();
    if (this.trusted) return new Date(sys);
    if (this.offsetMs !== null) return new Date(sys + this.offsetMs);
    return new Date(Math.max(sys, this.runningFloor() ?? sys));
  }

  /** The system clock, as this clock reads it (what an offset is measured against). */
  systemTime(): number {
    return this.systemNow();
  }

  /** The hub's time minus the system clock's, measured from a round trip (sync/hub-time.ts). */
  recordOffset(offsetMs: number): void {
    this.offsetMs = offsetMs;
  }

  report(): ClockReport {
    const floor = this.runningFloor();
    return { trusted: this.trusted, offsetMs: this.offsetMs, floor: floor === null ? null : new Date(floor).toISOString() };
  }

  /** Raises the floor to the box's time and writes the file (0600); the caller writes it to the database too. */
  async saveFloor(): Promise<Date> {
    const at = this.now().getTime();
    if (this.floorMs === null || at > this.floorMs) {
      this.floorMs = at;
      this.floorMono = this.mono();
    }
    const floor = new Date(this.floorMs);
    await writeFloorFile(this.floorFile, floor.toISOString() + '\n');
    return floor;
  }
}

/** Until a box installs its clock (box.ts): what a box that knows nothing of its clock reports. */
let current: TrustedClock | null = null;

export function installBoxClock(clock: TrustedClock | null): void {
  current = clock;
}

/** The box's clock trust and offset, for its status report and health (SHARED-DECISIONS). */
export function clockReport(): ClockReport {
  return current ? current.report() : { trusted: true, offsetMs: null, floor: null };
}
