/**
 * `npm run bench -- firmware`: the firmware scripts run for real under a temporary SIMPUL_ROOT
 * (stand-in systemctl, as in test/firmware-*.test.ts): bundle size, install time (install.sh until
 * the box answers /healthz), update time (update.sh: bundle verified → new release serving,
 * committed), rollback time (a release that never answers: update.sh's run less its health wait),
 * and the RSS of the installed box (box + relay process) at idle and with its relay carrying 10 calls.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { allowManyTickets, buildUnhealthyRelease, freePort, makeTestReleases, TestRoot } from '../support/firmware.ts';
import { until } from '../support/wait.ts';
import { printTable } from './table.ts';
import { demoRelayBox, installedRelayRss } from './firmware-relay.ts';

const MiB = 1_048_576;

function rssKiB(pid: number): number {
  // The box and every process in its group (its relay process).
  const out = execFileSync('ps', ['-o', 'rss=', '-g', String(pid)], { encoding: 'utf8' });
  return out
    .split('\n')
    .filter(Boolean)
    .reduce((s, l) => s + Number(l.trim()), 0);
}

function dirBytes(dir: string): number {
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .reduce((s, e) => s + fs.statSync(`${e.parentPath}/${e.name}`).size, 0);
}

export async function runFirmwareBench() {
  const rel = await makeTestReleases('bench');
  const root = new TestRoot(await freePort(), 'bench');
  try {
    const rows: (string | number)[][] = [];
    rows.push(['bundle (signed tar)', `${(fs.statSync(rel.base.bundle).size / MiB).toFixed(1)} MiB`, 'what a box downloads']);
    rows.push([
      'release unpacked',
      `${(dirBytes(rel.base.dir) / MiB).toFixed(1)} MiB`,
      `of which PGlite wasm+data ${(['pglite.wasm', 'pglite.data', 'initdb.wasm'].reduce((n, f) => n + fs.statSync(`${rel.base.dir}/box/${f}`).size, 0) / MiB).toFixed(1)} MiB, template ${(fs.statSync(`${rel.base.dir}/box/pgdata-template.tar.gz`).size / MiB).toFixed(1)} MiB`,
    ]);
    rows.push([
      'box JavaScript (all .mjs)',
      `${(
        fs
          .readdirSync(`${rel.base.dir}/box`)
          .filter((f) => f.endsWith('.mjs'))
          .reduce((s, f) => s + fs.statSync(`${rel.base.dir}/box/${f}`).size, 0) / MiB
      ).toFixed(1)} MiB`,
      'esbuild, whitespace/syntax minified',
    ]);

    let t = performance.now();
    const inst = root.run('install.sh', ['--pubkey', rel.pub, rel.base.bundle]);
    if (inst.code !== 0) throw new Error(inst.stderr);
    const installScript = performance.now() - t;
    await until('the installed box serves its first-run page', async () => (await root.https('GET', '/').catch(() => null))?.status === 200, 180_000, 100);
    rows.push(['install (install.sh)', `${(installScript / 1000).toFixed(1)} s`, 'verify, unpack, units, config; box started']);
    rows.push(['install → first-run page answers', `${((performance.now() - t) / 1000).toFixed(1)} s`, 'first boot from the template']);
    // The rest measures a set-up box (its first run done by file, as the firmware tests do).
    allowManyTickets(root);
    root.systemctl('restart', 'simpul.service');
    await root.waitHealthy(180_000);

    // Idle: a minute after start, no clients.
    await new Promise((r) => setTimeout(r, 60_000));
    const pid = root.boxPid()!;
    rows.push(['RSS at idle (box + relay process)', `${(rssKiB(pid) / 1024).toFixed(0)} MiB`, 'ps rss of the process group, 60 s after start']);

    const next = rel.pack('0.2.0');
    t = performance.now();
    const up = root.run('update.sh', [next], {}, { installed: true });
    if (up.code !== 0) throw new Error(up.stderr);
    rows.push([
      'update (update.sh 0.1.0 → 0.2.0)',
      `${((performance.now() - t) / 1000).toFixed(1)} s`,
      'verify, unpack, stop, offline backup, switch, trial healthy, restart, healthy',
    ]);

    const bad = rel.pack('0.3.0', { from: await buildUnhealthyRelease(rel) });
    const timeout = 20;
    t = performance.now();
    const rb = root.run('update.sh', ['--timeout', String(timeout), bad], {}, { installed: true });
    if (rb.code !== 3) throw new Error(`expected a rollback: ${rb.stderr}`);
    const total = (performance.now() - t) / 1000;
    rows.push(['rollback (update.sh, release answers 503)', `${(total - timeout).toFixed(1)} s + ${timeout} s wait`, 'stop, switch back, previous release healthy']);

    // Last, on the release running after the rollback: the relay carrying 10 calls (firmware-relay.ts).
    await demoRelayBox(root);
    await new Promise((r) => setTimeout(r, 30_000));
    const calls = await installedRelayRss(root, 10);
    rows.push([
      'RSS with the relay carrying 10 calls (box + relay)',
      `${(calls.during.total / 1024).toFixed(0)} MiB`,
      `ps rss of the process group after 20 s of 10 calls (${calls.during.each.map((k) => Math.round(k / 1024)).join(' + ')} MiB; before: ${(calls.before.total / 1024).toFixed(0)} MiB)`,
    ]);

    printTable(`Firmware scripts (${new Date().toISOString().slice(0, 10)})`, ['measure', 'value', 'what'], rows);
  } finally {
    root.cleanup();
    fs.rmSync(rel.work, { recursive: true, force: true });
  }
}
