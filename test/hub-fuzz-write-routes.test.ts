/**
 * Property: every write route of the hub, fed malformed, oversized or wrongly typed bodies (JSON,
 * form fields, and bodies that are neither) with an operator's session and with the admin token,
 * answers 4xx (never 5xx) and changes nothing at the hub (every table but the audit log, which
 * records the refusals, and the sessions). Runs per route: FUZZ_RUNS (default 25) generated
 * bodies plus fixed nasty ones, as test/fuzz-write-routes.test.ts does for the box.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hubRouteTable } from '../central/http/access.ts';
import type { HubDb } from '../central/storage/db.ts';
import { ADMIN_TOKEN, operators, signIn, startOperatorHub, type OperatorHub, type SignedIn } from './support/hub-operators.ts';

const runs = Number(process.env.FUZZ_RUNS ?? 25);
let h: OperatorHub;
let session: SignedIn;

async function fingerprint(db: HubDb): Promise<string> {
  const { rows } = await db.query<{ t: string }>(
    `SELECT tablename AS t FROM pg_tables WHERE schemaname = current_schema() AND tablename NOT IN ('audit_log', 'operator_sessions', 'hub_migrations') ORDER BY 1`,
  );
  const parts: string[] = [];
  for (const { t } of rows) {
    const r = await db.query<{ h: string | null }>(`SELECT md5(string_agg(x::text, '|' ORDER BY x::text)) AS h FROM ${t} x`);
    parts.push(`${t}:${r.rows[0].h}`);
  }
  return parts.join(',');
}

const nasty = fc.oneof(
  fc.anything(),
  fc.string({ maxLength: 300 }),
  fc.constantFrom(null, true, 0, -1, 1e308, '', 'x'.repeat(70_000), '\u0000', 'a\u0000b', '\ud800', '<script>', "'; DROP TABLE devices; --", [], {}, '53', '5301', 'box-kupang-1'),
  fc.tuple(fc.string({ maxLength: 40 }), fc.constantFrom('\u0000', '\ud83d', '\ude00'), fc.string({ maxLength: 40 })).map(([a, bad, b]) => a + bad + b),
);
const keys = [
  'action',
  'target',
  'device',
  'region',
  'filter',
  'expiresInMinutes',
  'bandwidthKbps',
  'nightWindow',
  'targetKind',
  'targetValue',
  'items',
  'devices',
  'status',
  'scheduledFor',
  'note',
  'username',
  'password',
  'csrf',
  '__proto__',
  'constructor',
];
const bodyArb = fc.oneof(
  nasty,
  fc.dictionary(fc.constantFrom(...keys), nasty),
  // A job request with one part broken.
  fc.record({
    action: fc.oneof(nasty, fc.record({ action: fc.oneof(nasty, fc.constantFrom('backup', 'sync_settings')), bandwidthKbps: nasty })),
    target: fc.oneof(nasty, fc.record({ region: nasty }), fc.record({ device: nasty })),
    expiresInMinutes: nasty,
  }),
);
const fixed: unknown[] = [
  undefined,
  null,
  'not json',
  '{"action":',
  [],
  { action: { action: 'backup' }, target: { region: '99' } },
  { action: { action: 'sync_settings' }, target: { region: '53' } },
  { action: { action: 'backup' }, target: { device: 'box-kupang-1' }, expiresInMinutes: 0 },
];

const writeRoutes = hubRouteTable.filter((r) => r.method === 'POST' && r.path !== '/logout');

beforeAll(async () => {
  h = await startOperatorHub();
  session = await signIn(h.hub.url, operators.national.username);
}, 60_000);
afterAll(async () => {
  await h?.close();
});

async function send(path: string, body: unknown, as: 'session' | 'admin', encoding: 'json' | 'form' | 'text') {
  const headers: Record<string, string> = as === 'admin' ? { authorization: `Bearer ${ADMIN_TOKEN}` } : { cookie: session.cookie, 'x-csrf-token': session.csrf };
  let payload: string | undefined;
  if (body !== undefined) {
    if (encoding === 'json') {
      headers['content-type'] = 'application/json';
      payload = typeof body === 'string' && body.startsWith('{') ? body : (JSON.stringify(body) ?? 'null');
    } else if (encoding === 'form') {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      const o = body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : { value: body };
      payload = new URLSearchParams(Object.entries(o).map(([k, v]) => [k, typeof v === 'string' ? v : (JSON.stringify(v) ?? '')])).toString();
    } else {
      headers['content-type'] = 'text/plain';
      payload = typeof body === 'string' ? body : (JSON.stringify(body) ?? '');
    }
  }
  const res = await fetch(`${h.hub.url}${path}`, { method: 'POST', headers, body: payload, redirect: 'manual' });
  const text = await res.text();
  return { status: res.status, text };
}

describe('the hub’s write routes fuzzed', () => {
  it.each(writeRoutes.map((r) => [`${r.method} ${r.path}`, r] as const))(
    '%s: 4xx, never 5xx, nothing changed',
    async (_name, r) => {
      const path = r.path.replace(':id', '3f1c7d2e-8a4b-4c6d-9e0f-1a2b3c4d5e6f');
      const before = await fingerprint(h.db);
      const check = async (body: unknown, as: 'session' | 'admin', encoding: 'json' | 'form' | 'text') => {
        const res = await send(path, body, as, encoding);
        expect(res.status, `${as} ${encoding} ${JSON.stringify(body)?.slice(0, 200)} → ${res.text.slice(0, 200)}`).toBeGreaterThanOrEqual(400);
        expect(res.status, `${as} ${encoding} ${JSON.stringify(body)?.slice(0, 200)} → ${res.text.slice(0, 200)}`).toBeLessThan(500);
      };
      for (const body of fixed) for (const enc of ['json', 'form', 'text'] as const) await check(body, 'session', enc);
      await fc.assert(
        fc.asyncProperty(
          bodyArb,
          fc.constantFrom('session' as const, 'admin' as const),
          fc.constantFrom('json' as const, 'form' as const, 'text' as const),
          async (body, as, enc) => {
            await check(body, as, enc);
          },
        ),
        { numRuns: runs },
      );
      expect(await fingerprint(h.db)).toBe(before);
    },
    120_000,
  );
});
