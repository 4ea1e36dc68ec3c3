import { readFileSync } from 'node:fs';

/**
 * Which staff passwords are too easy to guess (ASVS 2.1.7, NIST SP 800-63B §5.1.1.2): one from
 * the list of common passwords (also with digits or signs added at the end), one containing the
 * username or a part of the person's name, one character or a short group repeated, and a run
 * along the alphabet, the digits or a keyboard row. Length (min. 10) is the schema's job.
 * Checked wherever a password is set: the setup CLI and an admin creating an account.
 */
export type WeakPassword = 'common' | 'contains_username' | 'contains_name' | 'repetitive' | 'sequence';

let common: Set<string> | null = null;
function commonPasswords(): Set<string> {
  common ??= new Set(
    readFileSync(new URL('./common-passwords.txt', import.meta.url), 'utf8')
      .split('\n')
      .filter((l) => l && !l.startsWith('#')),
  );
  return common;
}

const runs = ['abcdefghijklmnopqrstuvwxyz', '0123456789', 'qwertyuiop', 'asdfghjkl', 'zxcvbnm', '1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p', 'qazwsxedcrfvtgbyhnujmikolp'];
const runsBothWays = runs.flatMap((r) => [r + r, [...(r + r)].reverse().join('')]);
// Titles and degrees written into names (dr., Ns., apt., drg., S.Kep., A.Md.Keb.): not the person's own.
const titles = new Set(['apt', 'drg', 'skm', 'amd', 'kep', 'keb', 'ked', 'farm', 'kes', 'gizi', 'bidan', 'dokter', 'perawat']);

function repetitive(p: string): boolean {
  for (let n = 1; n <= 4; n++)
    if (
      p
        .slice(0, n)
        .repeat(Math.ceil(p.length / n))
        .slice(0, p.length) === p
    )
      return true;
  return new Set(p).size <= 3;
}

export function weakPassword(password: string, who: { username?: string; fullName?: string }): WeakPassword | null {
  const p = password.toLowerCase();
  const list = commonPasswords();
  // "password123", "indonesia2024!": a common password with digits or signs added.
  const base = p.replace(/[\d\W_]+$/u, '');
  if (list.has(p) || (base.length >= 4 && list.has(base))) return 'common';
  if (who.username && who.username.length >= 3 && p.includes(who.username.toLowerCase())) return 'contains_username';
  const parts = (who.fullName ?? '')
    .toLowerCase()
    .split(/[^\p{L}]+/u)
    .filter((w) => w.length >= 3 && !titles.has(w));
  if (parts.some((w) => p.includes(w))) return 'contains_name';
  if (repetitive(p)) return 'repetitive';
  if (runsBothWays.some((r) => r.includes(p))) return 'sequence';
  return null;
}
