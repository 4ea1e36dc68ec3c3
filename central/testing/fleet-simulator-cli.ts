/**
 * The fleet simulator as a process of its own: `npx tsx central/testing/fleet-simulator-cli.ts <boxes.json> [intervalMs] [seed]`.
 * boxes.json: an array of { deviceId, secret, mqttUrl, behaviour? } (0600: it holds secrets).
 * Prints a JSON line of its figures every 5 s; reads `silence <deviceId>` lines on stdin; stops on SIGTERM.
 * One process holds a few thousand sessions (this machine: 20,000 open files per process).
 */
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { simulateFleet, type SimBox } from './fleet-simulator.ts';

const [file, interval, seed, ramp] = process.argv.slice(2);
if (!file) {
  console.error('usage: fleet-simulator-cli.ts <boxes.json> [intervalMs] [seed] [rampMs]');
  process.exit(2);
}
const boxes = JSON.parse(readFileSync(file, 'utf8')) as SimBox[];
const sim = simulateFleet(boxes, { intervalMs: Number(interval ?? 60_000), seed: Number(seed ?? 1), rampMs: Number(ramp ?? 30_000) });
const tick = setInterval(() => console.log(JSON.stringify({ at: new Date().toISOString(), rss: process.memoryUsage().rss, cpu: process.cpuUsage(), ...sim.stats() })), 5000);
createInterface({ input: process.stdin }).on('line', (l) => {
  const m = /^silence (\S+)$/.exec(l.trim());
  if (m) sim.silence(m[1]);
});
const stop = async () => {
  clearInterval(tick);
  await sim.stop();
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
