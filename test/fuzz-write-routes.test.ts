import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { testBox, type TestBox } from '../appliance/http/testing.ts';
import { demoIds } from '../appliance/clinic/demo-ids.ts';
import type { Role } from '../appliance/clinic/staff.ts';

/**
 * Property: every write route with a JSON body, fed malformed, oversized or wrongly typed bodies,
 * answers 4xx (never 5xx) in the one error shape, and the database is unchanged afterwards.
 * Runs per route: FUZZ_RUNS (default 25) generated bodies plus fixed nasty ones.
 */
const runs = Number(process.env.FUZZ_RUNS ?? 25);

const fill = (path: string) =>
  path.replace('{token}', demoIds.ticketToken).replace('{poli}', 'umum').replace(/\{(\w+)\}/g, demoIds.encounter);

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
  fc.constantFrom(null, true, 0, -1, 1e308, '', 'x'.repeat(70_000), '\u0000', '<script>', "'; DROP TABLE patients; --", [], {}),
);
const bodyArb = fc.oneof(
  nasty,
  fc.dictionary(fc.constantFrom('poli', 'room', 'patientId', 'nik', 'sex', 'birthDate', 'fullName', 'items', 'diagnoses', 'quantity', 'username', 'password', 'mode', '__proto__', 'constructor'), nasty),
);

describe('write routes refuse bad bodies and change nothing', () => {
  let box: TestBox;
  let writes: { method: string; path: string; roles: Role[] }[] = [];
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
