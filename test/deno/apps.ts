/**
 * The box's and the hub's Hono apps under Deno: each built on an in-memory PGlite and asked
 * through app.request() (no port, no Node server adapter), as a Deno deployment would run them.
 * Run by test/deno.test.ts as `deno run -A test/deno/apps.ts`; prints one line per check and
 * exits non-zero on the first failure.
 */
import { testBox } from '../../appliance/http/testing.ts';
import { createHubApp } from '../../central/http/app.ts';
import { openMemoryHubDatabase } from '../../central/storage/db.ts';

declare const Deno: { version: { deno: string }; exit(code: number): never };

function check(what: string, ok: boolean, detail = '') {
  if (!ok) throw new Error(`${what} failed ${detail}`);
  console.log(`ok ${what}`);
}

async function box() {
  const b = await testBox();
  try {
    const health = await b.call('/healthz');
    check('box /healthz', health.status === 200, String(health.status));
    const take = await b.call('/api/v1/queue/take?lang=en', { method: 'POST', json: { poli: 'umum' } });
    const taken = (await take.json()) as { token?: string };
    check('box takes a number', take.status === 201 || take.status === 200, `${take.status} ${JSON.stringify(taken)}`);
    const status = await b.call(`/api/v1/tickets/${taken.token}`);
    check('box shows the ticket', status.status === 200, String(status.status));
    const metrics = await b.call('/metrics', { from: '127.0.0.1' });
    const text = await metrics.text();
    check('box /metrics from loopback', metrics.status === 200 && /simpul_queue_waiting\{poli="umum"\} [1-9]\d*\n/.test(text), text.slice(0, 200));
    const refused = await b.call('/metrics');
    check('box /metrics refused to a phone', refused.status === 401 || refused.status === 403, String(refused.status));
    const nurse = await b.as('nurse');
    const patients = await nurse('/api/v1/patients?q=a');
    check('box staff login and a staff route', patients.status === 200, String(patients.status));
    const home = await b.call('/');
    const page = home.status === 302 ? await b.call(home.headers.get('location') ?? '/') : home;
    check('box serves a page', page.status === 200 && (page.headers.get('content-type') ?? '').includes('text/html'), String(page.status));
  } finally {
    await b.close();
  }
}

async function hub() {
  const db = await openMemoryHubDatabase();
  try {
    const app = createHubApp({ db, adminToken: 'deno-test-token', invalid: () => new Map(), storedHere: () => new Map(), onAnswered: () => {} });
    const auth = { authorization: 'Bearer deno-test-token' };
    check('hub /healthz', (await app.request('/healthz', { headers: auth })).status === 200);
    const devices = await app.request('/api/devices', { headers: auth });
    check('hub /api/devices', devices.status === 200 && Array.isArray(await devices.json()), String(devices.status));
    const metrics = await app.request('/metrics', { headers: auth });
    check('hub /metrics', metrics.status === 200 && (await metrics.text()).includes('# TYPE simpul_hub_entities_stored gauge'), String(metrics.status));
    check('hub refuses without the admin token', (await app.request('/api/devices')).status === 401);
  } finally {
    await db.close();
  }
}

try {
  console.log(`deno ${Deno.version.deno}`);
  await box();
  await hub();
  console.log('all ok');
  Deno.exit(0);
} catch (e) {
  console.error(e);
  Deno.exit(1);
}
