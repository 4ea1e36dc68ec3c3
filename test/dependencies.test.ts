import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };

/** What the box and the hub run: the commands in package.json's scripts and the README, and the relay's own process. */
const entryPoints = [
  'appliance/main.ts',
  'appliance/setup.ts',
  'appliance/storage/backup-cli.ts',
  'appliance/storage/template-cli.ts',
  'appliance/relay/relay-process.ts',
  'central/main.ts',
  'central/cli.ts',
  'provisioning/cli.ts',
  'provisioning/demo-stack.ts',
];

/** Every package the entry points import, following the project's own files (static and dynamic imports). */
function runtimePackages(): Map<string, string> {
  const packages = new Map<string, string>();
  const seen = new Set<string>();
  const todo = entryPoints.map((f) => join(root, f));
  while (todo.length) {
    const file = todo.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const source = readFileSync(file, 'utf8');
    for (const m of source.matchAll(/(?:^|[^.\w-])(?:import|export)(?:\s+[\w*{}\s,]+?\s+from\s*|\s*\(\s*|\s+)['"]([^'"]+)['"]/g)) {
      const spec = m[1];
      if (spec.startsWith('.')) {
        const target = resolve(dirname(file), spec);
        if (existsSync(target)) todo.push(target);
      } else if (!spec.startsWith('node:') && !builtinModules.includes(spec)) {
        const name = spec
          .split('/')
          .slice(0, spec.startsWith('@') ? 2 : 1)
          .join('/');
        if (!packages.has(name)) packages.set(name, file.slice(root.length + 1));
      }
    }
  }
  return packages;
}

describe('dependencies', () => {
  it('pins PGlite and werift exactly, and the installed copies are the pinned versions', () => {
    // durable-fs.ts replaces one of PGlite's WASM imports and backup.ts calls its private methods;
    // werift-fast-path.ts patches werift's sender. A minor release may change either silently.
    for (const name of ['@electric-sql/pglite', 'werift']) {
      expect(pkg.dependencies[name], name).toMatch(/^\d+\.\d+\.\d+$/);
      const installed = JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')) as { version: string };
      expect(installed.version, name).toBe(pkg.dependencies[name]);
    }
  });

  it('the box and the hub import only runtime dependencies, and every runtime dependency is imported', () => {
    const imported = runtimePackages();
    const notRuntime = [...imported].filter(([name]) => !(name in pkg.dependencies)).map(([name, file]) => `${name} (${file})`);
    expect(notRuntime).toEqual([]);
    // esbuild bundles the relay process (relay-entry.ts, dynamic); tsx runs the box in npm start;
    // uPlot: the hub serves its files (central/http/pages/hub-assets.ts); the box bundles it into the pages' scripts (pages/bundles.ts).
    const unused = Object.keys(pkg.dependencies).filter((name) => !imported.has(name) && !['tsx', 'uplot'].includes(name));
    expect(unused).toEqual([]);
  });
});
