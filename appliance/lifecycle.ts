import { demoStaff } from './clinic/demo.ts';

/** Closes the given parts in order on SIGINT/SIGTERM (once), then exits. */
export function closeOnSignals(...parts: { close(): Promise<void> }[]): void {
  let stopping = false;
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.on(sig, async () => {
      if (stopping) return;
      stopping = true;
      for (const p of parts) await p.close();
      process.exit(0);
    });
  }
}

/** The lines `npm start` prints under the box's URL in demo mode. */
export function printDemoAccess(url: string): void {
  console.log(`  demo staff (demo mode only): ${demoStaff.map((s) => `${s.username}/${s.password}`).join('  ')}`);
  console.log(`  patients: ${url}/ambil   staff: ${url}/staff   waiting-room screen: ${url}/layar   API: ${url}/openapi.json`);
}
