/** Spawning writer-child.ts and collecting its acknowledgements (for tests and the benchmark). */
import { spawn, type ChildProcess } from 'node:child_process';
import { REPO_ROOT, tsxArgs } from './template-cache.ts';

export interface WriterHandle {
  child: ChildProcess;
  /** Ids whose `ACK <id>` line arrived complete. */
  acks: number[];
  ready: Promise<void>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderr: () => string;
}

export function spawnWriter(dataDir: string, args: string[] = [], env: NodeJS.ProcessEnv = process.env): WriterHandle {
  const [cmd, argv] = tsxArgs('test/storage-support/writer-child.ts', [dataDir, ...args]);
  const child = spawn(cmd, argv, { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const acks: number[] = [];
  let buf = '';
  let err = '';
  let onReady!: () => void;
  let onFail!: (e: Error) => void;
  const ready = new Promise<void>((res, rej) => {
    onReady = res;
    onFail = rej;
  });
  ready.catch(() => {}); // a killed writer may never be ready; callers that care await it
  child.stdout!.on('data', (d: Buffer) => {
    buf += d.toString();
    let i: number;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      if (line === 'READY') onReady();
      else if (line.startsWith('ACK ')) acks.push(Number(line.slice(4)));
    }
  });
  child.stderr!.on('data', (d: Buffer) => {
    err += d.toString();
    if (err.length > 20_000) err = err.slice(-10_000);
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) => {
    child.on('close', (code, signal) => {
      // 'close': stdout fully drained too
      onFail(new Error(`writer exited (${code ?? signal}) before READY: ${err.slice(-2000)}`));
      res({ code, signal });
    });
  });
  return { child, acks, ready, exited, stderr: () => err };
}
