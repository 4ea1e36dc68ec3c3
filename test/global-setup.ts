import { missingPrerequisites } from './support/prerequisites.ts';

/**
 * Before any test file: the machine has what the suite needs, or the run stops here with one
 * message saying what to install. It exits rather than throws: a throw here is printed under
 * vitest's "No test files found" and a stack trace, which buries the message.
 */
export default async function checkMachine() {
  const missing = await missingPrerequisites();
  if (!missing.length) return;
  process.stderr.write(
    `\nThis machine lacks what the tests need:\n${missing.map((m) => `  - ${m}`).join('\n')}\n\n` +
      'On a fresh Debian machine, `bash .ci/run` installs Chromium, strace and Mosquitto, then runs npm ci and npm test.\n\n',
  );
  process.exit(1);
}
