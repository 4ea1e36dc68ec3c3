import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildPages, bundleEntries, readBuiltPages, writePages } from './bundles.ts';

const browserDir = new URL('./browser/', import.meta.url);

describe('browser bundles', () => {
  const dir = mkdtempSync(join(tmpdir(), 'simpul-pages-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('builds one bundle per page from ./browser, without zod or any server module', () => {
    const { bundles, inputs } = buildPages();
    expect([...bundles.keys()].sort()).toEqual(Object.keys(bundleEntries).sort());
    for (const [name, js] of bundles) {
      expect(js.length, name).toBeGreaterThan(100);
      expect(js, name).not.toMatch(/\bzod\b|ZodError|node:/);
    }
    expect(Object.keys(inputs).every((p) => /^(appliance\/(http\/pages\/(browser|styles)\/|relay\/protocol\.ts$|words\/)|node_modules\/uplot\/)/.test(p))).toBe(true);
  });

  it('puts data on screen as DOM nodes and text, never as markup', () => {
    for (const f of readdirSync(browserDir).filter((x) => x.endsWith('.ts'))) {
      const src = readFileSync(new URL(f, browserDir), 'utf8');
      expect(src, f).not.toMatch(/\.(innerHTML|outerHTML)\b|insertAdjacentHTML|document\.write/);
    }
  });

  it('serves prebuilt bundles from a release folder, and ignores them when a source changed since', () => {
    const built = writePages(dir);
    const read = readBuiltPages(dir);
    expect(read && Object.fromEntries(read)).toEqual(Object.fromEntries(built.bundles));
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { inputs: Record<string, string> };
    manifest.inputs['appliance/http/pages/browser/dom.ts'] = '0'.repeat(64);
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest));
    expect(readBuiltPages(dir)).toBeNull();
    expect(readBuiltPages(join(dir, 'absent'))).toBeNull();
  });
});
