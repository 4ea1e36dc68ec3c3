/**
 * A Mosquitto of the test's own (not the shared anonymous one on :1883): its own config, port on
 * 127.0.0.1 and temp dir, killed and removed by close().
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sleep } from './support/wait.ts';

export const MOSQUITTO_BIN = process.env.SIMPUL_MOSQUITTO_BIN ?? '/usr/sbin/mosquitto';

export async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => res(port));
    });
  });
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export interface OwnMosquitto {
  port: number;
  proc: ChildProcess;
  output(): string;
  /** SIGHUP: Mosquitto rereads its password and ACL files. */
  reload(): void;
  close(): Promise<void>;
}

/** Starts Mosquitto with `lines` (listener etc.) in `dir`; resolves once it accepts TCP on `port`. */
export async function startMosquitto(dir: string, port: number, lines: string[]): Promise<OwnMosquitto> {
  const conf = join(dir, 'mosquitto.conf');
  // As root, Mosquitto would switch to the `mosquitto` user and could not read our temp files.
  const asRoot = process.getuid?.() === 0 ? ['user root'] : [];
  writeFileSync(conf, [...asRoot, 'persistence false', 'log_dest stderr', 'log_type all', ...lines, ''].join('\n'));
  return startMosquittoWith(conf, dir, port);
}

/**
 * Starts Mosquitto on a configuration file as it is, nothing added (as root it then drops to its
 * `mosquitto` user, as in production); resolves once it accepts TCP on `port`. close() removes `dir`.
 */
export async function startMosquittoWith(conf: string, dir: string, port: number): Promise<OwnMosquitto> {
  const proc = spawn(MOSQUITTO_BIN, ['-c', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<void>((res) => proc.once('exit', () => res()));
  const end = Date.now() + 10_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`mosquitto exited (${proc.exitCode}):\n${out}`);
    const ok = await new Promise<boolean>((res) => {
      const s = createConnection({ port, host: '127.0.0.1' }, () => (s.destroy(), res(true)));
      s.once('error', () => res(false));
    });
    if (ok) break;
    if (Date.now() > end) {
      proc.kill('SIGKILL');
      throw new Error(`mosquitto did not listen on ${port}:\n${out}`);
    }
    await sleep(50);
  }
  return {
    port,
    proc,
    output: () => out,
    reload: () => void proc.kill('SIGHUP'),
    async close() {
      if (proc.exitCode === null && proc.signalCode === null) {
        proc.kill('SIGTERM');
        const t = setTimeout(() => proc.kill('SIGKILL'), 3000);
        await exited;
        clearTimeout(t);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
