/**
 * Staff requests while the live-update endpoints are held at their cap (issue 12): a nurse's
 * queue list (GET /api/v1/queue/umum with her session), side by side with no streams open, with
 * the box's default caps' worth of idle waiting-room streams held from 50 loopback addresses
 * (127.0.0.2…), and with the same plus phones retrying refused streams in a loop. Runs against queue-server.ts's box (plain HTTP, durable storage).
 */
import { readFileSync } from 'node:fs';
import { get, type ClientRequest } from 'node:http';
import autocannon from 'autocannon';
import { printTable } from './table.ts';
import { demoStaff } from '../../appliance/clinic/demo.ts';

const rssMb = (pid: number) => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;

function open(port: number, from: string): Promise<{ status: number; req: ClientRequest }> {
  return new Promise((resolve) => {
    const req = get({ host: '127.0.0.1', port, path: '/api/v1/queue/display/events', localAddress: from, agent: false }, (res) => {
      if (res.statusCode !== 200) res.resume();
      resolve({ status: res.statusCode ?? 0, req });
    });
    req.on('error', () => resolve({ status: 0, req }));
  });
}

export async function runLiveCapBench(box: string, serverPid: number, seconds: number, connections = 10): Promise<void> {
  const port = Number(new URL(box).port);
  const nurse = demoStaff.find((s) => s.role === 'nurse')!;
  const login = await fetch(`${box}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: nurse.username, password: nurse.password }),
  });
  const cookie = login.headers.get('set-cookie')!.split(';')[0];
  const staff = (name: string) =>
    new Promise<(string | number)[]>((resolve, reject) => {
      autocannon({ url: `${box}/api/v1/queue/umum`, connections, duration: seconds, headers: { cookie } }, (err, r) => {
        if (err) return reject(err);
        resolve([name, connections, Math.round(r.requests.average), r.latency.p50, r.latency.p99, r.errors + r.non2xx, Math.round(rssMb(serverPid))]);
      });
    });

  const rows: (string | number)[][] = [];
  await staff('warm-up'); // the first run on a fresh process pays for JIT and caches
  rows.push(await staff('nurse’s queue list, no streams open'));

  // Fill the cap: 8 per address (the default) from 50 addresses = 400 (the default total).
  const rssBefore = rssMb(serverPid);
  const held: ClientRequest[] = [];
  const opened = await Promise.all(Array.from({ length: 400 }, (_, i) => open(port, `127.0.0.${2 + Math.floor(i / 8)}`)));
  for (const o of opened) held.push(o.req);
  const admitted = opened.filter((o) => o.status === 200).length;
  await new Promise((r) => setTimeout(r, 1000)); // let the box settle before reading its memory
  const rssHeld = rssMb(serverPid);
  const refused = await open(port, '127.0.1.1');
  rows.push(await staff(`same, ${admitted} streams held (cap), idle`));

  // Phones that keep retrying: 20 loops opening streams that are refused (503), during the run.
  let retrying = true;
  let refusals = 0;
  const loops = Array.from({ length: 20 }, async (_, i) => {
    while (retrying) {
      const o = await open(port, `127.0.2.${1 + i}`);
      if (o.status === 503) refusals++;
      o.req.destroy();
    }
  });
  rows.push(await staff(`same, cap held + refused retries`));
  retrying = false;
  await Promise.all(loops);
  for (const r of held) r.destroy();

  printTable(
    `Staff requests with the live-update endpoints at their cap (${seconds} s per run, plain HTTP on loopback)`,
    ['load', 'conns', 'req/s', 'p50 ms', 'p99 ms', 'errors+non2xx', 'box RSS MB'],
    rows,
  );
  // The RSS change here is no per-stream cost: the box's heap is warm from the runs before (on a
  // fresh box over HTTPS an idle stream costs 32–57 KiB, see the issue 12 notes).
  console.log(
    `\n${admitted} idle streams held: box RSS ${rssBefore.toFixed(0)} → ${rssHeld.toFixed(0)} MB (warm process); one more from a fresh address: ${refused.status}; refused retries during the last run: ${refusals} (${(refusals / seconds).toFixed(0)}/s).`,
  );
}
