/**
 * The consultation's signaling messages (JSON over the WebSocket). The relay core speaks these
 * with any transport: the box's WebSocket route, the tests' direct calls, and later a link to
 * another relay (a remote doctor's box).
 */
export type Party = 'patient' | 'doctor';

export type QualityLevel = 'good' | 'fair' | 'poor';

/** Link figures of one participant, both directions as the relay sees them. */
export interface LinkQuality {
  level: QualityLevel;
  /** participant → box */
  up: { kbps: number; lossPct: number; jitterMs: number };
  /** box → participant (from the participant's receiver reports) */
  down: { kbps: number; lossPct: number; rttMs: number | null };
}

export type ClientMessage =
  | { type: 'offer'; sdp: string }
  | { type: 'chat'; text: string }
  | { type: 'state'; muted?: boolean; cameraOff?: boolean; audioOnly?: boolean }
  | { type: 'stats'; framesDecoded?: number; audioPacketsReceived?: number; fps?: number }
  | { type: 'hangup' }
  | { type: 'ping' };

export type StopReason = 'withdrawn' | 'hangup' | 'left' | 'encounter_closed' | 'failed' | 'shutdown' | 'replaced';

export type ServerMessage =
  | { type: 'hello'; role: Party; encounterId: string; consent: boolean; peer: boolean; media: boolean; bitrateKbps: number }
  | { type: 'consent'; active: boolean }
  | { type: 'answer'; sdp: string }
  | { type: 'media'; state: 'connecting' | 'connected' | 'stopped'; reason?: StopReason; by?: Party }
  | { type: 'peer'; role: Party; present: boolean; media?: boolean; muted?: boolean; cameraOff?: boolean; audioOnly?: boolean }
  | { type: 'chat'; from: Party; text: string; at: string }
  | { type: 'quality'; you: LinkQuality; peer: QualityLevel | null }
  | { type: 'suggest-audio-only'; reason: string }
  | { type: 'error'; code: 'consent_required' | 'bad_message' | 'media_failed' | 'busy'; message: string }
  | { type: 'pong' };

export const isParty = (v: unknown): v is Party => v === 'patient' || v === 'doctor';

/** Parses a client's message; anything else is `null` (answered with `bad_message`). */
export function parseClientMessage(raw: unknown): ClientMessage | null {
  let m: unknown = raw;
  if (typeof raw === 'string') {
    if (raw.length > 200_000) return null;
    try {
      m = JSON.parse(raw);
    } catch {
      return null;
    }
  }
  if (!m || typeof m !== 'object') return null;
  const o = m as Record<string, unknown>;
  const bool = (v: unknown) => (typeof v === 'boolean' ? v : undefined);
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : undefined);
  switch (o.type) {
    case 'offer':
      return typeof o.sdp === 'string' && o.sdp.startsWith('v=0') && o.sdp.length < 100_000 ? { type: 'offer', sdp: o.sdp } : null;
    case 'chat': {
      if (typeof o.text !== 'string') return null;
      const text = o.text.trim().slice(0, 1000);
      return text ? { type: 'chat', text } : null;
    }
    case 'state':
      return { type: 'state', muted: bool(o.muted), cameraOff: bool(o.cameraOff), audioOnly: bool(o.audioOnly) };
    case 'stats':
      return { type: 'stats', framesDecoded: num(o.framesDecoded), audioPacketsReceived: num(o.audioPacketsReceived), fps: num(o.fps) };
    case 'hangup':
      return { type: 'hangup' };
    case 'ping':
      return { type: 'ping' };
    default:
      return null;
  }
}
