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
