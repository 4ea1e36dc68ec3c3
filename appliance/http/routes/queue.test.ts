import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testBox, type TestBox } from '../testing.ts';

describe('queue over HTTP', () => {
  let box: TestBox;
  beforeAll(async () => {
    box = await testBox();
  });
  afterAll(() => box.close());

  it('a patient takes a number and sees only their own ticket through its link', async () => {
    const res = await box.call('/api/v1/queue/take', { method: 'POST', json: { poli: 'gigi' } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { token: string; ticket: { label: string; position: number } };
    expect(body.ticket.label).toBe('B-001');
    expect(body.token.length).toBeGreaterThanOrEqual(32);
    const view = await box.call(`/api/v1/tickets/${body.token}`);
    const ticket = (await view.json()) as Record<string, unknown>;
    expect(ticket).toMatchObject({ label: 'B-001', status: 'waiting', position: 1 });
    expect(ticket).not.toHaveProperty('patientId');
    expect(ticket).not.toHaveProperty('id');
  });

  it('an unknown ticket link finds nothing', async () => {
    const res = await box.call('/api/v1/tickets/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa');
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('not_found');
  });

  it('a nurse calls the next number to a room, and the ticket says where to go', async () => {
    const take = (await (await box.call('/api/v1/queue/take', { method: 'POST', json: { poli: 'kia' } })).json()) as { token: string };
    const nurse = await box.as('nurse');
    const called = await nurse('/api/v1/queue/kia/call-next', { method: 'POST', json: { room: 'Ruang KIA' } });
    expect(called.status).toBe(200);
    const view = (await (await box.call(`/api/v1/tickets/${take.token}`)).json()) as Record<string, unknown>;
    expect(view).toMatchObject({ status: 'called', room: 'Ruang KIA', position: null });
  });

  it('daily numbers follow local midnight, not UTC', async () => {
    // 23:30 UTC is 06:30 WIB the next day.
    const late = await testBox({}, () => new Date('2026-11-25T23:30:00Z'));
    try {
      await late.call('/api/v1/queue/take', { method: 'POST', json: { poli: 'gigi' } });
      const t = (await late.queue.list('gigi'))[0];
      expect(t.ticket.day).toBe('2026-11-26');
      expect(t.ticket.label).toBe('B-001');
    } finally {
      await late.close();
    }
  });

  it('writes without the CSRF token are refused', async () => {
    const nurse = await box.as('nurse');
    const cookieOnly = await box.call('/api/v1/queue/umum/call-next', { method: 'POST', json: { room: 'Ruang 1' } }, {
      cookie: (await nurse('/api/v1/auth/me')).headers.get('set-cookie') ?? '',
    });
    expect([401, 403]).toContain(cookieOnly.status);
  });
});

describe('metrics', () => {
  it('counts requests by route pattern, never by a ticket’s secret', async () => {
    const box = await testBox();
    try {
      const { token } = (await (await box.call('/api/v1/queue/take', { method: 'POST', json: { poli: 'umum' } })).json()) as { token: string };
      await box.call(`/api/v1/tickets/${token}`);
      const text = await (await box.call('/metrics', { from: '127.0.0.1' })).text();
      expect(text).toMatch(/simpul_http_requests_total\{method="GET",route="\/api\/v1\/tickets\/:token",status="200"\} 1/);
      expect(text).toMatch(/simpul_outbox_pending \d+/);
      expect(text).not.toContain(token);
    } finally {
      await box.close();
    }
  });
});
