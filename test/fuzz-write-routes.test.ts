import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { testBox, type TestBox } from '../appliance/http/testing.ts';
import { demoIds } from '../appliance/clinic/demo-ids.ts';
import type { Role } from '../appliance/clinic/staff.ts';
import { examplePathAndQuery } from './support/openapi-example.ts';

/**
 * Property: every write route with a JSON body, fed malformed, oversized or wrongly typed bodies,
 * answers 4xx (never 5xx) in the one error shape, and the database is unchanged afterwards.
 * Runs per route: FUZZ_RUNS (default 25) generated bodies plus fixed nasty ones.
 */
const runs = Number(process.env.FUZZ_RUNS ?? 25);

const fill = (path: string) =>
  path
    .replace('{token}', demoIds.ticketToken)
    .replace('{poli}', 'umum')
    .replace(/\{(\w+)\}/g, demoIds.encounter);

async function fingerprint(box: TestBox): Promise<string> {
  const { rows } = await box.db.query<{ t: string }>(
    `SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public' AND tablename NOT IN ('sessions', 'schema_migrations') ORDER BY 1`,
  );
  const parts: string[] = [];
  for (const { t } of rows) {
    const r = await box.db.query<{ h: string | null }>(`SELECT md5(string_agg(x::text, '|' ORDER BY x::text)) AS h FROM ${t} x`);
    parts.push(`${t}:${r.rows[0].h}`);
  }
  return parts.join(',');
}

// Values that commonly break parsers and validators.
const nasty = fc.oneof(
  fc.anything(),
  fc.string({ maxLength: 300 }),
  fc.constantFrom(null, true, 0, -1, 1e308, '', 'x'.repeat(70_000), '\u0000', 'a\u0000b', '\ud800', 'a\udfffb', '<script>', "'; DROP TABLE patients; --", [], {}),
  // Strings PostgreSQL cannot store as text: NUL anywhere, a lone surrogate of either half.
  fc.tuple(fc.string({ maxLength: 40 }), fc.constantFrom('\u0000', '\ud83d', '\ude00'), fc.string({ maxLength: 40 })).map(([a, bad, b]) => a + bad + b),
);
const bodyArb = fc.oneof(
  nasty,
  fc.dictionary(
    fc.constantFrom(
      'poli',
      'room',
      'patientId',
      'nik',
      'sex',
      'birthDate',
      'fullName',
      'items',
      'diagnoses',
      'quantity',
      'username',
      'password',
      'mode',
      '__proto__',
      'constructor',
    ),
    nasty,
  ),
);

/** Every string leaf of `value` (a JSON example), as a path of keys. */
function stringPaths(value: unknown, path: (string | number)[] = []): (string | number)[][] {
  if (typeof value === 'string') return [path];
  if (Array.isArray(value)) return value.flatMap((v, i) => stringPaths(v, [...path, i]));
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => stringPaths(v, [...path, k]));
  return [];
}
function withValue(value: unknown, path: (string | number)[], leaf: string): unknown {
  if (!path.length) return leaf;
  const copy: any = Array.isArray(value) ? [...value] : { ...(value as object) };
  copy[path[0]] = withValue(copy[path[0]], path.slice(1), leaf);
  return copy;
}

type Op = {
  'x-access': string[];
  parameters?: { name: string; in: string; example?: unknown; schema?: { example?: unknown; type?: string } }[];
  requestBody?: { content: { 'application/json': { schema: { example?: unknown } } } };
};

/**
 * Text PostgreSQL refuses (NUL) or cannot represent (a lone surrogate), in any string of any
 * request — body field, query or path parameter — is a 400 at the edge, never a 500 from the
 * database, and changes nothing.
 */
describe('strings the database cannot store are refused at the edge', () => {
  let box: TestBox;
  const ops: (Op & { method: string; path: string })[] = [];
  beforeAll(async () => {
    box = await testBox();
    const doc = (await (await box.call('/openapi.json')).json()) as { paths: Record<string, Record<string, Op>> };
    for (const [path, byMethod] of Object.entries(doc.paths)) for (const [method, op] of Object.entries(byMethod)) ops.push({ ...op, method: method.toUpperCase(), path });
  });
  afterAll(() => box.close());

  const bad = ['Siti\u0000Rahma', '\ud800Siti', 'Siti\udc00'];

  it('in every string field of every example body, and every string query parameter', async () => {
    const before = await fingerprint(box);
    const failures: string[] = [];
    let checked = 0;
    for (const op of ops) {
      if (op.path.includes('/auth/login')) continue; // throttling makes it its own test
      const role = op['x-access'].find((a) => a !== 'public' && a !== 'ticket') as Role | undefined;
      const send = role ? await box.as(role) : box.call;
      const { path, query } = examplePathAndQuery(op);
      const url = (q: URLSearchParams) => (q.size ? `${path}?${q}` : path);
      const example = op.requestBody?.content['application/json'].schema.example;
      const variants: { what: string; url: string; json?: unknown }[] = [];
      for (const p of op.parameters ?? []) {
        if (p.in !== 'query' || typeof (p.example ?? p.schema?.example) !== 'string') continue;
        // (a URL carries UTF-8: a lone surrogate in it arrives as U+FFFD, so NUL is the case here)
        for (const b of bad.filter((x) => x.includes('\u0000'))) {
          const q = new URLSearchParams(query);
          q.set(p.name, b);
          variants.push({ what: `query ${p.name}=${JSON.stringify(b)}`, url: url(q), json: example });
        }
      }
      if (example !== undefined) {
        for (const leaf of stringPaths(example)) {
          for (const b of bad) variants.push({ what: `body ${leaf.join('.')}=${JSON.stringify(b)}`, url: url(query), json: withValue(example, leaf, b) });
        }
      }
      for (const v of variants) {
        checked++;
        const res = await send(v.url, { method: op.method, ...(v.json !== undefined ? { json: v.json } : {}) });
        const body = (await res.json().catch(() => null)) as { error?: { code: string } } | null;
        if (res.status !== 400 || body?.error?.code !== 'validation_failed')
          failures.push(`${op.method} ${op.path} ${v.what} → ${res.status} ${JSON.stringify(body).slice(0, 160)}`);
      }
    }
    expect(failures).toEqual([]);
    expect(checked).toBeGreaterThan(60);
    expect(await fingerprint(box)).toBe(before);
  });

  it('in a search typed at the desk (q=ab%00cd)', async () => {
    const nurse = await box.as('nurse');
    const res = await nurse('/api/v1/patients?q=ab%00cd');
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('validation_failed');
    // The UTF-8 bytes of a surrogate (not valid UTF-8) are not a 500 either.
    expect((await nurse('/api/v1/patients?q=ab%ED%A0%80cd')).status).toBeLessThan(500);
  });
});

describe('write routes refuse bad bodies and change nothing', () => {
  let box: TestBox;
  const writes: { method: string; path: string; roles: Role[] }[] = [];
  beforeAll(async () => {
    box = await testBox();
    const doc = (await (await box.call('/openapi.json')).json()) as { paths: Record<string, Record<string, { requestBody?: unknown; 'x-access': string[] }>> };
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        if (!op.requestBody) continue;
        writes.push({ method: method.toUpperCase(), path, roles: op['x-access'].filter((a) => a !== 'public' && a !== 'ticket') as Role[] });
      }
    }
  });
  afterAll(() => box.close());

  it('covers the write routes', () => {
    expect(writes.length).toBeGreaterThanOrEqual(8);
  });

  it('no 5xx, one error shape, no change', async () => {
    let requests = 0;
    let routes = 0;
    for (const w of writes) {
      if (w.path.includes('/auth/login')) continue; // throttling makes it its own test
      routes++;
      const send = w.roles.length ? await box.as(w.roles[0]) : (p: string, i: RequestInit & { json?: unknown }) => box.call(p, i);
      const before = await fingerprint(box);
      const raw = ['', 'not json', '{"a":', '[1,2', 'null', '"string"', JSON.stringify({ x: 'y'.repeat(80_000) })];
      for (const body of raw) {
        const res = await send(fill(w.path), { method: w.method, body, headers: { 'content-type': 'application/json' } });
        requests++;
        expect(res.status, `${w.method} ${w.path} raw ${body.slice(0, 20)}`).toBeGreaterThanOrEqual(400);
        expect(res.status, `${w.method} ${w.path} raw ${body.slice(0, 20)}`).toBeLessThan(500);
        expect(((await res.json()) as { error: { code: string } }).error.code).toBeTypeOf('string');
      }
      await fc.assert(
        fc.asyncProperty(bodyArb, async (body) => {
          const res = await send(fill(w.path), { method: w.method, json: body });
          requests++;
          if (res.status >= 500 || res.status < 400) throw new Error(`${w.method} ${w.path} ${JSON.stringify(body).slice(0, 200)} → ${res.status} ${await res.text()}`);
          const err = (await res.json()) as { error: { code: string; message: string } };
          expect(typeof err.error.message).toBe('string');
        }),
        { numRuns: runs },
      );
      expect(await fingerprint(box), `${w.method} ${w.path} changed the database`).toBe(before);
    }
    expect(requests).toBeGreaterThanOrEqual(routes * runs);
  });
});
