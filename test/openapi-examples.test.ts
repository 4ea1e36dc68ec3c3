import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testBox, type TestBox } from '../appliance/http/testing.ts';
import type { Role } from '../appliance/clinic/staff.ts';
import { fromJSONSchema, type z } from 'zod';
import { answerMismatches } from './answer-schema-check.ts';
import { examplePathAndQuery } from './support/openapi-example.ts';

/**
 * Every answer is checked against the schema its operation documents for that status: what zod
 * refuses, and fields the schema does not name (a changed answer or a leak the document hides).
 * Statuses an operation answers but does not document fail too.
 */
type Schemas = Map<string, Map<number, z.ZodType>>;
function responseSchemas(app: TestBox['app']): Schemas {
  const out: Schemas = new Map();
  for (const d of app.openAPIRegistry.definitions) {
    if (d.type !== 'route') continue;
    const byStatus = new Map<number, z.ZodType>();
    for (const [status, r] of Object.entries(d.route.responses)) {
      const schema = (r as { content?: Record<string, { schema?: z.ZodType }> }).content?.['application/json']?.schema;
      if (schema) byStatus.set(Number(status), schema);
    }
    out.set(`${d.route.method.toUpperCase()} ${d.route.path}`, byStatus);
  }
  return out;
}

/**
 * The schemas as the published document has them (JSON Schema inside OpenAPI 3.1), turned back
 * into zod: an answer must fit these too, so what the generator writes (a lost `null`, a dropped
 * field) is checked, not only the schemas it was written from.
 */
type Published = Map<string, z.ZodType>;
function publishedSchemas(doc: {
  paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema?: object }> }> }>>;
  components?: { schemas?: object };
}): Published {
  const d = JSON.parse(JSON.stringify(doc).replaceAll('#/components/schemas/', '#/$defs/')) as typeof doc;
  const out: Published = new Map();
  for (const [path, byMethod] of Object.entries(d.paths)) {
    for (const [method, op] of Object.entries(byMethod)) {
      for (const [status, r] of Object.entries(op.responses)) {
        const schema = r.content?.['application/json']?.schema;
        if (schema) out.set(`${method.toUpperCase()} ${path} ${status}`, fromJSONSchema({ ...schema, $defs: d.components?.schemas ?? {} } as never));
      }
    }
  }
  return out;
}

/** What is wrong with an answer, as lines naming the operation; empty when it matches its documented schema. */
async function mismatches(schemas: Schemas, published: Published, op: { method: string; path: string }, res: Response, what: string): Promise<string[]> {
  const name = `${op.method.toUpperCase()} ${op.path}`;
  const schema = schemas.get(name)?.get(res.status);
  if (!schema) return [`${name} (${what}) answered ${res.status}, which it does not document with a schema`];
  const body: unknown = await res.json().catch(() => '(not JSON)');
  const problems = answerMismatches(schema, body);
  const inDocument = published.get(`${name} ${res.status}`)?.safeParse(body);
  if (!inDocument) problems.push('not in /openapi.json');
  else if (!inDocument.success) problems.push(...inDocument.error.issues.map((i) => `as published in /openapi.json, ${i.path.join('.') || '(answer)'}: ${i.message}`));
  return problems.map((p) => `${name} ${res.status} (${what}): ${p}`);
}

/**
 * The OpenAPI document is try-it-out documentation: every operation carries an example request,
 * and each example, sent as documented (by a role the operation allows), works against the demo
 * data. Operations run in the order of a clinic day, since some change the state the next needs.
 */
type Op = {
  method: string;
  path: string;
  summary?: string;
  'x-access': string[];
  parameters?: { name: string; in: string; required?: boolean; example?: unknown; schema?: { example?: unknown } }[];
  requestBody?: { content: { 'application/json': { schema: { example?: unknown } } } };
};

// A clinic day: look things up, register, queue, examine, prescribe, refer, dispense, close; log out last.
const dayOrder = [
  'GET ',
  'POST /api/v1/auth/login',
  'POST /api/v1/patients',
  'POST /api/v1/queue/take',
  'POST /api/v1/queue/desk',
  'POST /api/v1/queue/{poli}/call-next',
  'POST /api/v1/queue/tickets/{id}/attach',
  'POST /api/v1/queue/tickets/{id}/call',
  'POST /api/v1/queue/tickets/{id}/recall',
  'POST /api/v1/encounters',
  'PATCH /api/v1/encounters',
  'PUT /api/v1/encounters',
  'POST /api/v1/encounters/{id}/consent',
  'POST /api/v1/encounters/{id}/consent/withdraw',
  'POST /api/v1/tickets/{token}/consent',
  'POST /api/v1/tickets/{token}/consent/withdraw',
  'POST /api/v1/prescriptions',
  'POST /api/v1/formulary',
  'POST /api/v1/referrals',
  'PATCH /api/v1/referrals',
  'POST /api/v1/referrals/{id}/issue',
  'POST /api/v1/prescriptions/{id}/dispense',
  'POST /api/v1/prescriptions/{id}/pick-up',
  'POST /api/v1/encounters/{id}/close',
  'POST /api/v1/queue/tickets/{id}/skip',
  'POST /api/v1/queue/tickets/{id}/no-show',
  'POST /api/v1/queue/tickets/{id}/transfer',
  'POST /api/v1/queue/tickets/{id}/finish',
  'POST /api/v1/admin',
  'POST /api/v1/auth/password',
  'POST /api/v1/auth/logout',
];
const rank = (op: Op) => {
  const key = `${op.method.toUpperCase()} ${op.path}`;
  let best = -1;
  dayOrder.forEach((prefix, i) => {
    if (key.startsWith(prefix) && (best < 0 || prefix.length > dayOrder[best].length)) best = i;
  });
  return best < 0 ? dayOrder.length : best;
};

describe('OpenAPI examples work against the demo data', () => {
  let box: TestBox;
  let ops: Op[] = [];
  let doc: {
    paths: Record<string, Record<string, Op & { responses: Record<string, { content?: Record<string, { schema?: Record<string, unknown> }> }> }>>;
    components?: { schemas?: Record<string, unknown> };
  };
  let schemas: Schemas;
  let published: Published;
  beforeAll(async () => {
    box = await testBox();
    schemas = responseSchemas(box.app);
    doc = (await (await box.call('/openapi.json')).json()) as typeof doc;
    published = publishedSchemas(doc);
    for (const [path, byMethod] of Object.entries(doc.paths)) for (const [method, op] of Object.entries(byMethod)) ops.push({ ...op, method, path });
    ops = ops
      .map((op, i) => ({ op, i }))
      .sort((a, b) => rank(a.op) - rank(b.op) || a.i - b.i)
      .map((x) => x.op);
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

  it('every documented answer has a schema: no empty or `any` schema for a 2xx, the one error shape for a 4xx or 5xx', () => {
    const components = doc.components?.schemas ?? {};
    const resolve = (s: Record<string, unknown>): Record<string, unknown> =>
      typeof s.$ref === 'string' ? resolve(components[s.$ref.replace('#/components/schemas/', '')] as Record<string, unknown>) : s;
    const problems: string[] = [];
    for (const [path, byMethod] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(byMethod)) {
        for (const [status, r] of Object.entries(op.responses)) {
          const name = `${method.toUpperCase()} ${path} ${status}`;
          const schema = r.content?.['application/json']?.schema;
          if (!schema) {
            problems.push(`${name}: no JSON schema`);
            continue;
          }
          const s = resolve(schema);
          if (Object.keys(s).filter((k) => k !== 'description' && k !== 'example').length === 0) problems.push(`${name}: empty (any) schema`);
          if (Number(status) >= 400 && schema.$ref !== '#/components/schemas/Error') problems.push(`${name}: not the shared Error schema`);
        }
      }
    }
    expect(problems).toEqual([]);
    expect(components.Error).toMatchObject({ required: ['error'] });
  });

  it('answers to bad requests are documented, in the shared error shape', async () => {
    const failures: string[] = [];
    const unknownId = '00000000-0000-4000-8000-000000000000';
    for (const op of ops) {
      const role = op['x-access'].find((a) => a !== 'public' && a !== 'ticket') as Role | undefined;
      const method = op.method.toUpperCase();
      const fill = (unknown: boolean) => {
        let path = op.path;
        for (const p of op.parameters ?? []) {
          if (p.in !== 'path') continue;
          const ex = String(p.example ?? p.schema?.example);
          const other = /^[0-9a-f-]{36}$/.test(ex)
            ? unknownId
            : p.name === 'token'
              ? 'tiket-yang-tidak-ada-0000000000'
              : p.name === 'seq'
                ? '999999'
                : p.name === 'poli'
                  ? 'poli-tidak-ada'
                  : ex;
          path = path.replace(`{${p.name}}`, unknown ? other : ex);
        }
        return path;
      };
      // Not logged in: 401 for staff routes.
      if (role) failures.push(...(await mismatches(schemas, published, op, await box.call(fill(false), { method, json: op.requestBody ? {} : undefined }), 'not logged in')));
      // An id or ticket link that does not exist.
      if (op.parameters?.some((p) => p.in === 'path')) {
        const send = role ? await box.as(role) : box.call;
        const body = op.requestBody?.content['application/json'].schema.example;
        const res = await send(fill(true), { method, ...(body !== undefined ? { json: body } : {}) });
        if (res.status >= 300 || fill(true) === fill(false)) failures.push(...(res.status >= 300 ? await mismatches(schemas, published, op, res, 'unknown id') : []));
      }
      // A body of the wrong shape.
      if (op.requestBody) {
        const send = role ? await box.as(role) : box.call;
        failures.push(...(await mismatches(schemas, published, op, await send(fill(false), { method, json: { unexpected: true } }), 'malformed body')));
      }
    }
    expect(failures).toEqual([]);
  });

  it('each example, sent as documented, answers 2xx with what its schema documents', async () => {
    const failures: string[] = [];
    for (const op of ops) {
      const { path, query } = examplePathAndQuery(op);
      const url = query.size ? `${path}?${query}` : path;
      const role = op['x-access'].find((a) => a !== 'public' && a !== 'ticket') as Role | undefined;
      const send = role ? await box.as(role) : box.call;
      const body = op.requestBody?.content['application/json'].schema.example;
      const res = await send(url, { method: op.method.toUpperCase(), ...(body !== undefined ? { json: body } : {}) });
      if (res.status >= 300) failures.push(`${op.method.toUpperCase()} ${url} as ${role ?? 'anyone'} → ${res.status} ${(await res.text()).slice(0, 200)}`);
      else failures.push(...(await mismatches(schemas, published, op, res, `example as ${role ?? 'anyone'}`)));
    }
    expect(failures).toEqual([]);
  });
});
