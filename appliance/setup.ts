import { z } from 'zod';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from './config.ts';
import { openDatabase } from './storage/database.ts';
import { createStaff, staffInput } from './clinic/staff.ts';
import { ClinicError } from './clinic/errors.ts';
import { weakPassword } from './clinic/passwords.ts';
import { words } from './words/index.ts';

/**
 * `npm run setup -- admin --username <u> --full-name "<name>"`, password on stdin (one line).
 * A production box has no default password: this makes its first admin (and more staff with
 * --role). Run it with the box stopped.
 */
const usage = 'usage: npm run setup -- admin --username <username> --full-name "<full name>" [--role admin|doctor|nurse|pharmacist] < password-file';

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) process.stderr.write('Password (min 10 characters), then Enter: ');
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) {
    chunks.push(c as Buffer);
    if (Buffer.concat(chunks).includes(10)) break;
  }
  return Buffer.concat(chunks).toString('utf8').split('\n')[0].replace(/\r$/, '');
}

async function main() {
  let parsed;
  try {
    parsed = parseArgs({ allowPositionals: true, options: { username: { type: 'string' }, 'full-name': { type: 'string' }, role: { type: 'string', default: 'admin' } } });
  } catch (e) {
    throw new ConfigError(`${(e as Error).message}\n${usage}`);
  }
  const command = z.tuple([z.literal('admin')]).safeParse(parsed.positionals);
  if (!command.success) throw new ConfigError(usage);
  const password = await readStdin();
  const input = staffInput.safeParse({ username: parsed.values.username, fullName: parsed.values['full-name'], role: parsed.values.role, password });
  if (!input.success) {
    throw new ConfigError(`Invalid setup arguments:\n${input.error.issues.map((i) => `  - ${i.path.join('.') || 'arguments'}: ${i.message}`).join('\n')}\n${usage}`);
  }
  const weak = weakPassword(input.data.password, input.data);
  if (weak) throw new ConfigError(`Invalid setup arguments:\n  - password: ${[words('id')[`weakPassword_${weak}`], words('en')[`weakPassword_${weak}`]].join('\n    ')}\n${usage}`);
  const config = loadConfig();
  const db = await openDatabase({ dataDir: config.dataDir });
  try {
    await createStaff(db, input.data);
    console.log(`setup: created ${input.data.role} account "${input.data.username}" in ${config.dataDir}`);
  } finally {
    await db.close();
  }
}

main().catch((e) => {
  if (e instanceof ConfigError || e instanceof ClinicError) {
    console.error(`setup: ${e.message}`);
    process.exit(2);
  }
  console.error(e);
  process.exit(1);
});
