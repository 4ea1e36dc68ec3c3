/**
 * One box: its state, its health now (the last report), charts of its last 48 hours (uPlot, served
 * by the hub; drawn by fleet.js from /api/fleet/boxes/:id/history), its alerts, its remote jobs and
 * a button asking it for a backup (the jobs form). Complete without script but for the charts;
 * fleet.js keeps state and health live.
 */
import type { AlertRow } from '../../alerts/engine.ts';
import type { BoxDetail } from '../../fleet-state/box-detail.ts';
import type { BoxJob } from '../../jobs/jobs.ts';
import type { Principal } from '../access.ts';
import { boxLiveOf, shownTime } from '../fleet-views.ts';
import { hubWords, type HubLang } from '../words.ts';
import { fleetCss, LiveMarker } from './fleet-overview.tsx';
import { hubAssetUrl } from './hub-assets.ts';
import { HubLayout } from './layout.tsx';
import { OperatorNav } from './operator-nav.tsx';

export interface FleetBoxPageProps {
  lang: HubLang;
  who: Principal;
  box: BoxDetail;
  alerts: AlertRow[];
  jobs: BoxJob[];
  nowMs: number;
}

export function FleetBoxPage({ lang, who, box, alerts, jobs, nowMs }: FleetBoxPageProps) {
  const w = hubWords[lang];
  const live = boxLiveOf(box, alerts.filter((a) => a.state === 'firing').length, lang, nowMs);
  const charts = [
    ['backlog', w.chartBacklog],
    ['disk', w.chartDisk],
    ['mem', w.chartMemory],
  ] as const;
  return (
    <HubLayout
      lang={lang}
      path={`/fleet/boxes/${box.id}`}
      title={w.boxTitle(box.id)}
      nav={<OperatorNav lang={lang} who={who} />}
      scripts={[hubAssetUrl('uplot.js'), hubAssetUrl('fleet.js')]}
      styles={[hubAssetUrl('uplot.css')]}
    >
      <style dangerouslySetInnerHTML={{ __html: fleetCss }} />
      <main data-fleet="box" data-box={box.id}>
        <p>
          {box.regionCode ? <a href={`/fleet?region=${box.regionCode}`}>{`${box.regionCode}${box.regionName ? ` ${box.regionName}` : ''}`}</a> : '—'} › {box.facilityCode}{' '}
          {box.name}
        </p>
        <p>
          <b class={`st-${live.state}`} data-box-state={box.id} data-state={live.state} data-testid="box-state">
            {live.stateWord}
          </b>{' '}
          <small data-box-reason={box.id}>{live.reason}</small> · {w.colSince} <span data-box-since={box.id}>{live.since}</span> ·{' '}
          <b data-live-text="alerts">{live.alertsFiring}</b> <LiveMarker lang={lang} />
        </p>
        <h2>{w.healthNow}</h2>
        <table data-testid="health">
          {live.health.map((h) => (
            <tr>
              <th>{h.label}</th>
              <td data-health={h.key} class={h.warn ? 'warn' : ''}>
                {h.value}
              </td>
            </tr>
          ))}
        </table>
        {box.lastStatus ? null : <p>{w.noReportYet}</p>}
        <h2>{w.historyTitle}</h2>
        <noscript>
          <p>{w.chartsNeedScript}</p>
        </noscript>
        {charts.map(([key, label]) => (
          <figure class="chart" data-chart={key} data-label={label} data-testid={`chart-${key}`}>
            <figcaption>{label}</figcaption>
          </figure>
        ))}
        <h2>{w.alertsTitle}</h2>
        {alerts.length ? (
          <table data-testid="box-alerts">
            <tr>
              <th>{w.colRule}</th>
              <th>{w.colSummary}</th>
              <th>{w.colState}</th>
              <th>{w.colSince}</th>
            </tr>
            {alerts.map((a) => (
              <tr>
                <td>{a.rule}</td>
                <td>{a.summary}</td>
                <td class={a.state === 'firing' ? 'warn' : ''}>
                  {w.alertStates[a.state]}
                  {a.silenced ? ` (${w.silenced})` : ''}
                </td>
                <td>{shownTime(a.startsAt)}</td>
              </tr>
            ))}
          </table>
        ) : (
          <p>{w.noAlert}</p>
        )}
        <h2>{w.boxJobsTitle}</h2>
        {box.state === 'revoked' ? null : (
          <form method="post" action="/jobs" data-testid="ask-backup">
            <input type="hidden" name="csrf" value={who.csrf ?? ''} />
            <input type="hidden" name="action" value="backup" />
            <input type="hidden" name="targetKind" value="device" />
            <input type="hidden" name="targetValue" value={box.id} />
            <input type="hidden" name="expiresInMinutes" value="1440" />
            <button type="submit">{w.askBackup}</button>
          </form>
        )}
        {jobs.length ? (
          <table data-testid="box-jobs">
            <tr>
              <th>{w.colJob}</th>
              <th>{w.colBy}</th>
              <th>{w.colCreated}</th>
              <th>{w.colStatus}</th>
            </tr>
            {jobs.map((j) => (
              <tr>
                <td>
                  <a href={`/jobs?id=${j.id}`}>{w.jobActions[j.action.action]}</a>
                </td>
                <td>{j.createdBy}</td>
                <td>{shownTime(j.createdAt)}</td>
                <td class={`state ${j.state}`} data-job-state={j.state}>
                  {w.jobStates[j.state]}
                  {j.error ? ` — ${j.error}` : ''}
                </td>
              </tr>
            ))}
          </table>
        ) : (
          <p>{w.noJobYet}</p>
        )}
      </main>
    </HubLayout>
  );
}
