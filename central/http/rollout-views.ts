/** A rollout's progress as the console shows it: the words in the page's language, the same for the page and its live JSON. */
import type { RolloutProgress, WaveFilter } from '../releases/rollouts.ts';
import type { RolloutLive } from './rollout-live-schema.ts';
import { hubWords, type HubLang } from './words.ts';

export function describeFilter(f: WaveFilter, lang: HubLang): string {
  const w = hubWords[lang];
  const parts = [
    f.region ? w.filterRegion(f.region) : '',
    f.tags ? w.filterTags(f.tags.join(', ')) : '',
    f.devices ? w.filterDevices(f.devices.length) : '',
    f.percent !== undefined ? w.filterPercent(f.percent) : '',
  ].filter(Boolean);
  return parts.length ? parts.join(' · ') : w.filterAll;
}

export function rolloutLiveOf(p: RolloutProgress, lang: HubLang): RolloutLive {
  const w = hubWords[lang];
  return {
    id: p.id,
    version: p.version,
    state: p.state,
    stateWord: w.rolloutStates[p.state],
    summary: p.state === 'running' ? w.waveOf(p.wave + 1, p.waves.length) : (p.haltReason ?? ''),
    waves: p.waves.map((x) => ({
      wave: x.wave,
      started: x.started,
      assigned: x.assigned,
      updated: x.updated,
      failed: x.failed,
      pending: x.pending,
      withdrawn: x.withdrawn,
      text: x.started ? w.waveCounts(x.assigned, x.updated, x.failed, x.pending) : w.waveNotStarted,
      withdrawnText: x.withdrawn ? w.waveWithdrawn(x.withdrawn) : '',
    })),
    failedBoxes: p.failedBoxes,
  };
}
