/**
 * Releases and rollouts: the registered releases, the rollouts touching the reader's region with a
 * progress bar per wave (updated / failed / pending of the boxes assigned) and the failed boxes
 * named, a form to start a rollout by cumulative waves, and one rollout's page with halt and
 * resume. Counts and boxes are the reader's region's (a national operator's: all). The forms are
 * shown only to whom may use them (access.ts); rollouts.js keeps the progress live by polling.
 */
import type { ReleaseListed } from '../../releases/releases.ts';
import type { RolloutProgress } from '../../releases/rollouts.ts';
import type { Principal } from '../access.ts';
import type { RolloutLive } from '../rollout-live-schema.ts';
import { describeFilter, rolloutLiveOf } from '../rollout-views.ts';
import { hubWords, type HubLang } from '../words.ts';
import { hubAssetUrl } from './hub-assets.ts';
import { HubLayout } from './layout.tsx';
import { OperatorNav } from './operator-nav.tsx';

/** Who may start, halt and resume a rollout (a rollout reaches every region its waves name): the nation's. */
export const mayRunRollouts = (who: Principal) => who.role === 'admin' || who.role === 'national';

export const rolloutCss =
  '[hidden]{display:none!important}.bar{display:flex;height:.9rem;background:#eee;border:1px solid #999;max-width:24rem;margin:.2rem 0}.bar span{display:block;height:100%}.bar .ok{background:#2a7a2a}.bar .fail{background:#b3261e}.bar .wait{background:#c9c9c9}.legend i{display:inline-block;width:.8rem;height:.8rem;margin:0 .2rem 0 .6rem;vertical-align:middle}.legend .ok{background:#2a7a2a}.legend .fail{background:#b3261e}.legend .wait{background:#c9c9c9;border:1px solid #999}.st-running{color:#060}.st-halted{color:#a30}.st-done{color:#333}.fielderr{color:#a30;font-size:.9rem}ul.failed{margin:.2rem 0;padding-left:1.2rem}.wave{margin:.4rem 0}';

const pct = (n: number, of: number) => (of > 0 ? `${Math.round((n * 1000) / of) / 10}%` : '0%');

function WaveBar({ rollout, wave }: { rollout: string; wave: RolloutLive['waves'][number] }) {
  const key = `${rollout}:${wave.wave}`;
  return (
    <div class="bar" aria-hidden="true" data-wave-bar={key}>
      <span class="ok" style={`width:${pct(wave.updated, wave.assigned)}`} />
      <span class="fail" style={`width:${pct(wave.failed, wave.assigned)}`} />
      <span class="wait" style={`width:${pct(wave.pending, wave.assigned)}`} />
    </div>
  );
}

function Legend({ lang }: { lang: HubLang }) {
  const w = hubWords[lang];
  return (
    <p class="legend" aria-hidden="true">
      <i class="ok" />
      {w.legendUpdated}
      <i class="fail" />
      {w.legendFailed}
      <i class="wait" />
      {w.legendPending}
    </p>
  );
}

function Waves({ lang, p, live }: { lang: HubLang; p: RolloutProgress; live: RolloutLive }) {
  const w = hubWords[lang];
  return (
    <>
      {live.waves.map((x) => (
        <div class="wave" data-testid={`wave-${p.id}-${x.wave}`}>
          <b>{w.waveTitle(x.wave + 1)}</b> — {describeFilter(p.waves[x.wave].filter, lang)}
          <WaveBar rollout={p.id} wave={x} />
          <span data-wave-text={`${p.id}:${x.wave}`}>{x.text}</span> <small data-wave-withdrawn={`${p.id}:${x.wave}`}>{x.withdrawnText}</small>
        </div>
      ))}
    </>
  );
}

function FailedBoxes({ lang, live }: { lang: HubLang; live: RolloutLive }) {
  return (
    <ul class="failed" data-failed={live.id} data-none={hubWords[lang].noFailedBox}>
      {live.failedBoxes.length ? (
        live.failedBoxes.map((b) => (
          <li>
            <a href={`/fleet/boxes/${b}`}>{b}</a>
          </li>
        ))
      ) : (
        <li>{hubWords[lang].noFailedBox}</li>
      )}
    </ul>
  );
}

function StateWord({ live }: { live: RolloutLive }) {
  return (
    <b class={`st-${live.state}`} data-rollout-state={live.id} data-state={live.state}>
      {live.stateWord}
    </b>
  );
}

/** The rollout form's fields as typed, and what is wrong with each (in the page's language). */
export interface RolloutFormState {
  values: Record<string, string>;
  errors: Record<string, string>;
  message?: string;
}

function Field({ name, label, form, hint, ...input }: { name: string; label: string; form: RolloutFormState; hint?: string } & Record<string, unknown>) {
  const err = form.errors[name];
  return (
    <label>
      {label}
      <input
        name={name}
        id={`f-${name}`}
        value={form.values[name] ?? ''}
        aria-invalid={err ? 'true' : undefined}
        aria-describedby={err ? `err-${name}` : undefined}
        placeholder={hint}
        {...input}
      />
      {err ? (
        <span class="fielderr" id={`err-${name}`} data-testid={`err-${name}`}>
          {err}
        </span>
      ) : null}
    </label>
  );
}

function RolloutForm({ lang, who, releases, form }: { lang: HubLang; who: Principal; releases: ReleaseListed[]; form: RolloutFormState }) {
  const w = hubWords[lang];
  return (
    <section>
      <h2>{w.newRollout}</h2>
      {form.message ? (
        <p class="warn" role="alert" data-testid="rollout-error">
          {form.message}
        </p>
      ) : null}
      <form method="post" action="/fleet/rollouts" class="stack" data-testid="rollout-form">
        <input type="hidden" name="csrf" value={who.csrf ?? ''} />
        <label>
          {w.fieldRelease}
          <select name="version" aria-invalid={form.errors.version ? 'true' : undefined} aria-describedby={form.errors.version ? 'err-version' : undefined}>
            {releases.map((r) => (
              <option value={r.version} selected={form.values.version === r.version}>
                {r.version}
              </option>
            ))}
          </select>
          {form.errors.version ? (
            <span class="fielderr" id="err-version" data-testid="err-version">
              {form.errors.version}
            </span>
          ) : null}
        </label>
        <Field name="region" label={w.fieldRegion} form={form} maxlength={4} inputmode="numeric" hint="53" />
        <Field name="tags" label={w.fieldTags} form={form} maxlength={400} hint="pilot" />
        <Field name="devices" label={w.fieldDevices} form={form} maxlength={4000} />
        <Field name="waves" label={w.fieldWaves} form={form} maxlength={200} hint="10, 50, 100" required />
        <Field name="maxFailures" label={w.fieldMaxFailures} form={form} maxlength={6} inputmode="numeric" />
        <Field name="maxFailurePercent" label={w.fieldMaxFailurePercent} form={form} maxlength={5} inputmode="decimal" />
        <button type="submit">{w.createRolloutButton}</button>
      </form>
    </section>
  );
}

export interface RolloutsPageProps {
  lang: HubLang;
  who: Principal;
  releases: ReleaseListed[];
  rollouts: RolloutProgress[];
  form: RolloutFormState;
}

export function RolloutsPage({ lang, who, releases, rollouts, form }: RolloutsPageProps) {
  const w = hubWords[lang];
  return (
    <HubLayout lang={lang} path="/fleet/rollouts" title={w.rolloutsTitle} nav={<OperatorNav lang={lang} who={who} />} scripts={[hubAssetUrl('rollouts.js')]}>
      <style dangerouslySetInnerHTML={{ __html: rolloutCss }} />
      <main data-rollouts="list" data-lang={lang}>
        {who.scope ? <p data-testid="regional-view">{w.regionalView(who.scope)}</p> : null}
        <h2>{w.rolloutsListTitle}</h2>
        <Legend lang={lang} />
        {/* Focusable: on a phone the table scrolls sideways (layout.tsx), and a keyboard must reach it. */}
        <table data-testid="rollouts" tabindex={0}>
          <tr>
            <th>{w.colRollout}</th>
            <th>{w.colState}</th>
            <th>{w.colWaves}</th>
            <th>{w.colFailedBoxes}</th>
          </tr>
          {rollouts.length ? (
            rollouts.map((p) => {
              const live = rolloutLiveOf(p, lang);
              return (
                <tr data-testid={`rollout-${p.id}`}>
                  <td>
                    <a href={`/fleet/rollouts/${p.id}`}>{p.version}</a>
                    <br />
                    <small>
                      {p.createdBy}, {p.createdAt}
                    </small>
                  </td>
                  <td>
                    <StateWord live={live} />
                    <br />
                    <small data-rollout-summary={p.id}>{live.summary}</small>
                  </td>
                  <td>
                    <Waves lang={lang} p={p} live={live} />
                  </td>
                  <td>
                    <FailedBoxes lang={lang} live={live} />
                  </td>
                </tr>
              );
            })
          ) : (
            <tr>
              <td colspan={4}>{w.noRolloutYet}</td>
            </tr>
          )}
        </table>
        <h2>{w.releasesTitle}</h2>
        <table data-testid="releases" tabindex={0}>
          <tr>
            <th>{w.colVersion}</th>
            <th>{w.colSize}</th>
            <th>{w.colRegistered}</th>
            <th>{w.colSignature}</th>
          </tr>
          {releases.length ? (
            releases.map((r) => (
              <tr data-testid={`release-${r.version}`}>
                <td>{r.version}</td>
                <td>{`${(r.bytes / 1_048_576).toFixed(1)} MB`}</td>
                <td>{r.registeredAt}</td>
                <td>
                  {w.signaturePresent} <small title="sha256">{r.sha256.slice(0, 12)}…</small>
                </td>
              </tr>
            ))
          ) : (
            <tr>
              <td colspan={4}>{w.noReleaseYet}</td>
            </tr>
          )}
        </table>
        {mayRunRollouts(who) ? releases.length ? <RolloutForm lang={lang} who={who} releases={releases} form={form} /> : null : <p>{w.onlyNationalActs}</p>}
      </main>
    </HubLayout>
  );
}

export interface RolloutPageProps {
  lang: HubLang;
  who: Principal;
  rollout: RolloutProgress;
  error?: string;
}

export function RolloutPage({ lang, who, rollout: p, error }: RolloutPageProps) {
  const w = hubWords[lang];
  const live = rolloutLiveOf(p, lang);
  return (
    <HubLayout
      lang={lang}
      path={`/fleet/rollouts/${p.id}`}
      title={`${w.colRollout} ${p.version}`}
      nav={<OperatorNav lang={lang} who={who} />}
      scripts={[hubAssetUrl('rollouts.js')]}
    >
      <style dangerouslySetInnerHTML={{ __html: rolloutCss }} />
      <main data-rollouts="one" data-rollout={p.id} data-lang={lang}>
        <p>
          <a href="/fleet/rollouts">← {w.rolloutsListTitle}</a>
        </p>
        {error ? (
          <p class="warn" role="alert" data-testid="rollout-error">
            {error}
          </p>
        ) : null}
        {who.scope ? <p data-testid="regional-view">{w.regionalView(who.scope)}</p> : null}
        <p>
          <StateWord live={live} /> <span data-rollout-summary={p.id}>{live.summary}</span>
        </p>
        <p>
          {p.createdBy}, {p.createdAt}. {w.thresholdText(p.maxFailures, p.maxFailurePercent === null ? '' : String(p.maxFailurePercent), p.acceptedFailures)}
        </p>
        <h2>{w.colWaves}</h2>
        <Legend lang={lang} />
        <Waves lang={lang} p={p} live={live} />
        <h2>{w.colFailedBoxes}</h2>
        <FailedBoxes lang={lang} live={live} />
        {/* Both forms when the reader may use them, the one that fits the state shown (rollouts.js swaps them when the state changes). */}
        {mayRunRollouts(who) && p.state !== 'done' ? (
          <form method="post" action={`/fleet/rollouts/${p.id}/halt`} class="stack" data-testid="halt-form" data-when-state={`${p.id}:running`} hidden={p.state !== 'running'}>
            <input type="hidden" name="csrf" value={who.csrf ?? ''} />
            <label>
              {w.haltReasonField}
              <input name="reason" maxlength={200} />
            </label>
            <button type="submit">{w.haltButton}</button>
          </form>
        ) : null}
        {mayRunRollouts(who) && p.state !== 'done' ? (
          <form method="post" action={`/fleet/rollouts/${p.id}/resume`} data-testid="resume-form" data-when-state={`${p.id}:halted`} hidden={p.state !== 'halted'}>
            <input type="hidden" name="csrf" value={who.csrf ?? ''} />
            <button type="submit">{w.resumeButton}</button>
          </form>
        ) : null}
      </main>
    </HubLayout>
  );
}
