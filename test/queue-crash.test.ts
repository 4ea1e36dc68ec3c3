/**
 * Take a number under load, then kill -9: the box batches concurrent takes into one statement per
 * poli (clinic/queue.ts), so this proves the batch keeps the durability promise over real HTTP.
 * The real box (test/storage-support/http-box-child.ts) gets 40 concurrent take loops
 * over two polis and is killed with SIGKILL once enough answers came back, twice, on the same data
 * dir. Then, in the database: every answered ticket is there with the number it was answered with,
 * each poli's numbers run 1..n with none doubled or skipped, and the counter stands at n.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { openDatabase } from '../appliance/storage/database.ts';
import { hashToken } from '../appliance/clinic/queue.ts';
import { ensureTestTemplate, REPO_ROOT, tsxArgs } from './storage-support/template-cache.ts';

interface Answer {
  token: string;
  poli: string;
  number: number;
  label: string;
}

describe('take a number survives kill -9 under concurrent load', () => {
  let work: string;
  let template: string;
  const live = new Set<ChildProcess>();

  beforeAll(async () => {
    work = fs.mkdtempSync(join(tmpdir(), 'simpul-queue-crash-'));
    template = await ensureTestTemplate();
  }, 120_000);
  afterAll(async () => {
    for (const c of live) c.kill('SIGKILL');
    await Promise.all([...live].map((c) => new Promise((r) => (c.exitCode !== null || c.signalCode !== null ? r(null) : c.once('exit', r)))));
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  /** Starts the box and resolves with its URL once it serves (it writes a ready file; we watch its folder). */
  async function startBox(round: number): Promise<{ child: ChildProcess; url: string; exited: Promise<NodeJS.Signals | null> }> {
    const readyFile = join(work, `ready-${round}.json`);
    const [cmd, args] = tsxArgs('test/storage-support/http-box-child.ts', [join(work, 'box'), readyFile, ...(round === 1 ? [`--template=${template}`] : [])]);
    const child = spawn(cmd, args, { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    live.add(child);
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    const exited = new Promise<NodeJS.Signals | null>((r) =>
      child.once('exit', (_code, signal) => {
        live.delete(child);
        r(signal);
      }),
    );
    const url = await new Promise<string>((resolve, reject) => {
      const watcher = fs.watch(work, () => {
        if (!fs.existsSync(readyFile)) return;
        watcher.close();
        resolve((JSON.parse(fs.readFileSync(readyFile, 'utf8')) as { url: string }).url);
      });
      void exited.then(() => {
        watcher.close();
        reject(new Error(`box exited before serving: ${stderr.slice(-2000)}`));
      });
    });
    return { child, url, exited };
  }

  /** 40 loops taking numbers until the box dies; kills it (SIGKILL) once `killAfter` answers came back. */
  async function loadAndKill(round: number, killAfter: number): Promise<Answer[]> {
    const box = await startBox(round);
    const answers: Answer[] = [];
    const loop = async (i: number) => {
      const poli = i % 2 ? 'umum' : 'gigi';
      for (;;) {
        let res: Response;
        try {
          res = await fetch(`${box.url}/api/v1/queue/take`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ poli }) });
        } catch {
          return; // the box is gone
        }
        expect(res.status).toBe(200);
        const body = (await res.json()) as { token: string; ticket: { label: string; poli: string } };
        answers.push({ token: body.token, poli: body.ticket.poli, label: body.ticket.label, number: Number(body.ticket.label.split('-')[1]) });
        if (answers.length === killAfter) box.child.kill('SIGKILL');
      }
    };
    await Promise.all(Array.from({ length: 40 }, (_, i) => loop(i)));
    expect(await box.exited).toBe('SIGKILL');
    return answers;
  }

  it('keeps every answered ticket, and no number is doubled or skipped', async () => {
    const answered = [...(await loadAndKill(1, 200)), ...(await loadAndKill(2, 200))];
    expect(answered.length).toBeGreaterThanOrEqual(400);

    const db = await openDatabase({ dataDir: join(work, 'box'), controlSocket: false, log: () => {} });
    try {
      const { rows } = await db.query<{ poli: string; number: number; label: string; token_hash: string }>(
        `SELECT poli, number, label, token_hash FROM queue_tickets ORDER BY poli, number`,
      );
      const byHash = new Map(rows.map((r) => [r.token_hash, r]));
      for (const a of answered) {
        expect(byHash.get(hashToken(a.token)), `answered ${a.label} lost`).toMatchObject({ poli: a.poli, number: a.number, label: a.label });
      }
      const counters = new Map((await db.query<{ poli: string; last_number: number }>(`SELECT poli, last_number FROM queue_counters`)).rows.map((r) => [r.poli, r.last_number]));
      for (const poli of ['umum', 'gigi']) {
        const numbers = rows.filter((r) => r.poli === poli).map((r) => r.number);
        expect(numbers).toEqual(numbers.map((_, i) => i + 1));
        expect(counters.get(poli)).toBe(numbers.length);
      }
    } finally {
      await db.close();
    }
  }, 120_000);
});
