/**
 * `npm run bench -- fleet`: the hub with a simulated fleet on Mosquitto + PostgreSQL.
 * FLEET_BENCH_BOXES (default 22,400) boxes, each its own identity and MQTT session, on two
 * Mosquitto processes sharded by region (this machine allows 20,000 open files per process),
 * driven by FLEET_BENCH_SIM_PROCS (default 4) simulator processes, reporting every 60 s with
 * jitter; the hub in a process of its own (its CPU and RSS are read from /proc). Measured:
 *   - the cost of checking a box's secret per connect (scrypt at the hub vs Mosquitto's PBKDF2);
 *   - hub CPU and RSS at steady state; a report → visible on the console; a silent box → offline;
 *   - the box list filtered by province and state (p95); a district's 90-day chart;
 *   - the reconnect storm after both brokers restart;
 *   - the status path (status-ingest.ts: the hub's handling and batched write) against a COPY of
 *     the same samples, and ThingsBoard's quoted 5,000–10,000 data points/s on PostgreSQL.
 * PostgreSQL at SIMPUL_BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test), in a
 * schema of its own, dropped afterwards.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, pbkdf2Sync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import mqtt from 'mqtt';
import pg from 'pg';
import { deviceCost, hashPassword, verifyPassword } from '../../appliance/password-hash.ts';
import { encodeStatusFrame, topics, type BoxStatusV2 } from '../../central/contract/index.ts';
import { HUB_MAX_QUEUED_MESSAGES } from '../../central/broker/mosquitto-files.ts';
import { mosquittoPasswordHash } from '../../central/fleet/mosquitto-password.ts';
import { postgresHubDb, type HubDb } from '../../central/storage/db.ts';
import { migrateHub } from '../../central/storage/migrations.ts';
import { enrolSimulatedFleet, type EnrolledSimBox } from '../../central/testing/fleet-enrol.ts';
import { assignBehaviour } from '../../central/testing/fleet-simulator.ts';
import { spawnHub } from '../../central/testing/hub-process.ts';
import { statusIngestVsCopy } from './status-ingest.ts';
import { printTable } from './table.ts';

const DB_URL = process.env.SIMPUL_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const N = Number(process.env.FLEET_BENCH_BOXES ?? 22_400);
const SIM_PROCS = Number(process.env.FLEET_BENCH_SIM_PROCS ?? 4);
const STEADY_S = Number(process.env.FLEET_BENCH_STEADY_S ?? 180);
const PORTS = [18_831, 18_832];
const HUB_USER = 'simpul-hub';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
const ms = (n: number) => `${n.toFixed(n < 10 ? 1 : 0)} ms`;
const log = (s: string) => console.error(`[fleet bench ${new Date().toISOString().slice(11, 19)}] ${s}`);

/** 38 provinces × ~13 districts: BPS-shaped codes. */
function districts(): string[] {
  const provinces = [
    '11',
    '12',
    '13',
    '14',
    '15',
    '16',
    '17',
    '18',
    '19',
    '21',
    '31',
    '32',
    '33',
    '34',
    '35',
    '36',
    '51',
    '52',
    '53',
    '61',
    '62',
    '63',
    '64',
    '65',
    '71',
    '72',
    '73',
    '74',
    '75',
    '76',
    '81',
    '82',
    '91',
    '92',
    '93',
    '94',
    '95',
    '96',
  ];
  return provinces.flatMap((p) => Array.from({ length: 13 }, (_, i) => `${p}${String(i + 1).padStart(2, '0')}`));
}

function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / 100; // utime + stime, in clock ticks of 1/100 s
}
const rssMb = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;

interface Broker {
  proc: ChildProcess;
  port: number;
  dir: string;
}

function startMosquitto(dir: string, port: number, boxes: EnrolledSimBox[], hubHash: string): Broker {
  writeFileSync(join(dir, `passwd-${port}`), [`${HUB_USER}:${hubHash}`, ...boxes.map((b) => `${b.deviceId}:${b.brokerHash}`)].join('\n') + '\n', { mode: 0o600 });
  writeFileSync(
    join(dir, `acl-${port}`),
    [
      `user ${HUB_USER}`,
      'topic read simpul/v1/+/up/#',
      'topic write simpul/v1/+/ack',
      'topic write simpul/v1/+/down/#',
      '',
      'pattern write simpul/v1/%u/up/#',
      'pattern read simpul/v1/%u/ack',
      'pattern read simpul/v1/%u/down/#',
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  writeFileSync(
    join(dir, `mosquitto-${port}.conf`),
    [
      `listener ${port} 127.0.0.1`,
      'allow_anonymous false',
      `password_file ${join(dir, `passwd-${port}`)}`,
      `acl_file ${join(dir, `acl-${port}`)}`,
      // Started as root (this machine's benchmark user), Mosquitto would drop to user mosquitto and not read the 0600 files.
      `user ${userInfo().username}`,
      'persistence false',
      'max_connections -1',
      'max_inflight_messages 100',
      // As the hub's generated configuration (central/broker/mosquitto-files.ts): at 1,000 a connect storm dropped reports.
      `max_queued_messages ${HUB_MAX_QUEUED_MESSAGES}`,
      'log_type error',
      'log_dest stderr',
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  const proc = spawn('/usr/sbin/mosquitto', ['-c', join(dir, `mosquitto-${port}.conf`)], { stdio: ['ignore', 'ignore', 'pipe'] });
  proc.stderr!.on('data', () => {});
  return { proc, port, dir };
}
const stopProc = (p: ChildProcess) => new Promise<void>((res) => (p.exitCode !== null || p.signalCode !== null ? res() : (p.once('exit', () => res()), p.kill('SIGTERM'))));

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number, everyMs = 1000): Promise<number> {
  const t0 = Date.now();
  while (!(await check())) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`fleet bench: timed out waiting for ${what}`);
    await sleep(everyMs);
  }
  return Date.now() - t0;
}

/** The per-connect cost of a secret check: the hub's scrypt (embedded broker) vs Mosquitto's PBKDF2-SHA512 ×101. */
async function secretCheckCost() {
  const secret = randomBytes(24).toString('base64url');
  const scryptHash = await hashPassword(secret, deviceCost);
  let t = performance.now();
  for (let i = 0; i < 10; i++) await verifyPassword(secret, scryptHash);
  const scryptMs = (performance.now() - t) / 10;
  const m = /^\$7\$(\d+)\$([^$]+)\$/.exec(mosquittoPasswordHash(secret))!;
  t = performance.now();
  for (let i = 0; i < 500; i++) pbkdf2Sync(secret, Buffer.from(m[2], 'base64'), Number(m[1]), 64, 'sha512');
  const pbkdfMs = (performance.now() - t) / 500;
  printTable(
    'Secret check per connect (one core)',
    ['check', 'per connect', `${N.toLocaleString('en-US')} connects`],
    [
      ['scrypt N=2^14 (hub, embedded broker)', ms(scryptMs), `${((scryptMs * N) / 60_000).toFixed(1)} min`],
      ['PBKDF2-SHA512 ×101 (Mosquitto password_file)', `${(pbkdfMs * 1000).toFixed(0)} µs`, `${((pbkdfMs * N) / 1000).toFixed(1)} s`],
    ],
  );
}

/** 90 days of history for the fleet: per-day rows per box, per-hour rows per district, per-hour rows per box for one district. */
async function chartHistory(db: HubDb, chartDistrict: string) {
  const t = performance.now();
  await db.query(`INSERT INTO region_hourly (region_code, hour, boxes, reports, pending_sum, parked_sum, oldest_age_max, disk_free_pct_min, queue_tickets_sum)
    SELECT r.code, h, 44, 2640, (random() * 200)::int, 0, (random() * 3600)::int, random() * 60, (random() * 4000)::int
      FROM (SELECT DISTINCT region_code AS code FROM devices WHERE region_code IS NOT NULL) r,
           generate_series(date_trunc('hour', now()) - interval '90 days', date_trunc('hour', now()) - interval '1 hour', interval '1 hour') h
    ON CONFLICT DO NOTHING`);
  await db.query(`INSERT INTO status_daily (device_id, day, reports, pending_max, parked_max, disk_free_pct_min, queue_tickets_max)
    SELECT d.id, day::date, 1440, (random() * 10)::int, 0, random() * 60, (random() * 120)::int
      FROM devices d, generate_series(current_date - 90, current_date - 1, interval '1 day') day ON CONFLICT DO NOTHING`);
  await db.query(
    `INSERT INTO status_hourly (device_id, hour, reports, pending_max, parked_max, disk_free_pct_min, queue_tickets_max)
    SELECT d.id, h, 60, (random() * 10)::int, 0, random() * 60, (random() * 120)::int
      FROM devices d, generate_series(date_trunc('hour', now()) - interval '90 days', date_trunc('hour', now()) - interval '1 hour', interval '1 hour') h
     WHERE d.region_code = $1 ON CONFLICT DO NOTHING`,
    [chartDistrict],
  );
  await db.query('ANALYZE');
  log(`90 days of history generated in ${Math.round((performance.now() - t) / 1000)} s`);
}

export async function runFleetBench() {
  await secretCheckCost();
  const schema = `bench_fleet_${randomBytes(4).toString('hex')}`;
  const db = await postgresHubDb(DB_URL, { schema, max: 4 });
  const admin = new pg.Pool({ connectionString: DB_URL, options: `-c search_path=${schema}`, max: 2 });
  const dir = mkdtempSync(join(tmpdir(), 'simpul-fleet-bench-'));
  const procs: ChildProcess[] = [];
  let brokers: Broker[] = [];
  let hub: Awaited<ReturnType<typeof spawnHub>> | null = null;
  const results: (string | number)[][] = [];
  try {
    await migrateHub(db);
    const ds = districts();
    let t = performance.now();
    const boxes = await enrolSimulatedFleet(db, { n: N, districts: ds, prefix: 'fb', scrypt: false });
    log(`${N} boxes enrolled in ${Math.round(performance.now() - t)} ms`);
    await db.query(
      `INSERT INTO regions (code, name) SELECT DISTINCT left(region_code, 2), 'Provinsi ' || left(region_code, 2) FROM devices UNION SELECT DISTINCT region_code, 'Kab ' || region_code FROM devices`,
    );

    await statusIngestVsCopy(db, admin, boxes);
    await db.query(`TRUNCATE status_raw, box_state`);
    await db.query(`UPDATE devices SET last_status = NULL, last_seen_at = NULL`);
    await chartHistory(db, ds[0]);

    // Shard by province: the first half of the provinces on one broker, the rest on the other.
    const provinces = [...new Set(ds.map((d) => d.slice(0, 2)))];
    const shardOf = (b: EnrolledSimBox) => (provinces.indexOf(b.regionCode.slice(0, 2)) < provinces.length / 2 ? 0 : 1);
    const hubPassword = randomBytes(18).toString('base64url');
    const hubHash = mosquittoPasswordHash(hubPassword);
    const start = () =>
      PORTS.map((p, i) =>
        startMosquitto(
          dir,
          p,
          boxes.filter((b) => shardOf(b) === i),
          hubHash,
        ),
      );
    brokers = start();
    await sleep(1000);
    const probe = boxes[boxes.length - 1];
    hub = await spawnHub(
      {
        DATABASE_URL: DB_URL,
        DATABASE_SCHEMA: schema,
        MQTT_URL: `mqtt://127.0.0.1:${PORTS[0]}`,
        SIMPUL_HUB_EXTRA_MQTT_URLS: `mqtt://127.0.0.1:${PORTS[1]}`,
        MQTT_USERNAME: HUB_USER,
        MQTT_PASSWORD: hubPassword,
        SIMPUL_HUB_LOG_LEVEL: 'warn',
      },
      60_000,
    );
    const hubPid = hub.proc.pid!;
    const api = async (path: string) => {
      const res = await fetch(`${hub!.url}${path}`, { headers: { authorization: `Bearer ${hub!.adminToken}` } });
      if (!res.ok) throw new Error(`${path}: ${res.status}`);
      return res.json() as Promise<any>;
    };
    const online = async () => (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM box_state WHERE state = 'online'`)).rows[0].n;

    // Simulators: every box but the probe, in SIM_PROCS processes.
    const simBoxes = boxes.slice(0, -1).map((b, i) => ({
      deviceId: b.deviceId,
      secret: b.secret,
      mqttUrl: `mqtt://127.0.0.1:${PORTS[shardOf(b)]}`,
      behaviour: assignBehaviour(i) === 'dark' ? 'normal' : assignBehaviour(i),
    }));
    const simStats: { connected: number; sent: number; rss: number }[] = [];
    for (let p = 0; p < SIM_PROCS; p++) {
      const file = join(dir, `boxes-${p}.json`);
      writeFileSync(file, JSON.stringify(simBoxes.filter((_, i) => i % SIM_PROCS === p)), { mode: 0o600 });
      const proc = spawn(process.execPath, ['--import', 'tsx', 'central/testing/fleet-simulator-cli.ts', file, '60000', String(p + 1), '60000'], {
        stdio: ['pipe', 'pipe', 'inherit'],
      });
      procs.push(proc);
      simStats[p] = { connected: 0, sent: 0, rss: 0 };
      createInterface({ input: proc.stdout! }).on('line', (l) => {
        try {
          simStats[p] = JSON.parse(l);
        } catch {
          /* not a stats line */
        }
      });
    }
    const connected = () => simStats.reduce((n, s) => n + s.connected, 0);
    t = performance.now();
    await waitFor('every simulated box connected', async () => connected() >= simBoxes.length, 10 * 60_000);
    log(`${simBoxes.length} sessions connected in ${Math.round((performance.now() - t) / 1000)} s`);
    const onlineMs = await waitFor('every box online at the hub', async () => (await online()) >= simBoxes.length, 5 * 60_000).catch((e) => {
      log(`${(e as Error).message}; hub stderr: ${hub!.stderr().slice(-1500)}`);
      return null;
    });
    log(onlineMs == null ? `only ${await online()} online; measuring anyway` : 'all online; steady state');

    // The probe box: its own session, on its shard.
    const probeClient = await mqtt.connectAsync(`mqtt://127.0.0.1:${PORTS[shardOf(probe)]}`, {
      clientId: probe.deviceId,
      username: probe.deviceId,
      password: probe.secret,
      protocolVersion: 4,
    });
    const probeStatus = (pending: number): BoxStatusV2 => ({
      v: 2,
      kind: 'status',
      at: new Date().toISOString(),
      hello: false,
      pending,
      parked: 0,
      bytesPending: 0,
      oldestPendingAgeSeconds: null,
      lastSyncAt: null,
      lastError: null,
      sw: '0.1.0',
      bootId: 'beef',
      uptimeS: 1,
      uncleanStops: 0,
      disk: { free: 1, total: 2 },
      mem: { box: 1, relay: null },
      load: 0,
      dbBytes: null,
      backup: null,
      clock: { trusted: true, offsetMs: null },
      certExpiresAt: null,
      relay: null,
      queue: null,
      storage: 'ok',
    });

    // Steady state: hub CPU and RSS over the window; report → visible and list queries meanwhile.
    const cpu0 = cpuSeconds(hubPid);
    const wall0 = performance.now();
    const rss: number[] = [];
    const visible: number[] = [];
    const listMs: number[] = [];
    const endAt = Date.now() + STEADY_S * 1000;
    let k = 0;
    while (Date.now() < endAt) {
      rss.push(rssMb(hubPid));
      // A report, then the console's box list until it shows the report's time.
      const sentAt = Date.now();
      await probeClient.publishAsync(topics.status(probe.deviceId), encodeStatusFrame(probeStatus(++k)), { qos: 1 });
      // A hub that has fallen behind shows the report late: counted as 30 s or more, and the run goes on.
      while (true) {
        const r = await api(`/api/fleet/boxes?q=${probe.deviceId}`);
        if (r.boxes[0]?.lastReportAt && Date.parse(r.boxes[0].lastReportAt) >= sentAt - 5) break;
        if (Date.now() - sentAt > 30_000) break;
        await sleep(50);
      }
      visible.push(Date.now() - sentAt);
      for (let i = 0; i < 10; i++) {
        const q0 = performance.now();
        await api(`/api/fleet/boxes?region=${ds[(k * 13 + i * 31) % ds.length].slice(0, 2)}&state=online&limit=50`);
        listMs.push(performance.now() - q0);
      }
      await sleep(4000);
    }
    const cpuPct = (100 * (cpuSeconds(hubPid) - cpu0)) / ((performance.now() - wall0) / 1000);
    const reportsPerS = Number(
      /simpul_hub_status_reports_total (\d+)/.exec(await (await fetch(`${hub.url}/metrics`, { headers: { authorization: `Bearer ${hub.adminToken}` } })).text())?.[1] ?? 0,
    );
    results.push([
      'hub CPU at steady state',
      '≤ 25% of a core',
      `${cpuPct.toFixed(1)}%`,
      `${N.toLocaleString('en-US')} boxes, ${STEADY_S} s window (${reportsPerS.toLocaleString('en-US')} reports received since start)`,
    ]);
    results.push(['hub RSS', '≤ 512 MB', `${Math.round(Math.max(...rss))} MB max`, `median ${Math.round(pct(rss, 50))} MB`]);
    results.push([
      'report → visible on the console',
      '≤ 5 s',
      `p50 ${ms(pct(visible, 50))}, max ${ms(Math.max(...visible))}`,
      `${visible.length} probes (the hub writes reports once a second)`,
    ]);
    results.push(['box list by province and state', 'p95 ≤ 300 ms', `p95 ${ms(pct(listMs, 95))}`, `${listMs.length} requests over HTTP, 50 a page`]);

    // A silent box shown offline: the probe stops.
    const silentAt = Date.now();
    await probeClient.endAsync(true);
    const offlineMs = await waitFor(
      'the silent probe shown offline',
      async () => (await api(`/api/fleet/boxes?q=${probe.deviceId}`)).boxes[0]?.state === 'offline',
      5 * 60_000,
      1000,
    );
    results.push(['silent box shown offline', '≤ 3 min', `${Math.round(offlineMs / 1000)} s`, 'stale after 100 s, offline after 150 s, sweep every 15 s']);
    void silentAt;

    // A district's 90-day chart over HTTP.
    const chartMs: number[] = [];
    for (let i = 0; i < 20; i++) {
      const q0 = performance.now();
      const r = await api(`/api/fleet/regions/${ds[i % ds.length]}/chart?days=90`);
      chartMs.push(performance.now() - q0);
      if (i === 0 && r.points.length < 2000) throw new Error(`chart has ${r.points.length} points`);
    }
    const boxChart = performance.now();
    await api(`/api/fleet/boxes/${boxes[0].deviceId}/history?hours=${90 * 24}`);
    results.push(["a district's 90-day chart", '≤ 1 s', `p95 ${ms(pct(chartMs, 95))}`, `2,160 hourly points; one box's 90 days: ${ms(performance.now() - boxChart)}`]);

    // Reconnect storm: both brokers restart; every session must come back.
    const onlineBefore = connected();
    await Promise.all(brokers.map((b) => stopProc(b.proc)));
    await waitFor('the simulators to notice', async () => connected() < onlineBefore / 10, 60_000, 500);
    const storm0 = Date.now();
    brokers = start();
    const stormMs = await waitFor('every session back', async () => connected() >= simBoxes.length, 10 * 60_000, 1000);
    const stateAfter = await online();
    results.push([
      'reconnect storm after broker restart',
      'all online ≤ 5 min',
      `${Math.round(stormMs / 1000)} s`,
      `${simBoxes.length.toLocaleString('en-US')} sessions re-authenticated (PBKDF2 at Mosquitto); ${stateAfter.toLocaleString('en-US')} shown online at the hub after`,
    ]);
    void storm0;

    // What a box costs per day in the hub database.
    const size = async (table: string) =>
      (await db.query<{ b: number; n: number }>(`SELECT pg_total_relation_size('${table}')::float8 AS b, (SELECT count(*) FROM ${table})::float8 AS n`)).rows[0];
    const raw = await size('status_raw');
    const hourly = await size('status_hourly');
    const daily = await size('status_daily');
    const perRow = (x: { b: number; n: number }) => (x.n ? x.b / x.n : 0);
    const perDay = 1440 * perRow(raw) + 24 * perRow(hourly) + perRow(daily);
    const kept = 2880 * perRow(raw) + 2160 * perRow(hourly) + 730 * perRow(daily);
    results.push([
      'bytes a box costs per day (history)',
      '',
      `${Math.round(perDay / 1024)} KiB written/day`,
      `raw ${Math.round(perRow(raw))} B/row ×1,440, hourly ${Math.round(perRow(hourly))} B ×24, daily ${Math.round(perRow(daily))} B; kept at steady state (48 h raw, 90 d hourly, 2 y daily): ${(kept / 2 ** 20).toFixed(1)} MiB/box, ${((kept * 22_400) / 2 ** 30).toFixed(0)} GiB for 22,400`,
    ]);
    results.push(['simulators', '', `${SIM_PROCS} processes`, `RSS ${simStats.map((s) => Math.round(s.rss / 2 ** 20)).join(', ')} MB`]);
    printTable(
      `Fleet: ${N.toLocaleString('en-US')} boxes on 2 Mosquitto shards + PostgreSQL (${new Date().toISOString().slice(0, 10)})`,
      ['measure', 'goal', 'measured', 'how'],
      results,
    );
  } finally {
    for (const p of procs) await stopProc(p);
    await hub?.kill();
    for (const b of brokers) await stopProc(b.proc);
    rmSync(dir, { recursive: true, force: true });
    await admin.end();
    await db.close();
    const c = new pg.Client({ connectionString: DB_URL });
    await c.connect();
    await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await c.end();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await runFleetBench();
