/**
 * firmware-scripts/fetch-release.sh: the assigned release downloaded from an HTTP server that
 * honours range requests — a cut connection resumes where it stopped (the second request asks
 * for the rest only), a wrong checksum is refused and deleted, nothing is fetched outside the
 * box's night window, and the bandwidth cap is passed to curl.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { TestRoot } from './support/firmware.ts';

const body = randomBytes(3 * 1_048_576 + 123);
const sha = createHash('sha256').update(body).digest('hex');
const requests: { range: string | undefined; sent: number }[] = [];
let cutNext = false;
let server: Server;
let port: number;
let root: TestRoot;

function assignment(o: Partial<{ sha256: string; version: string }> = {}) {
  const file = join(root.root, 'assignment.json');
  fs.writeFileSync(file, JSON.stringify({ version: o.version ?? '0.2.0', url: `http://127.0.0.1:${port}/simpul-box-0.2.0.tar`, sha256: o.sha256 ?? sha, bytes: body.length }));
  return file;
}

function config(c: Record<string, unknown>) {
  fs.mkdirSync(root.path('etc/simpul'), { recursive: true });
  fs.writeFileSync(root.path('etc/simpul/simpul.config.json'), JSON.stringify(c));
}

const partial = () => root.path('var/lib/simpul-update/download/simpul-box-0.2.0.tar.partial');
const done = () => root.path('var/lib/simpul-update/download/simpul-box-0.2.0.tar');

beforeAll(async () => {
  server = createServer((req, res) => {
    const m = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    const start = m ? Number(m[1]) : 0;
    const chunk = body.subarray(start);
    res.writeHead(m ? 206 : 200, {
      'content-length': chunk.length,
      ...(m ? { 'content-range': `bytes ${start}-${body.length - 1}/${body.length}` } : {}),
      'accept-ranges': 'bytes',
    });
    if (cutNext) {
      // The link drops halfway through.
      cutNext = false;
      const half = chunk.subarray(0, chunk.length >> 1);
      requests.push({ range: req.headers.range, sent: half.length });
      res.write(half, () => res.destroy());
      return;
    }
    requests.push({ range: req.headers.range, sent: chunk.length });
    res.end(chunk);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as { port: number }).port;
  root = new TestRoot(0, 'fetch');
});

afterAll(async () => {
  await new Promise((r) => server.close(r));
  fs.rmSync(root.root, { recursive: true, force: true });
});

describe('fetch-release', () => {
  it('waits for the night window', async () => {
    config({ syncNightWindow: '22:00-05:00' });
    const r = await root.runAsync('fetch-release.sh', [assignment(), '--no-update'], { SIMPUL_NOW_HHMM: '10:30' });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/outside the night window/);
    expect(requests).toEqual([]);
  });

  it('a cut download resumes with a range request for the rest only, inside the window, within the cap', async () => {
    config({ syncNightWindow: '22:00-05:00', syncBandwidthKbps: 80_000 });
    cutNext = true;
    const first = await root.runAsync('fetch-release.sh', [assignment(), '--no-update'], { SIMPUL_NOW_HHMM: '23:15' });
    expect(first.code).toBe(1);
    expect(first.stderr).toMatch(/the next run resumes/);
    expect(first.stderr).toMatch(/at most 80000 kbit\/s/);
    const have = fs.statSync(partial()).size;
    expect(have).toBeGreaterThan(0);
    expect(have).toBeLessThan(body.length);
    const second = await root.runAsync('fetch-release.sh', [assignment(), '--no-update'], { SIMPUL_NOW_HHMM: '04:10' });
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).toMatch(new RegExp(`resuming at byte ${have}`));
    expect(requests.at(-1)).toEqual({ range: `bytes=${have}-`, sent: body.length - have });
    expect(createHash('sha256').update(fs.readFileSync(done())).digest('hex')).toBe(sha);
    expect(fs.existsSync(partial())).toBe(false);
  });

  it('refuses a download that is not the assigned file, and deletes it', async () => {
    fs.rmSync(done());
    const r = await root.runAsync('fetch-release.sh', [assignment({ sha256: 'a'.repeat(64) }), '--no-update', '--now']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/does not match the assigned sha256/);
    expect(fs.existsSync(partial())).toBe(false);
    expect(fs.existsSync(done())).toBe(false);
  });

  it('refuses a malformed assignment', async () => {
    const r = await root.runAsync('fetch-release.sh', [assignment({ version: '../../etc' }), '--no-update', '--now']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/bad version/);
  });
});
