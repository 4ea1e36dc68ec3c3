/**
 * `npm run build:pages`: writes the pages' browser bundles and styles to appliance/http/pages/built
 * (git ignores it), and the TV's spoken-call clips to built/suara (espeak-ng). A release build runs
 * this so the box needs neither esbuild nor espeak-ng.
 */
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { builtDir, writePages } from './bundles.ts';
import { clipTexts } from './browser/spoken-clips.ts';
import { writeVoiceClips } from './voice-clips.ts';

const started = Date.now();
const dir = process.argv[2] ?? builtDir;
const { bundles } = writePages(dir);
for (const [name, js] of bundles) console.log(`${name}.js ${js.length} B, ${gzipSync(js, { level: 9 }).length} B gzipped`);
console.log(`${bundles.size} bundles in ${Date.now() - started} ms → ${process.argv[2] ?? builtDir}`);
const clipBytes = await writeVoiceClips(join(dir, 'suara'));
console.log(`${Object.keys(clipTexts).length} spoken-call clips, ${clipBytes} B → ${join(dir, 'suara')}`);
