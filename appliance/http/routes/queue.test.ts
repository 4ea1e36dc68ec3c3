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

  it('a body over 64 KiB is refused 413 whether a Content-Length announces it or not; a small one with it passes', async () => {
    const take = (body: BodyInit, length?: number) =>
      box.call('/api/v1/queue/take', {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json', ...(length === undefined ? {} : { 'content-length': String(length) }) },
        ...(length === undefined ? { duplex: 'half' } : {}),
      } as RequestInit);
    const big = JSON.stringify({ poli: 'gigi', pad: 'x'.repeat(70_000) });
    const announced = await take(big, big.length);
    expect(announced.status).toBe(413);
    expect(((await announced.json()) as { error: { code: string } }).error.code).toBe('payload_too_large');
    const streamed = await take(new Blob([big]).stream());
    expect(streamed.status).toBe(413);
    const small = JSON.stringify({ poli: 'gigi' });
    expect((await take(small, small.length)).status).toBe(200);
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
    const cookieOnly = await box.call(
      '/api/v1/queue/umum/call-next',
      { method: 'POST', json: { room: 'Ruang 1' } },
      {
        cookie: (await nurse('/api/v1/auth/me')).headers.get('set-cookie') ?? '',
      },
    );
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

/** Reads server-sent events from a response body, one `{ event, data }` (or null at its end) at a time. */
function sseReader(res: Response) {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let buffered = '';
  return {
    async next(): Promise<{ event: string; data: string } | null> {
      for (;;) {
        let end: number;
        while ((end = buffered.indexOf('\n\n')) >= 0) {
          const block = buffered.slice(0, end);
          buffered = buffered.slice(end + 2);
          const lines = block.split('\n');
          const event = lines.find((l) => l.startsWith('event: '))?.slice(7);
          if (event)
            return {
              event,
              data: lines
                .filter((l) => l.startsWith('data: '))
                .map((l) => l.slice(6))
                .join('\n'),
            };
        }
        const { done, value } = await reader.read();
        if (done) return null;
        buffered += decoder.decode(value, { stream: true });
      }
    },
    cancel: () => reader.cancel(),
  };
}

describe('a ticket’s status stream', () => {
  it('ends at the ticket link’s expiry by the queue’s clock: no update after it', async () => {
    let now = new Date('2026-11-25T02:00:00Z'); // 09:00 WIB; links expire at the end of service
    const box = await testBox({ serviceEndsAt: '16:00' }, () => now);
    try {
      const { token, ticket } = (await (await box.call('/api/v1/queue/take', { method: 'POST', json: { poli: 'umum' } })).json()) as {
        token: string;
        ticket: { expiresAt: string };
      };
      expect(ticket.expiresAt).toBe('2026-11-25T09:00:00.000Z');
      const res = await box.call(`/api/v1/tickets/${token}/events`);
      expect(res.status).toBe(200);
      const events = sseReader(res);
      expect(await events.next()).toMatchObject({ event: 'update' });

      // Before the expiry a change is pushed…
      const nurse = await box.as('nurse');
      await box.call('/api/v1/queue/take', { method: 'POST', json: { poli: 'umum' } });
      expect(JSON.parse((await events.next())!.data)).toMatchObject({ status: 'waiting', expired: false });

      // …after it, the stream says so and ends instead of pushing the ticket's call.
      now = new Date('2026-11-25T09:00:01Z');
      expect((await nurse('/api/v1/queue/umum/call-next', { method: 'POST', json: { room: 'Ruang 1' } })).status).toBe(200);
      expect(await events.next()).toEqual({ event: 'expired', data: '{}' });
      expect(await events.next()).toBeNull();
      // EventSource's reconnect is refused from then on.
      expect((await box.call(`/api/v1/tickets/${token}/events`)).status).toBe(410);
    } finally {
      await box.close();
    }
  });
});

describe('numbers taken by phones are bounded', () => {
  it('a phone gets its numbers for the day, then 429 in Bahasa; another phone and the desk still get theirs; the day’s cap answers 503', async () => {
    const box = await testBox({ phoneTicketsPerAddress: 3, phoneTicketsPerDay: 5 });
    try {
      const take = (from: string) => box.call('/api/v1/queue/take', { method: 'POST', json: { poli: 'umum' }, from });
      // Counted before the take runs: a burst from one phone cannot all slip under the limit.
      const burst = await Promise.all(Array.from({ length: 8 }, () => take('192.168.1.77')));
      expect(burst.map((r) => r.status).sort()).toEqual([200, 200, 200, 429, 429, 429, 429, 429]);
      const refused = (await burst.find((r) => r.status === 429)!.json()) as { error: { code: string; message: string } };
      expect(refused.error.code).toBe('too_many_tickets');
      expect(refused.error.message).toMatch(/loket pendaftaran/);
      expect((await take('192.168.1.78')).status).toBe(200);
      expect((await take('192.168.1.79')).status).toBe(200);
      const full = await take('192.168.1.80');
      expect(full.status).toBe(503);
      expect(((await full.json()) as { error: { code: string } }).error.code).toBe('tickets_full');
      // A patient without a phone is never refused: the desk's numbers are not counted.
      const nurse = await box.as('nurse');
      expect((await nurse('/api/v1/queue/desk', { method: 'POST', json: { poli: 'umum' } })).status).toBe(200);
    } finally {
      await box.close();
    }
  });
});
