/**
 * The relay as the rest of the box sees it: its configuration, what it is given, its sessions and
 * figures. Kept apart from the relay's parts (relay.ts and the modules it is made of) so that they
 * and the relay's process host can share these types without importing one another.
 */
import type { Logger } from 'pino';
import type { ClientMessage, Party, ServerMessage } from './protocol.ts';
import type { CallRecord } from './quality.ts';
import type { RelayClock } from './clock.ts';

export interface RelayConfig {
  /** UDP ports for media (firewall). Each peer connection takes one port per host address. */
  udpPortRange?: [number, number];
  /** Addresses advertised as host candidates; empty = every interface of the box. */
  hostAddresses: string[];
  /** Accept only candidate pairs whose remote address is one of `hostAddresses` (tests on loopback). */
  restrictRemoteToHostAddresses?: boolean;
  /** Video bitrate cap per direction (REMB and SDP b=AS), kbit/s. */
  bitrateKbps: number;
  /** Housekeeping period (REMB, keyframe retries). */
  tickMs?: number;
  /** How often rooms with media re-check consent in the database (withdrawals also arrive as events at once). */
  consentPollMs?: number;
  /** How often each participant gets its link quality. */
  qualityMs?: number;
}

export interface RelayDeps {
  log: Logger;
  /** Active consent on an open encounter: the only gate for creating media. */
  consentActive(encounterId: string): Promise<boolean>;
  /** Subscribe to consent changes (given/withdrawn); returns an unsubscribe. */
  onConsentChange?(listener: (encounterId: string, active: boolean) => void): () => void;
  /** Per-call quality, saved with the encounter when a call ends. */
  saveCall?(record: CallRecord): Promise<void>;
  /** The clock of the relay's housekeeping and its keyframe spacing (tests drive one by hand); the system's by default. */
  clock?: RelayClock;
}

export interface RelaySession {
  readonly role: Party;
  readonly encounterId: string;
  handle(msg: ClientMessage): Promise<void>;
  close(): void;
}

/** What the relay holds right now and has done since it started. */
export interface RelayStats {
  rooms: number;
  peerConnections: number;
  timer: boolean;
  calls: number;
  peerConnectionsCreated: number;
  refusedNoConsent: number;
  keyframeRequests: number;
  packetsForwarded: number;
  bytesForwarded: number;
}

/**
 * The relay as the box's HTTP routes see it: the in-process `Relay` below (tests) or the relay's
 * own process (`RelayProcess` in relay-host.ts, what a box runs).
 */
export interface MediaRelay {
  /** A participant's signaling session joins the encounter's room (a second one for the same role replaces the first). */
  connect(encounterId: string, role: Party, sink: (msg: ServerMessage) => void): RelaySession;
  stats(): RelayStats;
  /** The figures /metrics shows (appliance/http/metrics.ts); `process` only for the relay's own process. */
  metricsFigures(): Promise<RelayMetricFigures>;
  close(): Promise<void>;
}

export const emptyRelayStats = (): RelayStats => ({
  rooms: 0,
  peerConnections: 0,
  timer: false,
  calls: 0,
  peerConnectionsCreated: 0,
  refusedNoConsent: 0,
  keyframeRequests: 0,
  packetsForwarded: 0,
  bytesForwarded: 0,
});

export interface RelayMetricFigures {
  relay: RelayStats;
  /** The relay's own process: restarts since the box started, and its figures when it answered. */
  process?: { restarts: number; figures: { rss: number; cpuUs: number; loopDelayP99: number } | null };
}
