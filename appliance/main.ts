import { z } from 'zod';
import { ConfigError, loadConfig } from './config.ts';
import { startBox } from './box.ts';
import { demoStaff } from './clinic/demo.ts';

const args = z
  .array(z.enum(['--demo']), { message: 'the only argument is --demo' })
  .safeParse(process.argv.slice(2));
if (!args.success) {
  console.error(`appliance: unknown argument(s) ${process.argv.slice(2).join(' ')}; the only argument is --demo`);
  process.exit(2);
}

let config;
try {
  config = loadConfig(process.env, args.data.includes('--demo') ? { mode: 'demo' } : {});
} catch (e) {
  if (e instanceof ConfigError) {
    console.error(e.message);
    process.exit(2);
  }
  throw e;
}

const box = await startBox(config);
console.log(`appliance: ${box.url}`);
if (config.mode === 'demo') {
  console.log(`  demo staff (demo mode only): ${demoStaff.map((s) => `${s.username}/${s.password}`).join('  ')}`);
  console.log(`  patients: ${box.url}/ambil   staff: ${box.url}/staff   waiting-room screen: ${box.url}/layar   API: ${box.url}/openapi.json`);
}

let stopping = false;
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, async () => {
    if (stopping) return;
    stopping = true;
    await box.close();
    process.exit(0);
  });
}
