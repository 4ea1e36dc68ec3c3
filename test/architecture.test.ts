/**
 * The import directions between Simpul's parts (written in .dependency-cruiser.cjs) hold: no part
 * imports what it may not, and there is no import loop. A wrong import fails `npm test` with the
 * rule, the importing file and the imported one.
 *
 * The second test runs the same rules over a small tree of wrong imports made in a temporary
 * directory, so a rule that stopped matching (a typo in a path pattern) fails here too.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..');
const CRUISER = join(ROOT, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs');
const CONFIG = join(ROOT, '.dependency-cruiser.cjs');

interface Violation {
  rule: { name: string };
  from: string;
  to: string;
  cycle?: { name: string }[];
}

/** Runs dependency-cruiser with the project's rules from `cwd` over `parts`. */
async function cruise(cwd: string, parts: string[]) {
  const { stdout } = await promisify(execFile)(process.execPath, [CRUISER, '--config', CONFIG, '--output-type', 'json', ...parts], {
    cwd,
    maxBuffer: 64 * 1024 * 1024,
  }).catch((e) => {
    // the cruiser exits non-zero when it finds violations; its report is on stdout either way
    if (typeof e?.stdout === 'string' && e.stdout.startsWith('{')) return e;
    throw e;
  });
  const report = JSON.parse(stdout) as { summary: { violations: Violation[]; totalCruised: number } };
  return report.summary;
}

const describeViolation = (v: Violation) => `${v.rule.name}: ${v.from} → ${v.cycle?.length ? v.cycle.map((c) => c.name).join(' → ') : v.to}`;

describe('import boundaries', () => {
  it('every import in appliance, central, provisioning and test (benchmarks included) goes the allowed way', async () => {
    const summary = await cruise(ROOT, ['appliance', 'central', 'provisioning', 'test']);
    expect(summary.totalCruised).toBeGreaterThan(200); // the rules did see the code
    expect(summary.violations.map(describeViolation)).toEqual([]);
  });

  const fixture = fs.mkdtempSync(join(tmpdir(), 'simpul-boundaries-'));
  afterAll(() => fs.rmSync(fixture, { recursive: true, force: true }));

  it('the rules catch each kind of wrong import', async () => {
    const files: Record<string, string> = {
      'appliance/clinic/visits.ts': "import '../http/app.ts';\nimport 'hono';\nimport '../../central/contract/index.ts';\n",
      'appliance/clinic/testing.ts': "import '../storage/database.ts';\n", // a test fixture may
      'appliance/http/app.ts': "import '../clinic/visits.ts';\n",
      'appliance/sync/uplink.ts': "import '../../central/ingest/ingest.ts';\nimport '../http/app.ts';\n",
      'appliance/storage/database.ts': "import './backup.ts';\n",
      'appliance/storage/backup.ts': "import './database.ts';\n",
      'appliance/log.ts': "import './clinic/visits.ts';\n",
      'appliance/box.ts': "import './clinic/testing.ts';\n",
      'central/contract/index.ts': '',
      'central/ingest/ingest.ts': "import '../../appliance/storage/database.ts';\nimport '../../appliance/log.ts';\n",
      'central/hub.ts': "import '../appliance/box.ts';\n",
      'central/fleet/devices.ts': "import '../../provisioning/cli.ts';\n",
      'provisioning/cli.ts': "import '../central/fleet/devices.ts';\n",
    };
    for (const [path, text] of Object.entries(files)) {
      fs.mkdirSync(dirname(join(fixture, path)), { recursive: true });
      fs.writeFileSync(join(fixture, path), text);
    }
    fs.copyFileSync(join(ROOT, 'tsconfig.json'), join(fixture, 'tsconfig.json'));
    fs.mkdirSync(join(fixture, 'node_modules/hono'), { recursive: true });
    fs.writeFileSync(join(fixture, 'node_modules/hono/package.json'), '{"name":"hono","main":"index.js"}');
    fs.writeFileSync(join(fixture, 'node_modules/hono/index.js'), '');

    const summary = await cruise(fixture, ['appliance', 'central', 'provisioning']);
    const found = summary.violations.filter((v) => v.rule.name !== 'no-circular' || v.from === 'appliance/storage/backup.ts');
    expect(found.map((v) => `${v.rule.name}: ${v.from} → ${v.to}`).sort()).toEqual(
      [
        'box-reaches-hub-only-through-contract: appliance/sync/uplink.ts → central/ingest/ingest.ts',
        'code-does-not-import-tests: appliance/box.ts → appliance/clinic/testing.ts',
        'domain-stays-pure: appliance/clinic/visits.ts → appliance/http/app.ts',
        'domain-stays-pure: appliance/clinic/visits.ts → node_modules/hono/index.js',
        'hub-uses-only-shared-box-modules: central/hub.ts → appliance/box.ts',
        'no-circular: appliance/storage/backup.ts → appliance/storage/database.ts',
        'nothing-imports-provisioning: central/fleet/devices.ts → provisioning/cli.ts',
        'services-do-not-import-http: appliance/sync/uplink.ts → appliance/http/app.ts',
        'shared-modules-stay-self-contained: appliance/log.ts → appliance/clinic/visits.ts',
      ].sort(),
    );
  });
});
