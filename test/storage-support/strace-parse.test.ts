import { expect, it } from 'vitest';
import { parseStrace } from './strace.ts';
it('joins a call strace split across interleaved threads, placing it where it completed', () => {
  const t = `10 read(23<socket:[5]>,  <unfinished ...>\n11 fdatasync(7</x/pgdata/pg_wal/000000010000000000000001>) = 0\n10 <... read resumed>"POST /api/v1/queue/take HTTP/1.1"..., 65536) = 200\n10 write(23<socket:[5]>, "HTTP/1.1 200 OK", 15) = 15`;
  const e = parseStrace(t);
  expect(e.map((x) => [x.pid, x.call, x.line])).toEqual([
    [11, 'fdatasync', 2],
    [10, 'read', 3],
    [10, 'write', 4],
  ]);
  expect(e[1].rest.startsWith('"POST /api/v1/queue/take')).toBe(true);
  expect(e[1].path).toBe('socket:[5]');
});
