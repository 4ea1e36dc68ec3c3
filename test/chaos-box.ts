/**
 * A box for the chaos suite, in a process of its own so that it can be killed with SIGKILL:
 * durable PGlite in CHAOS_DIR, the demo clinic, sync to CHAOS_MQTT_URL, and a writer that keeps
 * making records all the while — generated ones (a fixed list, CHAOS_SEED) and real issued
 * referrals through the clinic's own functions, for the hub to answer. After each commit it
 * prints `committed <type>|<entity>|<version>` for every outbox row the commit made: that is what
 * the clinic was told was saved.
 */
import { join } from 'node:path';
import pino from 'pino';
import { appendOutbox, type OutboxEntry } from '../appliance/clinic/outbox.ts';
import { seedDemo } from '../appliance/clinic/demo.ts';
import { demoIds } from '../appliance/clinic/demo-ids.ts';
import { createReferral } from '../appliance/clinic/referrals.ts';
import type { ClinicSettings } from '../appliance/clinic/settings.ts';
import { openDatabase } from '../appliance/storage/database.ts';
import { GroupCommitDb } from '../appliance/storage/group-commit.ts';
import { startSync } from '../appliance/sync/index.ts';
import { generateRecords } from '../central/testing/records.ts';
import { sleep } from './support/wait.ts';

const env = (k: string) => {
  const v = process.env[k];
  if (!v) throw new Error(`chaos box: ${k} is not set`);
  return v;
};
const settings: ClinicSettings = {
  timeZone: 'Asia/Jakarta',
  serviceEndsAt: '24:00',
  referralValidDays: 90,
  defaultServiceMinutes: 10,
  facility: { code: '0112P001', name: 'Puskesmas Chaos' },
  polis: [{ code: 'umum', name: 'Poli Umum', prefix: 'A', rooms: ['Ruang 1'] }],
};
const GENERATED = 20_000;

const pg = await openDatabase({ dataDir: join(env('CHAOS_DIR'), 'box'), log: () => {} });
const db = new GroupCommitDb(pg);
await seedDemo(db, settings);
await db.query(`CREATE TABLE IF NOT EXISTS chaos_progress (id int PRIMARY KEY, generated int NOT NULL)`);
await db.query(`INSERT INTO chaos_progress VALUES (1, 0) ON CONFLICT DO NOTHING`);
const doctor = (await db.query<{ id: string }>(`SELECT id FROM staff WHERE username = 'dokter'`)).rows[0].id;
const hospital = (await db.query<{ hospital_code: string; specialty: string }>(`SELECT hospital_code, specialty FROM referrals WHERE id = $1`, [demoIds.referral])).rows[0];

const sync = await startSync({
  db,
  log: pino({ level: process.env.CHAOS_BOX_LOG ?? 'silent' }),
  config: {
    mqttUrl: env('CHAOS_MQTT_URL'),
    deviceId: env('CHAOS_DEVICE_ID'),
    deviceSecret: env('CHAOS_DEVICE_SECRET'),
    facility: settings.facility,
    timeZone: settings.timeZone,
    syncPollMs: 100,
    syncAckTimeoutMs: 1500,
    syncBackoffMinMs: 50,
    syncBackoffMaxMs: 800,
    syncStatusIntervalMs: 500,
    syncBatchMaxRecords: 50,
    syncMaxInFlight: 4,
  },
});

const records = generateRecords(GENERATED, { seed: Number(env('CHAOS_SEED')) });
const say = (keys: string[]) => process.stdout.write(keys.map((k) => `committed ${k}\n`).join(''));
let writing = process.env.CHAOS_WRITE !== '0';
let tick = 0;

async function writeOnce() {
  tick++;
  if (tick % 10 === 0) {
    const r = await createReferral(db, { staffId: doctor, role: 'doctor', name: 'dokter', device: 'chaos' }, settings, {
      encounterId: demoIds.encounter,
      hospitalCode: hospital.hospital_code,
      specialty: hospital.specialty,
      diagnosisCode: 'I10',
      reason: 'Hipertensi tidak terkontrol; rujukan uji chaos.',
      emergency: false,
      issue: true,
    });
    // A referral issued at once writes its draft and its issued version.
    say([`referral|${r.id}|${r.version - 1}`, `referral|${r.id}|${r.version}`]);
  } else {
    const keys = await db.transaction(async (tx) => {
      const { rows } = await tx.query<{ generated: number }>(`SELECT generated FROM chaos_progress WHERE id = 1 FOR UPDATE`);
      const from = rows[0].generated;
      const batch = records.slice(from, from + 1 + (tick % 3));
      for (const r of batch) await appendOutbox(tx, { type: r.type, entityId: r.entityId, entityVersion: r.entityVersion, payload: r.payload } as OutboxEntry);
      await tx.query(`UPDATE chaos_progress SET generated = $1 WHERE id = 1`, [from + batch.length]);
      return batch.map((r) => `${r.type}|${r.entityId}|${r.entityVersion}`);
    });
    say(keys);
  }
  sync.kick();
}

process.on('message', (m: string) => {
  if (m === 'stop-writing') writing = false;
});
process.on('SIGTERM', () => {
  writing = false;
  void sync
    .close()
    .then(() => db.close())
    .then(() => process.exit(0));
});
process.stdout.write('ready\n');
while (true) {
  if (writing) await writeOnce().catch((err) => process.stderr.write(`chaos box: write failed: ${err.message}\n`));
  await sleep(25);
}
