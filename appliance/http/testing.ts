import type { Logger } from 'pino';
import { createLog } from '../log.ts';
import { openMemoryDatabase } from '../storage/database.ts';
import { GroupCommitDb } from '../storage/group-commit.ts';
import { Queue } from '../clinic/queue.ts';
import { configSchema } from '../config.ts';
import { settingsOf } from '../box.ts';
import { demoStaff, seedDemo } from '../clinic/demo.ts';
import { createApp } from './app.ts';
import { LiveConnections } from './live-connections.ts';
import { PhoneTickets } from './phone-tickets.ts';
import { startSync } from '../sync/index.ts';
import type { Role } from '../clinic/staff.ts';

/**
 * An in-process box for tests: in-memory PGlite seeded with the demo puskesmas, and the Hono app
 * called with `app.request(...)` (no port). `as(role)` logs in and returns a request function
 * that carries the session cookie and CSRF token.
 */
export async function testBox(
  overrides: Record<string, unknown> = {},
  now?: () => Date,
  opts: { log?: Logger /** false: a production box, no demo data or accounts */; demo?: boolean } = {},
) {
  const demo = opts.demo ?? true;
  const config = configSchema.parse({ mode: demo ? 'demo' : 'production', ...overrides });
  const settings = settingsOf(config);
  const db = new GroupCommitDb(await openMemoryDatabase());
  if (demo) await seedDemo(db, settings);
  const queue = new Queue(db, settings, now);
  const log = opts.log ?? createLog({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  // Not enrolled: a disabled sync that still reports the backlog.
  const sync = await startSync({ db, config, log });
  const app = createApp({
    db,
    queue,
    settings,
    demo,
    secureCookies: false,
    log,
    sync,
    now,
    live: new LiveConnections({ perAddress: config.liveConnectionsPerAddress, total: config.liveConnectionsTotal }),
    phoneTickets: new PhoneTickets({ perAddress: config.phoneTicketsPerAddress, perDay: config.phoneTicketsPerDay }),
    metricsAccess: { token: config.metricsToken, allowFrom: config.metricsAllowFrom },
    health: async () => ({ ok: true, checks: { database: 'ok' } }),
  });

  // `from` is the peer address the request comes from (the Node adapter's binding); a phone on
  // the clinic Wi-Fi by default.
  const call = (path: string, init: RequestInit & { json?: unknown; from?: string } = {}, headers: Record<string, string> = {}) => {
    const { json, from = '192.168.1.50', ...rest } = init;
    return app.request(
      path,
      {
        ...rest,
        headers: { ...(json !== undefined ? { 'content-type': 'application/json' } : {}), ...headers, ...(rest.headers as Record<string, string>) },
        body: json !== undefined ? JSON.stringify(json) : rest.body,
      },
      { remoteAddress: from },
    );
  };

  /** Logs in with an account's username and password; a request function with its cookie and CSRF token. */
  async function login(username: string, password: string) {
    const res = await call('/api/v1/auth/login', { method: 'POST', json: { username, password } });
    if (res.status !== 200) throw new Error(`login as ${username} failed: ${res.status} ${await res.text()}`);
    const body = (await res.json()) as { csrfToken: string };
    const cookie = res.headers.get('set-cookie')!.split(';')[0];
    return (path: string, init: RequestInit & { json?: unknown; from?: string } = {}) => call(path, init, { cookie, 'x-csrf-token': body.csrfToken });
  }

  const sessions = new Map<Role, { cookie: string; csrf: string }>();
  async function as(role: Role) {
    let s = sessions.get(role);
    if (!s) {
      const staff = demoStaff.find((d) => d.role === role)!;
      const res = await call('/api/v1/auth/login', { method: 'POST', json: { username: staff.username, password: staff.password } });
      if (res.status !== 200) throw new Error(`login as ${role} failed: ${res.status} ${await res.text()}`);
      const body = (await res.json()) as { csrfToken: string };
      const cookie = res.headers.get('set-cookie')!.split(';')[0];
      s = { cookie, csrf: body.csrfToken };
      sessions.set(role, s);
    }
    const { cookie, csrf } = s;
    return (path: string, init: RequestInit & { json?: unknown; from?: string } = {}) => call(path, init, { cookie, 'x-csrf-token': csrf });
  }

  return { app, db, queue, settings, call, as, login, close: () => db.close() };
}
export type TestBox = Awaited<ReturnType<typeof testBox>>;
