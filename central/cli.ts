/**
 * Hub admin from the shell, until the hospital inbox and the district pages exist:
 *
 *   npx tsx central/cli.ts answer <referralId> --status accepted|scheduled|rejected|sent|used \
 *       [--scheduled-for YYYY-MM-DD] [--note "…"] [--hub-url http://127.0.0.1:8090 [--token …]]
 *   npx tsx central/cli.ts formulary <formulary.csv|.json> [--device <id>]… [--region <BPS code>] [--hub-url … [--token …]]
 *       (CSV: kfa_code,name,strength,form,unit,active; JSON: a list of { kfaCode, name, strength, form, unit, active })
 *   npx tsx central/cli.ts hospitals <hospitals.csv|.json> [--device <id>]… [--region <BPS code>] [--hub-url … [--token …]]
 *       (CSV: code,name,specialties,accepts_emergency, specialties separated by |; see downlink/reference-csv.ts)
 *   npx tsx central/cli.ts operator add <username> --role national|province|district [--scope 53|5301] [--full-name "…"]
 *       (the password on stdin; directly into the hub's database)
 *   npx tsx central/cli.ts operator disable <username>   (no more sign-in; its sessions end)
 *   npx tsx central/cli.ts release register|list …, rollout create|list|status|halt|resume …
 *       (releases from the hub: releases/release-cli.ts; directly on the hub's database and data dir)
 *
 * A list goes to the given boxes, to every box of a region (--region 53: a province, 5301: a
 * district), or without either to every enrolled box. Every CSV row is checked first; errors
 * name the line and the column, and nothing is queued while one remains.
 *
 * With --hub-url it asks the running hub (which sends at once to boxes that are online), with the
 * hub's admin token from --token or, better (not in the process list), SIMPUL_HUB_ADMIN_TOKEN;
 * without, it writes to the hub's database directly (DATABASE_URL, or the PGlite data dir when
 * the hub is stopped) and each box gets it at its next status report.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { answerReferral, DownlinkError, publishFormulary, publishHospitals } from './downlink/downlink.ts';
import { CsvError, parseFormularyCsv, parseHospitalsCsv } from './downlink/reference-csv.ts';
import { openHubDatabase, type HubDb } from './storage/db.ts';
import { RELEASE_USAGE, releaseCli } from './releases/release-cli.ts';
import { addOperatorFromCli, disableOperatorFromCli, readStdin } from './operators/operator-cli.ts';

const USAGE = `usage:
  central/cli.ts answer <referralId> --status <status> [--scheduled-for YYYY-MM-DD] [--note text] [--hub-url url [--token t]] [--data-dir dir]
  central/cli.ts formulary <file.csv|file.json> [--device id]... [--region code] [--hub-url url [--token t]] [--data-dir dir]
  central/cli.ts hospitals <file.csv|file.json> [--device id]... [--region code] [--hub-url url [--token t]] [--data-dir dir]
  central/cli.ts operator add <username> --role national|province|district [--scope 53|5301] [--full-name name] [--data-dir dir]  (password on stdin)
  central/cli.ts operator disable <username> [--data-dir dir]
${RELEASE_USAGE}`;

export async function main(argv: string[], env = process.env, stdin: NodeJS.ReadableStream = process.stdin): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        status: { type: 'string' },
        'scheduled-for': { type: 'string' },
        note: { type: 'string' },
        device: { type: 'string', multiple: true },
        region: { type: 'string' },
        'hub-url': { type: 'string' },
        token: { type: 'string' },
        'data-dir': { type: 'string' },
        role: { type: 'string' },
        scope: { type: 'string' },
        'full-name': { type: 'string' },
        version: { type: 'string' },
        sha256: { type: 'string' },
        wave: { type: 'string', multiple: true },
        'max-failures': { type: 'string' },
        'max-failure-percent': { type: 'string' },
        reason: { type: 'string' },
      },
    });
  } catch (e) {
    console.error(`${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [cmd, arg] = positionals;
  if (cmd === 'release' || cmd === 'rollout') {
    const dataDir = values['data-dir'] ?? env.SIMPUL_HUB_DATA_DIR ?? './data/central';
    const db = await openHubDatabase({ dataDir, databaseUrl: env.DATABASE_URL, databaseSchema: env.DATABASE_SCHEMA, log: () => {} });
    try {
      const r = await releaseCli(db, dataDir, {
        positionals,
        version: values.version,
        sha256: values.sha256,
        wave: values.wave,
        maxFailures: values['max-failures'],
        maxFailurePercent: values['max-failure-percent'],
        reason: values.reason,
      });
      (r.ok ? console.log : console.error)(r.message);
      return r.ok ? 0 : 1;
    } finally {
      await db.close();
    }
  }
  if (cmd === 'operator') {
    const username = positionals[2];
    if (!username || !((arg === 'add' && values.role) || arg === 'disable')) {
      console.error(USAGE);
      return 2;
    }
    const password = arg === 'add' ? await readStdin(stdin) : '';
    const db = await openHubDatabase({
      dataDir: values['data-dir'] ?? env.SIMPUL_HUB_DATA_DIR ?? './data/central',
      databaseUrl: env.DATABASE_URL,
      databaseSchema: env.DATABASE_SCHEMA,
      log: () => {},
    });
    try {
      const r =
        arg === 'disable'
          ? await disableOperatorFromCli(db, username)
          : await addOperatorFromCli(db, { username, role: values.role!, scope: values.scope, fullName: values['full-name'], password });
      (r.ok ? console.log : console.error)(r.message);
      return r.ok ? 0 : 1;
    } finally {
      await db.close();
    }
  }
  let path: string;
  let body: unknown;
  if (cmd === 'answer' && arg && values.status) {
    path = `/admin/referrals/${encodeURIComponent(arg)}/answer`;
    body = { status: values.status, ...(values['scheduled-for'] ? { scheduledFor: values['scheduled-for'] } : {}), ...(values.note ? { note: values.note } : {}) };
  } else if ((cmd === 'formulary' || cmd === 'hospitals') && arg) {
    let items: unknown;
    try {
      const text = readFileSync(arg, 'utf8');
      if (!arg.toLowerCase().endsWith('.csv')) items = JSON.parse(text);
      else items = cmd === 'formulary' ? parseFormularyCsv(text) : parseHospitalsCsv(text);
    } catch (e) {
      if (e instanceof CsvError) {
        console.error(`${arg}: ${e.problems.length} kesalahan, tidak ada yang dikirim (${e.problems.length} problem(s), nothing queued):\n${e.message}`);
        return 1;
      }
      console.error(`cannot read the ${cmd} list from ${arg}: ${(e as Error).message}`);
      return 2;
    }
    path = `/admin/${cmd}`;
    body = { items, ...(values.device ? { devices: values.device } : {}), ...(values.region ? { region: values.region } : {}) };
  } else {
    console.error(USAGE);
    return 2;
  }

  if (values['hub-url']) {
    const res = await fetch(new URL(path, values['hub-url']), {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...((values.token ?? env.SIMPUL_HUB_ADMIN_TOKEN) ? { authorization: `Bearer ${values.token ?? env.SIMPUL_HUB_ADMIN_TOKEN}` } : {}),
      },
      body: JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) {
      console.error(`hub refused (${res.status}): ${text}`);
      return 1;
    }
    console.log(`queued: ${text}`);
    return 0;
  }
  let db: HubDb | null = null;
  try {
    db = await openHubDatabase({
      dataDir: values['data-dir'] ?? env.SIMPUL_HUB_DATA_DIR ?? './data/central',
      databaseUrl: env.DATABASE_URL,
      databaseSchema: env.DATABASE_SCHEMA,
      log: () => {},
    });
    if (cmd === 'answer') {
      const r = await answerReferral(db, arg, body as never);
      console.log(`answer queued for ${r.deviceId} (referral version ${r.referralVersion}); the box receives it at its next status report`);
    } else {
      const { items, devices, region } = body as { items: unknown; devices?: string[]; region?: string };
      const r = await (cmd === 'formulary' ? publishFormulary : publishHospitals)(db, items, { devices, region });
      console.log(`${cmd} version ${r.version} queued for ${r.devices.length} box(es); each receives it at its next status report`);
    }
    return 0;
  } catch (e) {
    if (e instanceof DownlinkError) {
      console.error(e.message);
      return 1;
    }
    throw e;
  } finally {
    await db?.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) process.exitCode = await main(process.argv.slice(2));
