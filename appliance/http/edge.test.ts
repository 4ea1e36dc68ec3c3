import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testBox, type TestBox } from './testing.ts';

let box: TestBox;
beforeAll(async () => {
  box = await testBox();
});
afterAll(() => box.close());

describe('a body that is not JSON', () => {
  it('answers 415 with its own code, for staff and for the public', async () => {
    const nurse = await box.as('nurse');
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
      const res = await nurse('/api/v1/queue/umum/call-next', { method: 'POST', body: 'room=Ruang 1', headers: { 'content-type': type } });
      expect(res.status, type).toBe(415);
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe('unsupported_media_type');
      expect(body.error.message).toMatch(/application\/json/);
    }
    const res = await box.call('/api/v1/queue/take?lang=en', { method: 'POST', body: '{"poli":"umum"}', headers: { 'content-type': 'text/plain' } });
    expect(res.status).toBe(415);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/^Unsupported Content-Type/);
  });
});

describe('/metrics', () => {
  it('answers the box itself, and an admin, but not a phone on the Wi-Fi', async () => {
    for (const from of ['127.0.0.1', '::1', '::ffff:127.0.0.1']) expect((await box.call('/metrics', { from })).status, from).toBe(200);
    const phone = await box.call('/metrics', { from: '192.168.1.66' });
    expect(phone.status).toBe(401);
    expect(await phone.text()).not.toMatch(/simpul_/);
    expect((await (await box.as('nurse'))('/metrics')).status).toBe(403);
    expect((await (await box.as('admin'))('/metrics')).status).toBe(200);
  });

  it('answers a configured monitoring address and the metrics token', async () => {
    const token = 'monitor-token-0123456789abcdef';
    const monitored = await testBox({ metricsToken: token, metricsAllowFrom: ['192.168.1.2'] });
    try {
      expect((await monitored.call('/metrics', { from: '192.168.1.2' })).status).toBe(200);
      expect((await monitored.call('/metrics', { from: '::ffff:192.168.1.2' })).status).toBe(200);
      expect((await monitored.call('/metrics', { from: '192.168.1.3' })).status).toBe(401);
      const withToken = await monitored.call('/metrics', { from: '10.8.0.5', headers: { authorization: `Bearer ${token}` } });
      expect(withToken.status).toBe(200);
      expect(await withToken.text()).toMatch(/simpul_queue_waiting/);
      for (const authorization of [`Bearer ${token}x`, `Bearer ${token.slice(0, -1)}`, 'Bearer', `Basic ${token}`, token]) {
        expect((await monitored.call('/metrics', { from: '10.8.0.5', headers: { authorization } })).status, authorization).toBe(401);
      }
    } finally {
      await monitored.close();
    }
  });
});

describe('an admin creating a staff account', () => {
  it('refuses a guessable password with a reason next to the field, in the request’s language', async () => {
    const admin = await box.as('admin');
    const weak = [
      ['aaaaaaaaaa', 'repetitive'],
      ['1234567890', 'common'],
      ['bidan.ani-2024', 'contains_username'],
      ['suryani-pagi-hari', 'contains_name'],
    ] as const;
    for (const [password, reason] of weak) {
      const res = await admin('/api/v1/admin/staff', { method: 'POST', json: { username: 'bidan.ani', fullName: 'Ani Suryani', role: 'nurse', password } });
      expect(res.status, password).toBe(400);
      const { error } = (await res.json()) as { error: { code: string; details: { issues: { path: string; message: string; reason: string }[] } } };
      expect(error.code).toBe('validation_failed');
      expect(error.details.issues).toEqual([expect.objectContaining({ path: 'password', reason })]);
      expect(error.details.issues[0].message).toMatch(/Kata sandi/);
    }
    const en = await admin('/api/v1/admin/staff?lang=en', { method: 'POST', json: { username: 'bidan.ani', fullName: 'Ani Suryani', role: 'nurse', password: 'password123' } });
    expect(((await en.json()) as { error: { details: { issues: { message: string }[] } } }).error.details.issues[0].message).toMatch(/most common passwords/);
    const ok = await admin('/api/v1/admin/staff', { method: 'POST', json: { username: 'bidan.ani', fullName: 'Ani Suryani', role: 'nurse', password: 'pohon-mangga-di-halaman' } });
    expect(ok.status).toBe(200);
  });
});

describe('security headers', () => {
  it('no inline script, no framing, and HSTS only on HTTPS answers', async () => {
    for (const url of ['https://simpul.local/staff/login', 'https://simpul.local/api/v1/queue/display', 'https://simpul.local/no-such-page']) {
      const res = await box.call(url);
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp, url).toMatch(/(^|; )script-src 'self'(;|$)/);
      expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
      expect(csp).toMatch(/frame-ancestors 'none'/);
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('strict-transport-security'), url).toBe('max-age=31536000');
    }
    expect((await box.call('http://simpul.local/staff/login')).headers.get('strict-transport-security')).toBeNull();
  });

  it('the pages carry no inline event handler or executable inline script', async () => {
    const doctor = await box.as('doctor');
    for (const path of ['/ambil', '/staff/login', '/layar', '/poster', '/staff/rujukan/0b6f1d1e-5a4e-4d8e-9a51-6f0c2b9d0501/cetak', '/staff/pemeriksaan', '/staff']) {
      const html = await (await doctor(path)).text();
      expect(html, path).not.toMatch(/\son[a-z]+=/i);
      for (const tag of html.match(/<script\b[^>]*>/g) ?? []) expect(tag, path).toMatch(/\bsrc="|type="application\/json"/);
    }
  });
});
