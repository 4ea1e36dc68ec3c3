import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testBox, type TestBox } from '../appliance/http/testing.ts';
import { routeTable, type RouteEntry } from '../appliance/http/access.ts';
import { demoIds } from '../appliance/clinic/demo-ids.ts';
import { roles, type Role } from '../appliance/clinic/staff.ts';

/**
 * Walks every declared route with every staff role and with no session: a role outside a
 * route's list is refused (403), no session is refused (401, or a redirect to the login page),
 * and a role inside the list is never refused for who it is.
 */
function concretePath(path: string) {
  return path
    .replace(':token', demoIds.ticketToken)
    .replace(':poli', 'umum')
    .replace(/:(\w+)/g, demoIds.encounter);
}

const refusedCodes = new Set(['unauthenticated', 'forbidden', 'csrf']);

async function refusal(res: Response): Promise<string | null> {
  if (res.status === 302 || res.status === 303) return (res.headers.get('location') ?? '').includes('/login') ? 'unauthenticated' : null;
  if (res.status !== 401 && res.status !== 403) return null;
  const type = res.headers.get('content-type') ?? '';
  if (!type.includes('json')) return res.status === 401 ? 'unauthenticated' : 'forbidden';
  const body = (await res.json()) as { error?: { code?: string } };
  return body.error?.code && refusedCodes.has(body.error.code) ? body.error.code : null;
}

describe('every route states and enforces its roles', () => {
  let box: TestBox;
  let table: RouteEntry[];
  beforeAll(async () => {
    box = await testBox();
    // Logging out would end the session the walk is using: it goes last.
    table = routeTable().sort((a, b) => Number(a.path.includes('logout')) - Number(b.path.includes('logout')));
  });
  afterAll(() => box.close());

  it('the table lists the routes, each with a non-empty access list', () => {
    expect(table.length).toBeGreaterThan(20);
    for (const r of table) expect(r.access.length, `${r.method} ${r.path}`).toBeGreaterThan(0);
  });

  it('no session: staff routes refuse, public and ticket routes answer', async () => {
    for (const r of table) {
      if (r.path.endsWith('/events')) continue; // streams: checked with their own tests
      const res = await box.call(concretePath(r.path), { method: r.method, ...(r.method === 'GET' ? {} : { json: {} }) });
      const refused = await refusal(res);
      const open = r.access.includes('public') || r.access.includes('ticket');
      expect(refused, `${r.method} ${r.path} without session`).toBe(open ? null : 'unauthenticated');
    }
  });

  it('each role: refused outside the route’s list, admitted inside it', async () => {
    const checked: string[] = [];
    for (const role of roles as readonly Role[]) {
      const as = await box.as(role);
      for (const r of table) {
        if (r.path.endsWith('/events') || r.path.includes('logout')) continue;
        const res = await as(concretePath(r.path), { method: r.method, ...(r.method === 'GET' ? {} : { json: {} }) });
        const refused = await refusal(res);
        const allowed = r.access.includes(role) || r.access.includes('public') || r.access.includes('ticket');
        expect(refused, `${r.method} ${r.path} as ${role}`).toBe(allowed ? null : 'forbidden');
        checked.push(`${role} ${r.method} ${r.path}`);
      }
    }
    expect(checked.length).toBeGreaterThan(roles.length * 15);
  });
});

describe('least privilege: each role reads what its work needs', () => {
  let box: TestBox;
  beforeAll(async () => {
    box = await testBox();
  });
  afterAll(() => box.close());

  it('the admin reads no SOAP notes, diagnoses or referral letters', async () => {
    const admin = await box.as('admin');
    for (const path of [
      `/api/v1/encounters/${demoIds.encounter}`,
      `/api/v1/encounters?patientId=${demoIds.patient}`,
      `/api/v1/referrals/${demoIds.referral}`,
      '/api/v1/referrals',
      `/staff/rujukan/${demoIds.referral}/cetak`,
    ]) {
      const res = await admin(path);
      expect(res.status, path).toBe(403);
      expect(await res.text(), path).not.toMatch(/subjective|J06|soap/i);
    }
    // What an admin's work needs still answers.
    for (const path of ['/api/v1/admin/audit', '/api/v1/admin/staff', '/api/v1/admin/outbox']) expect((await admin(path)).status, path).toBe(200);
  });

  it('the pharmacist gets the patient’s name, sex and date of birth, not the NIK, JKN number, phone or address', async () => {
    const pharmacist = await box.as('pharmacist');
    const res = await pharmacist(`/api/v1/patients/${demoIds.patient}`);
    expect(res.status).toBe(200);
    const patient = (await res.json()) as Record<string, unknown>;
    expect(Object.keys(patient).sort()).toEqual(['birthDate', 'fullName', 'id', 'sex']);
    const doctor = await box.as('doctor');
    const full = (await (await doctor(`/api/v1/patients/${demoIds.patient}`)).json()) as Record<string, unknown>;
    expect(full.nik).toMatch(/^\d{16}$/);
    expect(JSON.stringify(patient)).not.toContain(full.nik as string);
  });
});
