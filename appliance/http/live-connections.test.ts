import { describe, expect, it } from 'vitest';
import { addressKey, LiveConnections, type LiveLease } from './live-connections.ts';

describe('live-connection caps', () => {
  it('refuses beyond the per-address cap and the total, and a released slot is free again', () => {
    const live = new LiveConnections({ perAddress: 2, total: 3 });
    const a1 = live.acquire('10.0.0.1', { staff: false }) as LiveLease;
    live.acquire('10.0.0.1', { staff: false });
    expect(live.acquire('10.0.0.1', { staff: false })).toBe('per_address');
    live.acquire('10.0.0.2', { staff: false });
    expect(live.acquire('10.0.0.3', { staff: false })).toBe('total');
    a1.release();
    a1.release(); // twice gives back one slot only
    expect(live.stats()).toEqual({ open: 2, addresses: 2 });
    expect(typeof live.acquire('10.0.0.3', { staff: false })).toBe('object');
    expect(live.acquire('10.0.0.4', { staff: false })).toBe('total');
  });

  it('staff are held to their address’s cap but not refused by the total', () => {
    const live = new LiveConnections({ perAddress: 2, total: 1 });
    live.acquire('10.0.0.1', { staff: false });
    expect(live.acquire('10.0.0.9', { staff: false })).toBe('total');
    expect(typeof live.acquire('10.0.0.9', { staff: true })).toBe('object');
    expect(typeof live.acquire('10.0.0.9', { staff: true })).toBe('object');
    expect(live.acquire('10.0.0.9', { staff: true })).toBe('per_address');
    expect(live.stats().open).toBe(3);
  });

  it('counts IPv4 as is (also IPv4-mapped) and IPv6 by its /64', () => {
    expect(addressKey('192.168.1.20')).toBe('192.168.1.20');
    expect(addressKey('::ffff:192.168.1.20')).toBe('192.168.1.20');
    expect(addressKey('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:0db8:0001:0002:bbbb:cccc:dddd:eeee')).toBe('2001:db8:1:2::/64');
    expect(addressKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    expect(addressKey('::1')).toBe('0:0:0:0::/64');
    expect(addressKey(undefined)).toBe('unknown');
  });
});
