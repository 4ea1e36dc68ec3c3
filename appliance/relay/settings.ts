/**
 * The relay's settings. Flat keys, spread into appliance/config.ts's schema (`...relaySettingsShape`).
 */
import { z } from 'zod';
import type { RelayConfig } from './relay.ts';

const port = z.coerce.number().int().min(1024).max(65535);
const list = z.preprocess(
  (v) =>
    typeof v === 'string'
      ? v
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
      : v,
  z.array(z.string().min(1)),
);

export const relaySettingsShape = {
  /** UDP ports the relay's media uses (open them in the box's firewall): each call takes two, one per participant. */
  relayUdpPortMin: port.default(40000),
  relayUdpPortMax: port.default(40199),
  /** Video bitrate cap per direction of a call, kbit/s (REMB and SDP b=AS); audio is Opus at ~32. */
  relayBitrateKbps: z.coerce.number().int().min(64).max(4000).default(600),
  /** LAN addresses the relay offers to phones and tablets; empty: every interface of the box. */
  relayHostAddresses: list.default([]),
};

export const relayEnv = {
  SIMPUL_RELAY_UDP_PORT_MIN: 'relayUdpPortMin',
  SIMPUL_RELAY_UDP_PORT_MAX: 'relayUdpPortMax',
  SIMPUL_RELAY_BITRATE_KBPS: 'relayBitrateKbps',
  SIMPUL_RELAY_HOST_ADDRESSES: 'relayHostAddresses',
} as const;

export type RelaySettings = { relayUdpPortMin: number; relayUdpPortMax: number; relayBitrateKbps: number; relayHostAddresses: string[] };

export function relayConfigOf(s: RelaySettings): RelayConfig {
  const loopbackOnly = s.relayHostAddresses.length > 0 && s.relayHostAddresses.every((a) => a === '127.0.0.1' || a === '::1');
  return {
    udpPortRange: s.relayUdpPortMax > s.relayUdpPortMin ? [s.relayUdpPortMin, s.relayUdpPortMax] : undefined,
    hostAddresses: s.relayHostAddresses,
    // A loopback-only relay (tests, a box behind its own proxy) never pairs with other addresses.
    restrictRemoteToHostAddresses: loopbackOnly,
    bitrateKbps: s.relayBitrateKbps,
  };
}
