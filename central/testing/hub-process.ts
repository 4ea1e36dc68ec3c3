/**
 * A hub in its own process (`tsx central/main.ts`), for tests that need several of them or kill
 * one with SIGKILL. Settings go in through the environment, as in production.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';

export interface HubProcess {
  url: string;
  /** Its admin token (SIMPUL_HUB_ADMIN_TOKEN, made here unless the env gives one). */
  adminToken: string;
  proc: ChildProcess;
  /** False once the process has exited, for whatever reason. */
  alive(): boolean;
  /** The end of its stderr (its warnings and a crash's stack). */
  stderr(): string;
  /** Records this process stored since it started (its /metrics), summed over types. */
  storedHere(): Promise<number>;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

const MAIN = fileURLToPath(new URL('../main.ts', import.meta.url));

export async function spawnHub(env: Record<string, string>, timeoutMs = 30_000): Promise<HubProcess> {
  const adminToken = env.SIMPUL_HUB_ADMIN_TOKEN ?? randomBytes(18).toString('base64url');
  const proc = spawn(process.execPath, ['--import', 'tsx', MAIN], {
    env: { ...process.env, SIMPUL_HUB_HTTP_PORT: '0', SIMPUL_HUB_LOG_LEVEL: 'warn', ...env, SIMPUL_HUB_ADMIN_TOKEN: adminToken },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  proc.stderr!.on('data', (d) => (stderr = (stderr + d).slice(-4000)));
  const exited = new Promise<void>((res) => proc.once('exit', () => res()));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const t = setTimeout(() => (proc.kill('SIGKILL'), reject(new Error(`hub did not start within ${timeoutMs} ms: ${stderr}`))), timeoutMs);
    proc.stdout!.on('data', (d) => {
      out += d;
      const m = /central: (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(t);
        resolve(m[1]);
      }
    });
    proc.once('exit', (code) => (clearTimeout(t), reject(new Error(`hub exited (${code}) before starting: ${stderr}`))));
  });
  return {
    url,
    adminToken,
    proc,
    alive: () => proc.exitCode === null && proc.signalCode === null,
    stderr: () => stderr,
    async storedHere() {
      const text = await (await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${adminToken}` } })).text();
      return [...text.matchAll(/^simpul_hub_process_records_stored_total\{[^}]*\} (\d+)$/gm)].reduce((n, m) => n + Number(m[1]), 0);
    },
    async kill(signal = 'SIGTERM') {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      proc.kill(signal);
      await exited;
    },
  };
}
