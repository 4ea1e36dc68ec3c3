/**
 * Queue status and take-a-number under load (autocannon), side by side with a bare Hono route
 * returning a constant (the ceiling), at 50 and 200 connections. BENCH_SECONDS sets each run.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';
import { printTable } from './table.ts';
import { runLiveCapBench } from './queue-live.ts';

const seconds = Number(process.env.BENCH_SECONDS ?? 8);

interface Result {
  name: string;
  connections: number;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
}

function run(name: string, url: string, connections: number, opts: Partial<autocannon.Options> = {}): Promise<Result> {
  return new Promise((resolve, reject) => {
    autocannon({ url, connections, duration: seconds, pipelining: 1, ...opts }, (err, r) => {
      if (err) return reject(err);
      resolve({ name, connections, rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, errors: r.errors, non2xx: r.non2xx });
    });
  });
}

export async function runQueueBench(): Promise<void> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/bench/queue-server.ts'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve, reject) => {
    // The server's logs share stdout: wait for its one line of ports and tokens.
    const rl = createInterface({ input: child.stdout! });
    rl.on('line', (l) => l.startsWith('{"box"') && resolve(l));
    child.once('exit', (code) => reject(new Error(`queue bench server exited ${code}`)));
  });
  const { box, bare, tokens } = JSON.parse(line) as { box: string; bare: string; tokens: string[] };
  const results: Result[] = [];
  try {
    for (const connections of [50, 200]) {
      results.push(await run('bare Hono route (ceiling)', `${bare}/`, connections));
      let i = 0;
      results.push(
        await run('queue status (ticket link)', `${box}/api/v1/tickets/${tokens[0]}`, connections, {
          requests: [{ setupRequest: (req) => ({ ...req, path: `/api/v1/tickets/${tokens[i++ % tokens.length]}` }) }],
        }),
      );
      results.push(
        await run('take a number', `${box}/api/v1/queue/take`, connections, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ poli: 'kia' }),
        }),
      );
    }
    await runLiveCapBench(box, child.pid!, seconds);
  } finally {
    child.kill('SIGTERM');
  }
  const ceiling = (c: number) => results.find((r) => r.connections === c && r.name.startsWith('bare'))!.rps;
  printTable(
    `Queue HTTP (${seconds} s per run, plain HTTP on loopback, durable storage)`,
    ['load', 'conns', 'req/s', 'vs bare', 'p50 ms', 'p99 ms', 'errors+non2xx'],
    results.map((r) => [r.name, r.connections, Math.round(r.rps), `${((r.rps / ceiling(r.connections)) * 100).toFixed(0)}%`, r.p50, r.p99, r.errors + r.non2xx]),
  );
}

if (import.meta.url === `file://${process.argv[1]}`) await runQueueBench();
