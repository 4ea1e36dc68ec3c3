import { afterEach, describe, expect, it } from 'vitest';
import { testBox, type TestBox } from '../testing.ts';

const right = 'demo-dokter-123';
const login = (box: TestBox, password: string, from: string, username = 'dokter') => box.call('/api/v1/auth/login', { method: 'POST', json: { username, password }, from });

let box: TestBox | undefined;
afterEach(async () => {
  await box?.close();
  box = undefined;
});

/** A box whose clock only moves when the test says so. */
async function clockedBox() {
  let t = Date.parse('2026-03-02T01:00:00Z');
  box = await testBox({}, () => new Date(t));
  return { box, advance: (ms: number) => void (t += ms) };
}

describe('login throttle under concurrent guesses', () => {
  it('evaluates at most the free failures when 60 guesses from one phone arrive at once', async () => {
    const { box } = await clockedBox();
    const guesses = Array.from({ length: 60 }, (_, i) => (i === 30 ? right : `wrong-guess-${i}`));
    const answers = await Promise.all(guesses.map((g) => login(box, g, '192.168.1.66')));
    const statuses = answers.map((r) => r.status);
    expect(statuses[30], 'the right password, 31st in the burst').toBe(429);
    expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(5);
    expect(statuses.filter((s) => s !== 401 && s !== 429)).toEqual([]);
  });

  it('evaluates at most the account ceiling when 60 guesses from 60 addresses arrive at once', async () => {
    const { box } = await clockedBox();
    const guesses = Array.from({ length: 60 }, (_, i) => (i === 40 ? right : `wrong-guess-${i}`));
    const answers = await Promise.all(guesses.map((g, i) => login(box, g, `10.0.${i}.9`)));
    const statuses = answers.map((r) => r.status);
    expect(statuses[40]).toBe(429);
    expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(20);
  });
});

describe('login throttle per account and address', () => {
  it('slows only the guessing phone: the same account from another address and other accounts behind the same address still log in', async () => {
    const { box } = await clockedBox();
    for (let i = 0; i < 5; i++) expect((await login(box, `wrong-${i}`, '192.168.1.66')).status).toBe(401);
    const held = await login(box, right, '192.168.1.66', 'dokter');
    expect(held.status).toBe(429);
    expect(held.headers.get('retry-after')).toBe('30');
    const body = (await held.json()) as { error: { code: string; message: string; details: { retryAfterSeconds: number } } };
    expect(body.error.code).toBe('rate_limited');
    expect(body.error.message).toMatch(/Tunggu 30 detik/);
    expect(body.error.details.retryAfterSeconds).toBe(30);

    expect((await login(box, right, '192.168.1.20')).status, 'the doctor at her own tablet').toBe(200);
    expect((await login(box, 'demo-perawat-123', '192.168.1.66', 'perawat')).status, 'the nurse behind the same address').toBe(200);
  });

  it('grows the delay with each further failure, and tells it in English when asked', async () => {
    const { box, advance } = await clockedBox();
    for (let i = 0; i < 5; i++) await login(box, `wrong-${i}`, '192.168.1.66');
    expect((await login(box, 'x-wrong-x', '192.168.1.66')).headers.get('retry-after')).toBe('30');
    advance(30_000);
    expect((await login(box, 'wrong-6', '192.168.1.66')).status).toBe(401);
    const res = await box.call('/api/v1/auth/login?lang=en', { method: 'POST', json: { username: 'dokter', password: right }, from: '192.168.1.66' });
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('60');
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/Wait 60 seconds/);
    advance(60_000);
    expect((await login(box, right, '192.168.1.66')).status).toBe(200);
    // A success forgets the failures.
    expect((await login(box, 'wrong-again', '192.168.1.66')).status).toBe(401);
  });

  it('past the account ceiling a new address waits at most 10 s, and an address that logged in before is not held', async () => {
    const { box, advance } = await clockedBox();
    expect((await login(box, right, '192.168.1.20')).status).toBe(200);
    for (let i = 0; i < 20; i++) expect((await login(box, `wrong-${i}`, `10.0.${i}.9`)).status).toBe(401);
    expect((await login(box, right, '192.168.1.20')).status, 'her usual tablet').toBe(200);
    const held = await login(box, right, '192.168.1.21');
    expect(held.status).toBe(429);
    expect(Number(held.headers.get('retry-after'))).toBeLessThanOrEqual(10);
    advance(10_000);
    expect((await login(box, right, '192.168.1.21')).status).toBe(200);
  });
});
