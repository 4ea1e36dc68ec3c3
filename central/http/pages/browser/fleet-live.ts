/**
 * The fleet console's live updates (bundled by esbuild into /assets/fleet.js; see ../hub-assets.ts).
 * The page is complete as the server sent it; this only listens to the hub's server-sent events
 * and puts the new text where the page marked it (data-count, data-box-state, data-health…), and
 * on a box's page draws its last 48 hours with uPlot (/assets/uplot.js, loaded before this).
 * Every word comes from the server, already in the page's language. No innerHTML.
 */
import type uPlotClass from 'uplot';
import type { BoxLive, HistoryResponse, OverviewLive } from '../../fleet-live-schema.ts';

declare const uPlot: typeof uPlotClass | undefined;

const main = document.querySelector<HTMLElement>('main[data-fleet]');
const marker = document.querySelector<HTMLElement>('[data-testid=live]');

function setText(selector: string, text: string) {
  for (const el of document.querySelectorAll<HTMLElement>(selector)) if (el.textContent !== text) el.textContent = text;
}

function showLive(state: 'connecting' | 'on' | 'off') {
  if (!marker) return;
  marker.dataset.live = state;
  marker.textContent = marker.dataset[state] ?? '';
}

function showState(id: string, state: string, word: string, reason: string) {
  for (const el of document.querySelectorAll<HTMLElement>(`[data-box-state="${id}"]`)) {
    el.textContent = word;
    el.dataset.state = state;
    el.className = el.className.replace(/\bst-\w+/, `st-${state}`);
  }
  setText(`[data-box-reason="${id}"]`, reason);
}

/** A child region that got its first box since the page loaded: a row like the others, in code order. */
function addRegionRow(r: OverviewLive['regions'][number]) {
  const total = document.querySelector<HTMLTableRowElement>('[data-testid=region-total]');
  if (!total || document.querySelector(`[data-region-row="${r.code}"]`)) return;
  const row = document.createElement('tr');
  row.dataset.testid = `region-${r.code || 'none'}`;
  row.dataset.regionRow = r.code;
  const name = row.insertCell();
  if (r.code) {
    const a = document.createElement('a');
    a.href = `/fleet?region=${encodeURIComponent(r.code)}`;
    a.textContent = r.label;
    name.append(a);
  } else name.textContent = r.label;
  // The same count columns as the total row: `total:<state>` becomes `<region>:<state>`.
  for (const cell of total.querySelectorAll<HTMLElement>('[data-count]')) {
    const td = row.insertCell();
    td.className = 'n';
    td.dataset.count = `${r.code}:${(cell.dataset.count ?? '').slice('total:'.length)}`;
    td.textContent = '0';
  }
  const after = [...document.querySelectorAll<HTMLElement>('[data-region-row]')].find((e) => (e.dataset.regionRow ?? '') > r.code);
  (after ?? total).before(row);
}

/** A box enrolled in this district since the page loaded: a row like the others, where the server's order puts it. */
function addBoxRow(b: OverviewLive['boxes'][number], previous: Element | null) {
  const table = document.querySelector<HTMLTableElement>('[data-testid=fleet-boxes]');
  if (!table) return null;
  const row = document.createElement('tr');
  row.dataset.testid = `fleet-box-${b.id}`;
  row.dataset.boxRow = b.id;
  const a = document.createElement('a');
  a.href = `/fleet/boxes/${encodeURIComponent(b.id)}`;
  a.textContent = b.id;
  row.insertCell().append(a);
  row.insertCell().textContent = b.facility;
  const state = document.createElement('span');
  state.dataset.boxState = b.id;
  state.className = `st-${b.state}`;
  const reason = document.createElement('small');
  reason.dataset.boxReason = b.id;
  row.insertCell().append(state, ' ', reason);
  row.insertCell().dataset.boxReport = b.id;
  (previous ?? table.rows[0]).after(row);
  table.hidden = false;
  const none = document.querySelector<HTMLElement>('[data-testid=no-box]');
  if (none) none.hidden = true;
  return row;
}

function applyOverview(o: OverviewLive) {
  for (const r of o.regions) addRegionRow(r);
  let previous: Element | null = null;
  for (const b of o.boxes) previous = document.querySelector(`[data-box-row="${b.id}"]`) ?? addBoxRow(b, previous);
  for (const [key, n] of Object.entries(o.counts)) setText(`[data-count="${key}"]`, String(n));
  setText('[data-live-text=alerts]', o.alertsFiring);
  for (const b of o.boxes) {
    showState(b.id, b.state, b.stateWord, b.reason);
    setText(`[data-box-report="${b.id}"]`, b.lastReportAt);
  }
}

const charts = new Map<string, uPlotClass>();

/** The box's last 48 hours, one small chart per figure (the x axis in the hub's seconds). */
async function drawHistory(id: string) {
  if (typeof uPlot === 'undefined') return;
  const res = await fetch(`/api/fleet/boxes/${encodeURIComponent(id)}/history?hours=48`, { credentials: 'same-origin', headers: { accept: 'application/json' } });
  if (!res.ok) return;
  const h = (await res.json()) as HistoryResponse;
  const t = h.points.map((p) => Date.parse(String(p.t)) / 1000);
  const series: Record<string, (number | null)[]> = {
    backlog: h.points.map((p) => p.pending),
    disk: h.points.map((p) => p.disk),
    mem: h.points.map((p) => p.mem),
  };
  for (const el of document.querySelectorAll<HTMLElement>('[data-chart]')) {
    const key = el.dataset.chart ?? '';
    const data: uPlotClass.AlignedData = [t, series[key] ?? []];
    const existing = charts.get(key);
    if (existing) {
      existing.setData(data);
      continue;
    }
    const width = Math.max(240, Math.min(el.clientWidth || 600, 900));
    charts.set(
      key,
      new uPlot(
        {
          width,
          height: 150,
          legend: { show: false },
          series: [{}, { label: el.dataset.label ?? key, stroke: '#1565c0', width: 1.5, spanGaps: false }],
        },
        data,
        el,
      ),
    );
  }
  if (main) main.dataset.charted = String(h.points.length);
}

function applyBox(b: BoxLive) {
  showState(b.id, b.state, b.stateWord, b.reason);
  setText(`[data-box-since="${b.id}"]`, b.since);
  setText('[data-live-text=alerts]', b.alertsFiring);
  for (const row of b.health) {
    const cell = document.querySelector<HTMLElement>(`[data-health="${row.key}"]`);
    if (!cell) continue;
    cell.textContent = row.value;
    cell.classList.toggle('warn', row.warn);
  }
}

function listen(url: string, event: string, apply: (data: unknown) => void) {
  if (typeof EventSource === 'undefined') return;
  showLive('connecting');
  const source = new EventSource(url);
  source.onopen = () => showLive('on');
  // EventSource reconnects by itself; the marker says so meanwhile.
  source.onerror = () => showLive('off');
  source.addEventListener(event, (e) => {
    showLive('on');
    apply(JSON.parse((e as MessageEvent<string>).data));
    if (main) main.dataset.updates = String(Number(main.dataset.updates ?? 0) + 1);
  });
  addEventListener('pagehide', () => source.close());
}

const lang = document.documentElement.lang === 'en' ? 'en' : 'id';
if (main?.dataset.fleet === 'overview') {
  listen(`/api/fleet/events?region=${encodeURIComponent(main.dataset.region ?? '')}&lang=${lang}`, 'overview', (d) => applyOverview(d as OverviewLive));
} else if (main?.dataset.fleet === 'box' && main.dataset.box) {
  const id = main.dataset.box;
  void drawHistory(id);
  listen(`/api/fleet/events?box=${encodeURIComponent(id)}&lang=${lang}`, 'box', (d) => {
    applyBox(d as BoxLive);
    void drawHistory(id);
  });
}
