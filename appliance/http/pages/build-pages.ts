/**
 * `npm run build:pages`: writes the pages' browser bundles and styles to appliance/http/pages/built
 * (git ignores it). A release build runs this so the box needs no esbuild at start.
 */
import { gzipSync } from 'node:zlib';
import { builtDir, writePages } from './bundles.ts';

const started = Date.now();
const { bundles } = writePages(process.argv[2] ?? builtDir);
for (const [name, js] of bundles) console.log(`${name}.js ${js.length} B, ${gzipSync(js, { level: 9 }).length} B gzipped`);
console.log(`${bundles.size} bundles in ${Date.now() - started} ms → ${process.argv[2] ?? builtDir}`);
