/** Remote jobs: a form to make one, the newest jobs with their boxes' states, and one job's boxes with their results. */
import type { JobRun, JobState, JobSummary } from '../../jobs/jobs.ts';
import { jobStates } from '../../jobs/jobs.ts';
import type { Principal } from '../access.ts';
import { hubWords, type HubLang } from '../words.ts';
import { HubLayout } from './layout.tsx';
import { OperatorNav } from './operator-nav.tsx';

function States({ lang, states }: { lang: HubLang; states: Partial<Record<JobState, number>> }) {
  const w = hubWords[lang];
  return (
    <>
      {jobStates
        .filter((s) => states[s])
        .map((s) => (
          <span class={`state ${s}`} data-state={s}>
            {w.jobStates[s]}: {states[s]}{' '}
          </span>
        ))}
    </>
  );
}

/** A result in a line or two: its fields as key=value (a diagnostics bundle's log lines counted, not shown whole). */
function ResultText({ run }: { run: JobRun }) {
  if (run.error) return <span class="warn">{run.error}</span>;
  if (!run.result) return <>—</>;
  const parts = Object.entries(run.result).map(([k, v]) =>
    Array.isArray(v) ? `${k}: ${v.length}` : v && typeof v === 'object' ? `${k}: ${JSON.stringify(v)}` : `${k}=${String(v)}`,
  );
  return <span data-testid={`result-${run.deviceId}`}>{parts.join(', ')}</span>;
}

export interface JobsPageProps {
  lang: HubLang;
  who: Principal;
  jobs: JobSummary[];
  detail: (JobSummary & { runs: JobRun[] }) | null;
  error?: string;
}

export function JobsPage({ lang, who, jobs, detail, error }: JobsPageProps) {
  const w = hubWords[lang];
  const actionName = (a: JobSummary['action']) =>
    w.jobActions[a.action] +
    (a.action === 'sync_settings'
      ? ` (${[a.bandwidthKbps !== undefined ? `${a.bandwidthKbps} kbit/s` : '', a.nightWindow !== undefined ? (a.nightWindow ?? '—') : ''].filter(Boolean).join(', ')})`
      : '');
  return (
    <HubLayout lang={lang} path="/jobs" title={w.jobsTitle} nav={<OperatorNav lang={lang} who={who} />}>
      {error ? (
        <p class="warn" role="alert" data-testid="job-error">
          {error}
        </p>
      ) : null}
      {detail ? (
        <section data-testid="job-detail">
          <h2>
            {actionName(detail.action)} — {detail.target}
          </h2>
          <p>
            <States lang={lang} states={detail.states} />
          </p>
          <table>
            <tr>
              <th>{w.colBox}</th>
              <th>{w.colRegion}</th>
              <th>{w.colStatus}</th>
              <th>{w.colResult}</th>
              <th>{w.colUpdated}</th>
            </tr>
            {detail.runs.map((r) => (
              <tr data-testid={`run-${r.deviceId}`}>
                <td>
                  {r.deviceId} {r.name}
                </td>
                <td>{r.regionCode ?? '—'}</td>
                <td data-testid={`run-state-${r.deviceId}`} data-state={r.state}>
                  {w.jobStates[r.state]}
                </td>
                <td>
                  <ResultText run={r} />
                </td>
                <td>{r.updatedAt ?? '—'}</td>
              </tr>
            ))}
          </table>
        </section>
      ) : null}
      <details open={!detail}>
        <summary>{w.newJob}</summary>
        <form method="post" action="/jobs" class="stack" data-testid="job-form">
          <input type="hidden" name="csrf" value={who.csrf ?? ''} />
          <label>
            {w.jobAction}
            <select name="action">
              {(['backup', 'restart_relay', 'diagnostics', 'sync_settings'] as const).map((a) => (
                <option value={a}>{w.jobActions[a]}</option>
              ))}
            </select>
          </label>
          <label>
            {w.bandwidthKbps}
            <input name="bandwidthKbps" inputmode="numeric" maxlength={8} />
          </label>
          <label>
            {w.nightWindow}
            <input name="nightWindow" maxlength={11} placeholder="22:00-05:00" />
          </label>
          <label>
            {w.jobTargetKind}
            <select name="targetKind">
              {(['device', 'region', 'filter'] as const).map((t) => (
                <option value={t}>{w.jobTargets[t]}</option>
              ))}
            </select>
          </label>
          <label>
            {w.jobTargetValue}
            <input name="targetValue" required maxlength={63} />
          </label>
          <label>
            {w.expiresInMinutes}
            <input name="expiresInMinutes" inputmode="numeric" value="1440" maxlength={6} />
          </label>
          <button type="submit">{w.createJobButton}</button>
        </form>
      </details>
      <table>
        <tr>
          <th>{w.colJob}</th>
          <th>{w.colTarget}</th>
          <th>{w.colBy}</th>
          <th>{w.colCreated}</th>
          <th>{w.colExpires}</th>
          <th>{w.colStates}</th>
        </tr>
        {jobs.length ? (
          jobs.map((j) => (
            <tr data-testid={`job-${j.id}`}>
              <td>
                <a href={`/jobs?id=${j.id}`}>{actionName(j.action)}</a>
              </td>
              <td>{j.target}</td>
              <td>{j.createdBy}</td>
              <td>{j.createdAt}</td>
              <td>{j.expiresAt}</td>
              <td>
                <States lang={lang} states={j.states} />
              </td>
            </tr>
          ))
        ) : (
          <tr>
            <td colspan={6}>{w.noJobYet}</td>
          </tr>
        )}
      </table>
    </HubLayout>
  );
}
