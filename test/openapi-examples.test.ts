import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testBox, type TestBox } from '../appliance/http/testing.ts';
import type { Role } from '../appliance/clinic/staff.ts';

/**
 * The OpenAPI document is try-it-out documentation: every operation carries an example request,
 * and each example, sent as documented (by a role the operation allows), works against the demo
 * data. Operations run in the order of a clinic day, since some change the state the next needs.
 */
type Op = {
  method: string; path: string; summary?: string; 'x-access': string[];
  parameters?: { name: string; in: string; required?: boolean; example?: unknown; schema?: { example?: unknown } }[];
  requestBody?: { content: { 'application/json': { schema: { example?: unknown } } } };
};

// A clinic day: look things up, register, queue, examine, prescribe, refer, dispense, close; log out last.
const dayOrder = [
  'GET ', 'POST /api/v1/auth/login', 'POST /api/v1/patients', 'POST /api/v1/queue/take', 'POST /api/v1/queue/desk',
  'POST /api/v1/queue/{poli}/call-next', 'POST /api/v1/queue/tickets/{id}/attach', 'POST /api/v1/queue/tickets/{id}/call',
  'POST /api/v1/queue/tickets/{id}/recall', 'POST /api/v1/encounters', 'PATCH /api/v1/encounters', 'PUT /api/v1/encounters',
  'POST /api/v1/encounters/{id}/consent', 'POST /api/v1/encounters/{id}/consent/withdraw', 'POST /api/v1/tickets/{token}/consent',
  'POST /api/v1/tickets/{token}/consent/withdraw', 'POST /api/v1/prescriptions', 'POST /api/v1/formulary',
  'POST /api/v1/referrals', 'PATCH /api/v1/referrals', 'POST /api/v1/referrals/{id}/issue', 'POST /api/v1/prescriptions/{id}/dispense',
  'POST /api/v1/prescriptions/{id}/pick-up', 'POST /api/v1/encounters/{id}/close',
  'POST /api/v1/queue/tickets/{id}/skip', 'POST /api/v1/queue/tickets/{id}/no-show', 'POST /api/v1/queue/tickets/{id}/transfer',
  'POST /api/v1/queue/tickets/{id}/finish', 'POST /api/v1/admin', 'POST /api/v1/auth/logout',
];
const rank = (op: Op) => {
  const key = `${op.method.toUpperCase()} ${op.path}`;
  let best = -1;
  dayOrder.forEach((prefix, i) => { if (key.startsWith(prefix) && (best < 0 || prefix.length > dayOrder[best].length)) best = i; });
  return best < 0 ? dayOrder.length : best;
};

describe('OpenAPI examples work against the demo data', () => {
  let box: TestBox;
  let ops: Op[] = [];
  beforeAll(async () => {
    box = await testBox();
    const doc = (await (await box.call('/openapi.json')).json()) as { paths: Record<string, Record<string, Op>> };
    for (const [path, byMethod] of Object.entries(doc.paths)) for (const [method, op] of Object.entries(byMethod)) ops.push({ ...op, method, path });
    ops = ops.map((op, i) => ({ op, i })).sort((a, b) => rank(a.op) - rank(b.op) || a.i - b.i).map((x) => x.op);
  });
  afterAll(() => box.close());

  it('every operation documents its parameters and body with examples', () => {
    expect(ops.length).toBeGreaterThan(30);
    for (const op of ops) {
      for (const p of op.parameters ?? []) {
        if (p.in === 'path' || p.required) expect(p.example ?? p.schema?.example, `${op.method} ${op.path} parameter ${p.name}`).toBeDefined();
      }
      if (op.requestBody) expect(op.requestBody.content['application/json'].schema.example, `${op.method} ${op.path} body`).toBeDefined();
    }
  });

  it('each example, sent as documented, answers 2xx', async () => {
    const failures: string[] = [];
    for (const op of ops) {
      let path = op.path;
      const query = new URLSearchParams();
      for (const p of op.parameters ?? []) {
        const ex = p.example ?? p.schema?.example;
        if (ex === undefined) continue;
        if (p.in === 'path') path = path.replace(`{${p.name}}`, String(ex));
        if (p.in === 'query') query.set(p.name, String(ex));
      }
      const url = query.size ? `${path}?${query}` : path;
      const role = op['x-access'].find((a) => a !== 'public' && a !== 'ticket') as Role | undefined;
      const send = role ? await box.as(role) : box.call;
      const body = op.requestBody?.content['application/json'].schema.example;
      const res = await send(url, { method: op.method.toUpperCase(), ...(body !== undefined ? { json: body } : {}) });
      if (res.status >= 300) failures.push(`${op.method.toUpperCase()} ${url} as ${role ?? 'anyone'} → ${res.status} ${(await res.text()).slice(0, 200)}`);
    }
    expect(failures).toEqual([]);
  });
});
