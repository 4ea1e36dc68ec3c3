import { statfs } from 'node:fs/promises';
import type { Logger } from 'pino';
import { createLog } from './log.ts';
import type { Config } from './config.ts';
import { corruptionIn, openDatabase, storageInfo } from './storage/database.ts';
import { GroupCommitDb } from './storage/group-commit.ts';
import { Queue } from './clinic/queue.ts';
import type { ClinicSettings } from './clinic/settings.ts';
import { demoStaff, seedDemo, seedDemoTicket } from './clinic/demo.ts';
import { countAdmins } from './clinic/staff.ts';
import { expireReferrals } from './clinic/referrals.ts';
import { onContractBreach, outboxClockTrust } from './clinic/outbox.ts';
import { databaseClockFloor, saveDatabaseClockFloor } from './clinic/clock-floor.ts';
import { installBoxClock, TrustedClock } from './clock/trusted-clock.ts';
import { join } from 'node:path';
import { startSync, type Sync } from './sync/index.ts';
import { createApp } from './http/app.ts';
import { LiveConnections } from './http/live-connections.ts';
import { PhoneTickets } from './http/phone-tickets.ts';
import { RelayProcess } from './relay/relay-host.ts';
import { relayDepsFor } from './relay/store.ts';
import { relayConfigOf } from './relay/settings.ts';
import { attachWebSockets, type WebSocketAttachment } from './relay/node-websocket.ts';
import { serveHttp, serveHttps, serveRedirect, type Listening } from './http/server.ts';
import { loadOrCreateCertificate } from './http/tls.ts';
import { readUpdateOutcome } from './update-outcome.ts';
import pino from 'pino';
import { JobRunner } from './jobs/runner.ts';
import { boxJobActions } from './jobs/box-actions.ts';
import { LogTail } from './jobs/log-tail.ts';
import { firstRunNeeded, runFirstRun } from './first-run/first-run.ts';

export interface Box {
  db: GroupCommitDb;
  sync: Sync;
  relay: RelayProcess;
  /** Remote jobs from the hub (appliance/jobs/). */
  jobs: JobRunner;
  queue: Queue;
  /** Open live-update streams and sockets, counted against their caps. */
  live: LiveConnections;
  url: string;
  httpRedirectUrl: string | null;
  close(): Promise<void>;
}

export function settingsOf(config: Config): ClinicSettings {
  const { timeZone, serviceEndsAt, referralValidDays, defaultServiceMinutes, facility, polis } = config;
  return { timeZone, serviceEndsAt, referralValidDays, defaultServiceMinutes, facility, polis };
}

/**
 * Starts the box: storage → domain → HTTP. Shutdown runs in reverse. `plainHttp` serves the app
 * without TLS (benchmarks and in-process tests only; a box always serves HTTPS). `now` is the
 * queue's clock (tests move it past a ticket link's expiry). `keepContractBreaches` (main.ts, the
 * box in production): a record that breaks the wire contract is kept and logged rather than
 * refusing the clinical write (clinic/outbox.ts onContractBreach); tests leave it off so it fails.
 * `demoHospitalsFromCentre` (npm start): the demo seed writes no hospital list; the hub sends it.
 */
export async function startBox(
  config: Config,
  opts: { log?: Logger; plainHttp?: boolean; now?: () => Date; keepContractBreaches?: boolean; demoHospitalsFromCentre?: boolean; firstRun?: boolean } = {},
): Promise<Box> {
  // The last log lines' sentences are kept for a diagnostics job (appliance/jobs/log-tail.ts).
  const tail = new LogTail();
  const log =
    opts.log ??
    createLog(
      { level: config.logLevel, base: { part: 'appliance' } },
      pino.multistream([
        { level: 'trace', stream: pino.destination(1) },
        { level: 'trace', stream: tail },
      ]),
    );
  // The breach names the type, entity id and the failing path, never a payload value.
  if (opts.keepContractBreaches) onContractBreach((breach) => log.error({ breach }, 'outbox record breaks the wire contract: kept, the hub will park it'));
  const opened = await openDatabase({ dataDir: config.dataDir, log: (line) => log.info(line) });
  const db = new GroupCommitDb(opened);
  const settings = settingsOf(config);
  const demo = config.mode === 'demo';
  // The box's clock, kept from going back (clock/trusted-clock.ts): the queue's clinic day follows it.
  const clock = await TrustedClock.open({
    floorFile: join(config.dataDir, 'clock-floor'),
    databaseFloor: await databaseClockFloor(db),
    systemNow: opts.now ? () => opts.now!().getTime() : undefined,
  });
  if (!clock.trusted)
    log.warn(
      { clock: clock.report() },
      'the system clock is earlier than the latest time this box recorded: not trusted; the box keeps time from there until the hub tells it the time',
    );
  installBoxClock(clock);
  outboxClockTrust(() => clock.trusted);
  const saveFloor = async () => saveDatabaseClockFloor(db, await clock.saveFloor());
  const queue = new Queue(db, settings, () => clock.now());
  // Day turnover work: past days' queue figures for the centre, referrals past their validity,
  // and a VACUUM once a day (PGlite runs no autovacuum), after midnight when the clinic is quiet.
  let vacuumedOn = queue.today();
  const dayWork = async () => {
    if (queue.today() !== vacuumedOn) {
      vacuumedOn = queue.today();
      const started = Date.now();
      await db.query('VACUUM (ANALYZE)');
      log.info({ ms: Date.now() - started }, 'nightly vacuum done');
    }
    const closed = await queue.closePastDays();
    if (closed) log.info({ polisDays: closed }, 'queued past days’ queue figures for the centre');
    const expired = await expireReferrals(db, queue.today(), settings.facility.code);
    if (expired) log.info({ referrals: expired }, 'referrals past their validity marked expired');
  };
  // The first reads of the clinic's tables: a damaged page found here stops the box the way a data
  // dir that will not open does (main.ts serves the storage-failure pages), not with a crash.
  try {
    if (demo) {
      if (await seedDemo(db, settings, { hospitalsFromCentre: opts.demoHospitalsFromCentre })) log.info('demo puskesmas seeded');
      else await seedDemoTicket(db, settings);
    } else if ((await countAdmins(db)) === 0) {
      log.warn('no admin account yet: create one with `npm run setup -- admin --username <name> --full-name "<name>"` (password on stdin)');
    }
    await dayWork();
  } catch (e) {
    const corrupt = corruptionIn(e, storageInfo(opened)?.pgdata ?? config.dataDir);
    if (!corrupt) throw e;
    await db.close();
    throw corrupt;
  }
  // A production box with no admin or no enrolment serves only its first-run page until both are done (main.ts).
  const firstRun = opts.firstRun && !demo && !opts.plainHttp ? await firstRunNeeded(db, config) : null;
  if (firstRun) {
    const tls = await loadOrCreateCertificate({ dataDir: config.dataDir, certFile: config.tlsCertFile, keyFile: config.tlsKeyFile, hostnames: config.tlsHostnames });
    await runFirstRun({ db, dataDir: config.dataDir, facilityCode: config.facility.code, host: config.host, port: config.httpsPort, tls, log, needs: firstRun });
  }
  // The job runner exists before sync (a job can arrive with the first hello); it reaches sync and the relay when a job runs.
  let relay: RelayProcess | undefined;
  const jobs = new JobRunner(
    db,
    boxJobActions({
      dataDir: config.dataDir,
      pglite: opened,
      sync: { stats: () => sync.stats(), applySettings: (c) => sync.applySettings(c) },
      relayPid: () => relay?.pid,
      tail: opts.log ? null : tail,
    }),
    log.child({ part: 'jobs' }),
    opts.now,
    () => sync.kick(),
  );
  const sync = await startSync({
    db,
    config,
    log,
    clock,
    onJob: (item) => jobs.accept(item),
    // The status report tells the hub whether this box's clock can be trusted and how far it is off.
    statusSources: {
      clock: () => {
        const r = clock.report();
        return { trusted: r.trusted, offsetMs: r.offsetMs };
      },
    },
  });
  await saveFloor();
  const floorTimer = setInterval(() => void saveFloor().catch((err) => log.warn({ err }, 'clock floor not saved')), 60_000);
  floorTimer.unref();
  const dayTimer = setInterval(() => void dayWork().catch((err) => log.error({ err }, 'day turnover work failed')), 10 * 60_000);
  dayTimer.unref();

  // The consultation relay, in a process of its own: media only with consent; its signaling
  // WebSockets ride the HTTPS server.
  relay = new RelayProcess(relayConfigOf(config), relayDepsFor(db, log), { logLevel: config.logLevel });
  await jobs.start();
  const sockets: WebSocketAttachment[] = [];
  const live = new LiveConnections({ perAddress: config.liveConnectionsPerAddress, total: config.liveConnectionsTotal });

  const app = createApp({
    relay,
    db,
    queue,
    settings,
    log,
    demo,
    secureCookies: !opts.plainHttp,
    live,
    phoneTickets: new PhoneTickets({ perAddress: config.phoneTicketsPerAddress, perDay: config.phoneTicketsPerDay }),
    sync,
    clock: () => clock.report(),
    metricsAccess: { token: config.metricsToken, allowFrom: config.metricsAllowFrom },
    health: async () => {
      const checks: Record<string, unknown> = {};
      let ok = true;
      try {
        await db.query('SELECT 1');
        checks.database = 'ok';
      } catch (e) {
        ok = false;
        checks.database = `error: ${(e as Error).message}`;
      }
      const fs = await statfs(config.dataDir);
      const freeMb = Math.round((fs.bavail * fs.bsize) / 1_048_576);
      checks.diskFreeMb = freeMb;
      // Below 200 MB a day of records and a backup may not fit.
      if (freeMb < 200) ok = false;
      // An untrusted clock does not make the box unhealthy (care goes on), but it says so.
      checks.clock = clock.report();
      // For firmware-scripts/update.sh: migrations done, sync connected if it was before the update,
      // and the last update's outcome (reported, never failing health).
      checks.migration = (await db.query<{ id: number | null }>('SELECT max(id) AS id FROM schema_migrations').catch(() => ({ rows: [{ id: null }] }))).rows[0]?.id ?? null;
      const link = await sync.stats().catch(() => null);
      checks.sync = !link ? 'unknown' : !link.enabled ? 'off' : link.connected ? 'connected' : 'disconnected';
      checks.update = readUpdateOutcome(config.dataDir);
      return { ok, checks };
    },
  });

  const servers: Listening[] = [];
  let url: string;
  let httpRedirectUrl: string | null = null;
  const shownHost = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  if (opts.plainHttp) {
    const s = await serveHttp(app.fetch, { port: config.httpsPort, host: config.host });
    servers.push(s);
    sockets.push(attachWebSockets(s.server, app.fetch));
    url = `http://${shownHost}:${s.port}`;
  } else {
    const tls = await loadOrCreateCertificate({ dataDir: config.dataDir, certFile: config.tlsCertFile, keyFile: config.tlsKeyFile, hostnames: config.tlsHostnames });
    const s = await serveHttps(app.fetch, { port: config.httpsPort, host: config.host, key: tls.key, cert: tls.cert });
    servers.push(s);
    sockets.push(attachWebSockets(s.server, app.fetch));
    url = `https://${shownHost}:${s.port}`;
    if (config.httpPort) {
      const r = await serveRedirect({ port: config.httpPort, host: config.host, httpsPort: s.port });
      servers.push(r);
      httpRedirectUrl = `http://${shownHost}:${r.port}`;
    }
  }
  log.info({ url, demo }, 'box serving');
  // Their passwords are printed on the console for the demo (lifecycle.ts), never into a log line.
  if (demo) log.info({ accounts: demoStaff.map((s) => `${s.username} (${s.role})`) }, 'demo staff accounts');

  return {
    db,
    queue,
    sync,
    relay,
    jobs,
    live,
    url,
    httpRedirectUrl,
    async close() {
      clearInterval(dayTimer);
      clearInterval(floorTimer);
      await jobs.close();
      await relay.close();
      for (const w of sockets) w.close();
      for (const s of servers.reverse()) await s.close();
      await sync.close();
      await saveFloor().catch((err) => log.warn({ err }, 'clock floor not saved at shutdown'));
      installBoxClock(null);
      outboxClockTrust(() => true);
      await db.close();
      log.info('box stopped');
    },
  };
}
