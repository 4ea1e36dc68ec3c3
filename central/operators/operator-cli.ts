/**
 * `npx tsx central/cli.ts operator add <username> --role national|province|district [--scope 53|5301] [--full-name "…"]`
 * with the password on stdin (never an argument: it would be in the process list and the shell's
 * history). Writes to the hub's database directly (DATABASE_URL, or the PGlite data dir while the
 * hub is stopped). The first national operator is made this way; the audit log records it.
 */
import { cliActor, recordAudit } from '../audit/audit.ts';
import type { HubDb } from '../storage/db.ts';
import { createOperator, OperatorError } from './accounts.ts';
import type { OperatorRole } from './scope.ts';

export async function readStdin(stdin: NodeJS.ReadableStream = process.stdin): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string));
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

export async function addOperatorFromCli(
  db: HubDb,
  o: { username: string; role: string; scope?: string; fullName?: string; password: string },
): Promise<{ ok: true; message: string } | { ok: false; message: string }> {
  const actor = cliActor();
  try {
    const op = await createOperator(db, { username: o.username, password: o.password, role: o.role as OperatorRole, scope: o.scope ?? '', fullName: o.fullName });
    await recordAudit(db, {
      actor,
      role: 'cli',
      address: 'local',
      action: 'operator_create',
      target: `operator ${op.username}`,
      region: op.scope,
      result: 'ok',
      detail: { role: op.role, scope: op.scope },
    });
    return { ok: true, message: `operator ${op.username} (${op.role}${op.scope ? ` ${op.scope}` : ''}) created` };
  } catch (e) {
    if (!(e instanceof OperatorError)) throw e;
    await recordAudit(db, {
      actor,
      role: 'cli',
      address: 'local',
      action: 'operator_create',
      target: `operator ${o.username.slice(0, 40)}`,
      result: 'refused',
      detail: { reason: e.code },
    });
    return { ok: false, message: e.message };
  }
}

/** `operator disable <username>`: no more sign-in, and its sessions end now. */
export async function disableOperatorFromCli(db: HubDb, username: string): Promise<{ ok: boolean; message: string }> {
  const { rows } = await db.query<{ scope: string }>(`UPDATE operators SET disabled_at = coalesce(disabled_at, now()) WHERE username = $1 RETURNING scope`, [username]);
  if (rows.length) await db.query(`DELETE FROM operator_sessions WHERE username = $1`, [username]);
  await recordAudit(db, {
    actor: cliActor(),
    role: 'cli',
    address: 'local',
    action: 'operator_disable',
    target: `operator ${username.slice(0, 40)}`,
    region: rows[0]?.scope ?? '',
    result: rows.length ? 'ok' : 'refused',
  });
  return rows.length ? { ok: true, message: `operator ${username} disabled; its sessions ended` } : { ok: false, message: `no operator ${username}` };
}
