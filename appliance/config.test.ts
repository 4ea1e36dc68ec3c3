import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig, parseConfig } from './config.ts';

describe('configuration', () => {
  it('defaults make a working production box on WIB', () => {
    const c = parseConfig({});
    expect(c.mode).toBe('production');
    expect(c.timeZone).toBe('Asia/Jakarta');
    expect(c.polis.map((p) => p.code)).toEqual(['umum', 'gigi', 'kia']);
  });

  it('accepts WIB/WITA/WIT names for the time zone', () => {
    expect(parseConfig({ timeZone: 'WITA' }).timeZone).toBe('Asia/Makassar');
    expect(parseConfig({ timeZone: 'wit' }).timeZone).toBe('Asia/Jayapura');
  });

  it('a wrong value names the setting and what is expected', () => {
    expect(() => parseConfig({ timeZone: 'Europe/Paris' })).toThrow(/timeZone: expected WIB, WITA or WIT/);
    expect(() => parseConfig({ httpsPort: 70000 })).toThrow(/httpsPort/);
    expect(() => parseConfig({ polis: [{ code: 'umum', name: 'Umum', prefix: 'a', rooms: ['R1'] }] })).toThrow(/polis\.0\.prefix: expected one capital letter/);
    expect(() => parseConfig({ unknownSetting: 1 })).toThrow(ConfigError);
  });

  it('caps live-update connections per address and in total, from the file or the environment', () => {
    expect(parseConfig({})).toMatchObject({ liveConnectionsPerAddress: 8, liveConnectionsTotal: 400 });
    const file = join(mkdtempSync(join(tmpdir(), 'simpul-config-')), 'simpul.config.json');
    writeFileSync(file, JSON.stringify({ liveConnectionsPerAddress: 6 }));
    expect(loadConfig({ SIMPUL_CONFIG: file }).liveConnectionsPerAddress).toBe(6);
    const c = loadConfig({ SIMPUL_CONFIG: file, SIMPUL_LIVE_CONNECTIONS_PER_ADDRESS: '4', SIMPUL_LIVE_CONNECTIONS_TOTAL: '1000' });
    expect(c).toMatchObject({ liveConnectionsPerAddress: 4, liveConnectionsTotal: 1000 });
    expect(() => parseConfig({ liveConnectionsPerAddress: 0 })).toThrow(/liveConnectionsPerAddress/);
    expect(() => parseConfig({ liveConnectionsTotal: 'many' })).toThrow(/liveConnectionsTotal/);
  });

  it('reads every time of day the same way: 00:00 to 24:00 (the end of the day), nothing past it', () => {
    for (const t of ['00:00', '23:59', '24:00', '16:00']) expect(parseConfig({ serviceEndsAt: t }).serviceEndsAt).toBe(t);
    for (const t of ['24:01', '24:30', '25:00', '7:30', '07:60', '0700', '07:00:00', ' 07:00', '']) {
      expect(() => parseConfig({ serviceEndsAt: t }), t).toThrow(/serviceEndsAt: expected a time HH:MM/);
    }
    for (const w of ['22:00-05:00', '22:00-24:00', '00:00-24:00', '00:00-05:00', '23:59-00:00']) expect(parseConfig({ syncNightWindow: w }).syncNightWindow).toBe(w);
    for (const w of ['22:00-24:30', '22:00', '22:00-', '22:00 - 05:00', '25:00-05:00']) {
      expect(() => parseConfig({ syncNightWindow: w }), w).toThrow(/syncNightWindow: expected "HH:MM-HH:MM"/);
    }
  });

  it('two polis cannot share a prefix', () => {
    const polis = [
      { code: 'umum', name: 'Umum', prefix: 'A', rooms: ['R1'] },
      { code: 'gigi', name: 'Gigi', prefix: 'A', rooms: ['R2'] },
    ];
    expect(() => parseConfig({ polis })).toThrow(/duplicate poli prefix:A/);
  });

  it('environment overrides the file, and a broken file is named', () => {
    const dir = mkdtempSync(join(tmpdir(), 'simpul-config-'));
    const file = join(dir, 'simpul.config.json');
    writeFileSync(file, JSON.stringify({ httpsPort: 9000, timeZone: 'WIT' }));
    const c = loadConfig({ SIMPUL_CONFIG: file, SIMPUL_HTTPS_PORT: '9100' });
    expect(c.httpsPort).toBe(9100);
    expect(c.timeZone).toBe('Asia/Jayapura');
    writeFileSync(file, '{ not json');
    expect(() => loadConfig({ SIMPUL_CONFIG: file })).toThrow(new RegExp(`Cannot read config file ${file}`));
    expect(() => loadConfig({ SIMPUL_CONFIG: join(dir, 'missing.json') })).toThrow(/does not exist/);
    expect(() => loadConfig({ SIMPUL_CONFIG: join(dir, 'missing.json'), SIMPUL_HTTPS_PORT: 'abc' })).toThrow(ConfigError);
  });

  it('reads who may see /metrics from the file or the environment', () => {
    const dir = mkdtempSync(join(tmpdir(), 'simpul-config-'));
    const file = join(dir, 'simpul.config.json');
    writeFileSync(file, '{}');
    const c = loadConfig({ SIMPUL_CONFIG: file, SIMPUL_METRICS_TOKEN: 'a'.repeat(32), SIMPUL_METRICS_ALLOW_FROM: '192.168.1.2, fd00::2' }, {});
    expect(c.metricsToken).toBe('a'.repeat(32));
    expect(c.metricsAllowFrom).toEqual(['192.168.1.2', 'fd00::2']);
    expect(parseConfig({}).metricsAllowFrom).toEqual([]);
    expect(() => parseConfig({ metricsToken: 'short' })).toThrow(/metricsToken: at least 24 characters/);
    expect(() => parseConfig({ metricsAllowFrom: ['monitor.lan'] })).toThrow(/metricsAllowFrom\.0: expected an IP address/);
  });
});
