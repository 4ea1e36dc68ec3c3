/**
 * The rollout pages' live progress (bundled by esbuild into /assets/rollouts.js; see ../hub-assets.ts).
 * The page is complete as the server sent it; this polls GET /api/fleet/rollouts every 5 s (a
 * rollout moves every 30 s at most: a stream would buy nothing) and puts the new counts, bars,
 * states and failed boxes where the page marked them. Every word comes from the server, already in
 * the page's language. No innerHTML. A rollout created since the page loaded shows at the next visit.
 */
import type { RolloutLive, RolloutsLive } from '../../rollout-live-schema.ts';

const main = document.querySelector<HTMLElement>('main[data-rollouts]');
const EVERY_MS = 5000;

function setText(selector: string, text: string) {
  for (const el of document.querySelectorAll<HTMLElement>(selector)) if (el.textContent !== text) el.textContent = text;
}

const pct = (n: number, of: number) => (of > 0 ? `${Math.round((n * 1000) / of) / 10}%` : '0%');

function apply(r: RolloutLive) {
  for (const el of document.querySelectorAll<HTMLElement>(`[data-rollout-state="${r.id}"]`)) {
    el.textContent = r.stateWord;
    el.dataset.state = r.state;
    el.className = `st-${r.state}`;
  }
  setText(`[data-rollout-summary="${r.id}"]`, r.summary);
  for (const form of document.querySelectorAll<HTMLElement>(`[data-when-state^="${r.id}:"]`)) form.hidden = form.dataset.whenState !== `${r.id}:${r.state}`;
  for (const x of r.waves) {
    const key = `${r.id}:${x.wave}`;
    setText(`[data-wave-text="${key}"]`, x.text);
    setText(`[data-wave-withdrawn="${key}"]`, x.withdrawnText);
    for (const bar of document.querySelectorAll<HTMLElement>(`[data-wave-bar="${key}"]`)) {
      const [ok, fail, wait] = Array.from(bar.children) as HTMLElement[];
      ok.style.width = pct(x.updated, x.assigned);
      fail.style.width = pct(x.failed, x.assigned);
      wait.style.width = pct(x.pending, x.assigned);
    }
  }
  for (const list of document.querySelectorAll<HTMLElement>(`[data-failed="${r.id}"]`)) {
    const shown = Array.from(list.querySelectorAll('a')).map((a) => a.textContent);
    if (shown.join(' ') === r.failedBoxes.join(' ') && (shown.length || list.children.length)) continue;
    while (list.firstChild) list.removeChild(list.firstChild);
    const items = r.failedBoxes.length ? r.failedBoxes : [null];
    for (const b of items) {
      const li = document.createElement('li');
      if (b === null) li.textContent = list.dataset.none ?? '';
      else {
        const a = document.createElement('a');
        a.href = `/fleet/boxes/${encodeURIComponent(b)}`;
        a.textContent = b;
        li.appendChild(a);
      }
      list.appendChild(li);
    }
  }
}

async function poll() {
  try {
    const res = await fetch(`/api/fleet/rollouts?lang=${encodeURIComponent(main?.dataset.lang ?? 'id')}`, { headers: { accept: 'application/json' }, credentials: 'same-origin' });
    if (res.ok) for (const r of ((await res.json()) as RolloutsLive).rollouts) apply(r);
  } catch {
    // The hub is out of reach for now: the page keeps what it shows, the next poll tries again.
  }
  setTimeout(poll, EVERY_MS);
}

if (main) setTimeout(poll, EVERY_MS);
