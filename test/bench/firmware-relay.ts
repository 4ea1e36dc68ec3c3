/**
 * The installed box (box + relay process, as firmware-scripts installed it) with its relay
 * carrying 10 consultations: each a patient's ticket, a registered patient, an audio-visual
 * encounter opened by the doctor, consent given on the ticket link, and two werift peers in this
 * process (test/bench/relay.ts's synthetic ~632 kbit/s each way) on the box's signaling sockets.
 * The RSS of the box's process group is read after the calls have run a while.
 *
 *   npx tsx test/bench/firmware-relay.ts     (installs a box under a temporary SIMPUL_ROOT; or from `npm run bench -- firmware`)
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { demoStaff } from '../../appliance/clinic/demo.ts';
import { SyntheticPeer } from '../../appliance/relay/synthetic-peer.ts';
import { https, socket } from '../relay-support.ts';
import { allowManyTickets, freePort, makeTestReleases, TestRoot } from '../support/firmware.ts';
import { sleep, until } from '../support/wait.ts';
import { printTable } from './table.ts';

export function groupRssKiB(pid: number): { total: number; each: number[] } {
  const each = execFileSync('ps', ['-o', 'rss=', '-g', String(pid)], { encoding: 'utf8' })
    .split('\n')
    .filter(Boolean)
    .map((l) => Number(l.trim()));
  return { total: each.reduce((s, n) => s + n, 0), each };
}

/** Makes the installed box a demo box with its relay on loopback (its staff accounts exist), restarted. */
export async function demoRelayBox(root: TestRoot) {
  const file = root.path('etc/simpul/simpul.config.json');
  const c = JSON.parse(fs.readFileSync(file, 'utf8'));
  fs.writeFileSync(
    file,
    JSON.stringify({ ...c, mode: 'demo', relayHostAddresses: ['127.0.0.1'], phoneTicketsPerAddress: 10_000, firstRunPage: false, liveConnectionsPerAddress: 64 }, null, 2),
  );
  root.systemctl('restart', 'simpul.service');
  await root.waitHealthy(180_000);
}

/** `calls` consultations through the installed box; resolves with the box group's RSS while they run. */
export async function installedRelayRss(root: TestRoot, calls = 10, seconds = 20) {
  const base = `https://127.0.0.1:${root.httpsPort}`;
  const doc = demoStaff.find((s) => s.role === 'doctor')!;
  const login = await https(`${base}/api/v1/auth/login`, { method: 'POST', json: { username: doc.username, password: doc.password } });
  if (login.status !== 200) throw new Error(`doctor login ${login.status} ${login.body}`);
  const headers = { cookie: String((login.headers['set-cookie'] as string[])[0]).split(';')[0], 'x-csrf-token': login.json().csrfToken as string };
  const staff = async (path: string, json?: unknown) => {
    const r = await https(`${base}${path}`, { method: json === undefined ? 'GET' : 'POST', json, headers });
    if (r.status !== 200) throw new Error(`${path}: ${r.status} ${r.body}`);
    return r.json();
  };
  const pid = root.boxPid()!;
  const before = groupRssKiB(pid);
  const open: { peers: SyntheticPeer[]; sockets: { ws: { close(): void } }[] }[] = [];
  try {
    for (let i = 0; i < calls; i++) {
      const taken = await https(`${base}/api/v1/queue/take`, { method: 'POST', json: { poli: 'umum' } });
      if (taken.status !== 200) throw new Error(`take ${taken.status} ${taken.body}`);
      const { token, ticket } = taken.json();
      const list = await staff('/api/v1/queue/umum');
      const ticketId = list.tickets.find((t: { label: string }) => t.label === ticket.label).id;
      // A woman born 1990-03-12 (NIK day + 40), serial per call: a NIK that checks.
      const serial = String(100 + i + Math.floor(Math.random() * 8000)).padStart(4, '0');
      const patient = await staff('/api/v1/patients', {
        fullName: `Pasien Bench ${i}`,
        nik: `33290152039${'0'}${serial}`,
        sex: 'P',
        birthDate: '1990-03-12',
        registeredHere: true,
      });
      await staff(`/api/v1/queue/tickets/${ticketId}/attach`, { patientId: patient.id });
      const enc = await staff('/api/v1/encounters', { ticketId, mode: 'audio_visual' });
      const consent = await https(`${base}/api/v1/tickets/${token}/consent`, { method: 'POST' });
      if (consent.status !== 200) throw new Error(`consent ${consent.status} ${consent.body}`);
      const p = await socket(`${base}/api/v1/tickets/${token}/consultation/socket`, { origin: base });
      const d = await socket(`${base}/api/v1/consultations/${enc.id}/socket`, { cookie: headers.cookie, origin: base });
      if (!('ws' in p) || !('ws' in d)) throw new Error(`sockets refused: ${JSON.stringify([p, d])}`);
      const peers = [new SyntheticPeer(), new SyntheticPeer()];
      open.push({ peers, sockets: [p, d] });
      for (const [s, peer] of [
        [p, peers[0]],
        [d, peers[1]],
      ] as const) {
        await s.inbox.next('consent', (m) => m.active, 20_000).catch(() => null);
        s.send({ type: 'offer', sdp: await peer.offer() });
        await peer.answer((await s.inbox.next('answer', undefined, 20_000)).sdp);
        await peer.connected(20_000);
        peer.startSending();
      }
    }
    await until('media on every call', () => open.every((c) => c.peers.every((x) => x.received.video > 30)), 30_000, 100);
    await sleep(seconds * 1000);
    const during = groupRssKiB(pid);
    const received = open.flatMap((c) => c.peers).reduce((s, x) => s + x.received.video + x.received.audio, 0);
    return { before, during, received };
  } finally {
    for (const c of open) {
      for (const s of c.sockets) s.ws.close();
      for (const x of c.peers) await x.close();
    }
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const rel = await makeTestReleases('bench-relay');
  const root = new TestRoot(await freePort(), 'bench-relay');
  try {
    const inst = root.run('install.sh', ['--pubkey', rel.pub, rel.base.bundle]);
    if (inst.code !== 0) throw new Error(inst.stderr);
    allowManyTickets(root);
    await demoRelayBox(root);
    await sleep(30_000);
    const r = await installedRelayRss(root);
    printTable(
      `Installed box with its relay carrying 10 calls (${new Date().toISOString().slice(0, 10)})`,
      ['measure', 'value', 'what'],
      [
        [
          'RSS before the calls (box + relay)',
          `${(r.before.total / 1024).toFixed(0)} MiB`,
          `ps rss per process: ${r.before.each.map((k) => Math.round(k / 1024)).join(' + ')} MiB`,
        ],
        [
          'RSS with 10 calls (box + relay)',
          `${(r.during.total / 1024).toFixed(0)} MiB`,
          `ps rss per process: ${r.during.each.map((k) => Math.round(k / 1024)).join(' + ')} MiB, after 20 s of media`,
        ],
      ],
    );
  } catch (e) {
    console.error(e);
    process.exitCode = 1;
  } finally {
    root.cleanup();
    fs.rmSync(rel.work, { recursive: true, force: true });
  }
  // The peers' sockets would keep the process alive.
  process.exit();
}
