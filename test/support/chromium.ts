/**
 * Where the Chromium for the browser tests is. A machine without it fails these tests, with the
 * command that installs it, rather than skipping them: a skipped test reads as a passed one.
 */
import { existsSync } from 'node:fs';

export const chromiumMissing = (path: string) =>
  `Chromium not found at ${path} (set CHROMIUM_PATH to use another): run \`bash .ci/run\`, which installs what the tests need on Debian, or apt-get install chromium`;

export function chromiumPath(env: NodeJS.ProcessEnv = process.env): string {
  const path = env.CHROMIUM_PATH || '/usr/bin/chromium';
  if (!existsSync(path)) throw new Error(chromiumMissing(path));
  return path;
}
