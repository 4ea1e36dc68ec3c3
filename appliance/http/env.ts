import type { Logger } from 'pino';
import type { Db } from '../clinic/db.ts';
import type { Queue } from '../clinic/queue.ts';
import type { ClinicSettings } from '../clinic/settings.ts';
import type { Session } from '../clinic/staff.ts';
import type { Lang } from './i18n.ts';
import type { Sync } from '../sync/index.ts';
import type { ClockReport } from '../clock/trusted-clock.ts';
import type { MediaRelay } from '../relay/relay.ts';
import type { LiveConnections } from './live-connections.ts';
import type { PhoneTickets } from './phone-tickets.ts';
import type { MetricsAccess } from './metrics-access.ts';

/** What the HTTP layer is given at start: the domain's handles, never storage internals. */
export interface AppDeps {
  db: Db;
  queue: Queue;
  settings: ClinicSettings;
  log: Logger;
  /** Health for /healthz: the database answers, the data disk has room (filled by startBox in box.ts). */
  health: () => Promise<{ ok: boolean; checks: Record<string, unknown> }>;
  /** The link to the hub: backlog, last sync, last error (disabled when not enrolled). */
  sync: Sync;
  /** Whether the box trusts its clock (appliance/clock); absent in in-process tests (then trusted). */
  clock?: () => ClockReport;
  /** The consultation relay (its process, RelayProcess, on a box); adds the signaling routes. Absent in in-process tests (appliance/http/testing.ts). */
  relay?: MediaRelay;
  /** Who besides loopback may read /metrics (from `metricsToken`, `metricsAllowFrom`). */
  metricsAccess?: MetricsAccess;
  /** Cookies get `Secure` when served over HTTPS: always on a box, unless a test starts it with `plainHttp`. */
  secureCookies: boolean;
  /** Caps on open live-update streams and sockets, per client address and in total. */
  live: LiveConnections;
  /** Caps on numbers taken by phones, per address and per day. */
  phoneTickets: PhoneTickets;
  /** Demo mode (`mode: "demo"`): demo data and accounts. */
  demo: boolean;
  /** The clock for the HTTP layer's own timers (login throttle); tests inject one. */
  now?: () => Date;
}

export type AppEnv = {
  Bindings: { remoteAddress?: string };
  Variables: {
    deps: AppDeps;
    lang: Lang;
    requestId: string;
    session?: Session;
    log: Logger;
  };
};
