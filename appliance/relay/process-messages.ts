/**
 * What the box and its relay process (relay-process.ts) say to each other over Node's IPC channel.
 * Both ends are this code base, started together, so these are types, not a validated edge: what
 * reaches the relay from outside (signaling) is parsed by the HTTP route before it gets here.
 */
import type { ClientMessage, Party, ServerMessage } from './protocol.ts';
import type { RelayConfig, RelayStats } from './relay.ts';
import type { CallRecord } from './quality.ts';

/** The relay process's own health: what a packet waits for inside it. */
export interface RelayProcessFigures {
  relay: RelayStats;
  /** CPU time used since the process started, µs. */
  cpuUs: number;
  rss: number;
  /** Event-loop delay since the last reset, ms: a packet that arrives while the loop is busy waits this long. */
  loopDelayP99: number;
  loopDelayMax: number;
  /** Garbage-collection pauses since the last reset, ms. */
  gcPauseMax: number;
  gcPauseTotal: number;
}

export type ToRelayProcess =
  | { op: 'init'; config: RelayConfig; logLevel: string }
  | { op: 'connect'; key: number; encounterId: string; role: Party }
  | { op: 'msg'; key: number; msg: ClientMessage }
  | { op: 'leave'; key: number }
  /** A consent was given or withdrawn at the box. */
  | { op: 'consent'; encounterId: string; active: boolean }
  /** The box's answer to `consent-ask`; `failed`: the database could not say. */
  | { op: 'consent-answer'; id: number; active: boolean; failed?: true }
  | { op: 'figures'; id: number; reset: boolean }
  | { op: 'close' };

export type FromRelayProcess =
  | { op: 'ready' }
  | { op: 'out'; key: number; msg: ServerMessage }
  /** Sent whenever rooms, peer connections or calls change, before any message that follows from the change. */
  | { op: 'stats'; stats: RelayStats }
  | { op: 'consent-ask'; id: number; encounterId: string }
  | { op: 'call'; record: CallRecord }
  /** Every few seconds: the calls going on, saved by the box with reason `failed` if this process dies. */
  | { op: 'calls-in-progress'; records: CallRecord[] }
  | { op: 'figures'; id: number; figures: RelayProcessFigures };
