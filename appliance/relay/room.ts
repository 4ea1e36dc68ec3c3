/**
 * A consultation room (one per encounter) and a participant's signaling session in it. The room
 * holds at most one session and one media leg per role; the relay (relay.ts) does the rest.
 */
import type { ClientMessage, Party, ServerMessage } from './protocol.ts';
import type { CallStats } from './quality.ts';
import type { Leg } from './media-leg.ts';
import type { RelaySession } from './relay-api.ts';

/** What a session asks of the relay it belongs to. */
export interface SessionHost {
  leave(session: Session): void;
  onMessage(session: Session, msg: ClientMessage): Promise<void>;
}

export class Room {
  sessions: Partial<Record<Party, Session>> = {};
  legs: Partial<Record<Party, Leg>> = {};
  /** Bumped whenever media is torn down: an offer in flight from before is dropped. */
  epoch = 0;
  call: CallStats | null = null;
  constructor(readonly encounterId: string) {}
  send(role: Party, msg: ServerMessage) {
    this.sessions[role]?.send(msg);
  }
  sendAll(msg: ServerMessage) {
    for (const s of Object.values(this.sessions)) s?.send(msg);
  }
}

export class Session implements RelaySession {
  closed = false;
  constructor(
    readonly relay: SessionHost,
    readonly room: Room,
    readonly role: Party,
    readonly sink: (msg: ServerMessage) => void,
  ) {}
  get encounterId() {
    return this.room.encounterId;
  }
  send(msg: ServerMessage) {
    if (this.closed) return;
    try {
      this.sink(msg);
    } catch {
      /* the socket is going away */
    }
  }
  handle(msg: ClientMessage) {
    return this.closed ? Promise.resolve() : this.relay.onMessage(this, msg);
  }
  close() {
    if (this.closed) return;
    this.relay.leave(this);
    this.closed = true;
  }
}
