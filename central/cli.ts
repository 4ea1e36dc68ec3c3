/**
 * Hub admin from the shell, until the hospital inbox exists:
 *
 *   npx tsx central/cli.ts answer <referralId> --status accepted|scheduled|rejected|sent|used \
 *       [--scheduled-for YYYY-MM-DD] [--note "…"] [--hub-url http://127.0.0.1:8090 [--token …]]
 *
 * With --hub-url it asks the running hub (which sends the answer at once if the box is online);
 * without, it writes to the hub's database directly (DATABASE_URL, or the PGlite data dir when
 * the hub is stopped) and the box gets it at its next status report.
 */
import { parseArgs } from 'node:util';
import { answerReferral, DownlinkError } from './downlink/downlink.ts';
import { openHubDatabase } from './storage/db.ts';

export async function main(argv: string[], env = process.env): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv, allowPositionals: true,
    options: { status: { type: 'string' }, 'scheduled-for': { type: 'string' }, note: { type: 'string' }, 'hub-url': { type: 'string' }, token: { type: 'string' }, 'data-dir': { type: 'string' } },
  });
  const [cmd, referralId] = positionals;
  if (cmd !== 'answer' || !referralId || !values.status) {
    console.error('usage: central/cli.ts answer <referralId> --status <status> [--scheduled-for YYYY-MM-DD] [--note text] [--hub-url url [--token t]] [--data-dir dir]');
    return 2;
  }
  const answer = { status: values.status, ...(values['scheduled-for'] ? { scheduledFor: values['scheduled-for'] } : {}), ...(values.note ? { note: values.note } : {}) };
  if (values['hub-url']) {
    const res = await fetch(new URL(`/admin/referrals/${encodeURIComponent(referralId)}/answer`, values['hub-url']), {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(values.token ? { authorization: `Bearer ${values.token}` } : {}) },
      body: JSON.stringify(answer),
    });
    const text = await res.text();
    if (!res.ok) {
      console.error(`hub refused (${res.status}): ${text}`);
      return 1;
    }
    console.log(`answer queued: ${text}`);
    return 0;
  }
  const db = await openHubDatabase({ dataDir: values['data-dir'] ?? env.SIMPUL_HUB_DATA_DIR ?? './data/central', databaseUrl: env.DATABASE_URL, databaseSchema: env.DATABASE_SCHEMA, log: () => {} });
  try {
    const r = await answerReferral(db, referralId, answer as never);
    console.log(`answer queued for ${r.deviceId} (referral version ${r.referralVersion}); the box receives it at its next status report`);
    return 0;
  } catch (e) {
    if (e instanceof DownlinkError) {
      console.error(e.message);
      return 1;
    }
    throw e;
  } finally {
    await db.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) process.exitCode = await main(process.argv.slice(2));
