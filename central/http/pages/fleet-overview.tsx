/**
 * The fleet overview: boxes by state in each child region of the operator's region (the nation's
 * provinces, a province's kabupaten/kota), a district's boxes one by one, the totals and the
 * alerts firing. Server-rendered and complete without script; fleet.js keeps the numbers live
 * (server-sent events) where the page marks them (data-count, data-box-state, data-live).
 */
import type { FleetOverview } from '../../fleet-state/overview.ts';
import { BOX_STATES } from '../../fleet-state/box-list.ts';
import type { Principal } from '../access.ts';
import { overviewLiveOf } from '../fleet-views.ts';
import { hubWords, type HubLang } from '../words.ts';
import { hubAssetUrl } from './hub-assets.ts';
import { HubLayout } from './layout.tsx';
import { OperatorNav } from './operator-nav.tsx';

/** State colours and the live marker (inline: the hub's pages carry their own small styles). */
export const fleetCss =
  '.st-online{color:#060}.st-stale{color:#a60}.st-offline,.st-revoked{color:#a30}.st-never_seen{color:#555}td.n{text-align:right}[data-live=on]{color:#060}[data-live=off]{color:#a60}.chart{min-height:2rem;max-width:100%;overflow:hidden}';

export function LiveMarker({ lang }: { lang: HubLang }) {
  const w = hubWords[lang];
  // Without script the page is as of its loading: the marker says nothing until fleet.js runs.
  return <small data-testid="live" data-live="" data-on={w.liveOn} data-off={w.liveOff} data-connecting={w.liveConnecting} />;
}

export function FleetOverviewPage({ lang, who, overview }: { lang: HubLang; who: Principal; overview: FleetOverview }) {
  const w = hubWords[lang];
  const o = overview;
  const live = overviewLiveOf(o, lang);
  const here = o.region ? `${o.region}${o.name ? ` ${o.name}` : ''}` : w.fleetNation;
  const link = (code: string) => (code ? `/fleet?region=${code}` : '/fleet');
  const up =
    o.region.length > who.scope.length ? [...(who.scope === '' ? [{ code: '', name: w.fleetNation }] : []), ...o.parents.filter((p) => p.code.length >= who.scope.length)] : [];
  const count = (key: string) => (
    <td class="n" data-count={key}>
      {live.counts[key] ?? 0}
    </td>
  );
  return (
    <HubLayout
      lang={lang}
      path={o.region ? `/fleet?region=${o.region}` : '/fleet'}
      title={w.fleetTitle}
      nav={<OperatorNav lang={lang} who={who} />}
      scripts={[hubAssetUrl('fleet.js')]}
    >
      <style dangerouslySetInnerHTML={{ __html: fleetCss }} />
      <main data-fleet="overview" data-region={o.region}>
        <h2 data-testid="fleet-region">{here}</h2>
        <p>
          {up.map((p) => (
            <>
              <a href={link(p.code)} data-testid={`up-${p.code || 'nation'}`}>
                {p.code ? `${p.code}${p.name ? ` ${p.name}` : ''}` : p.name}
              </a>{' '}
              ›{' '}
            </>
          ))}
          <b data-testid="alerts-firing" data-live-text="alerts">
            {live.alertsFiring}
          </b>{' '}
          <LiveMarker lang={lang} />
        </p>
        <table data-testid="fleet-counts">
          <tr>
            <th>{w.colRegion}</th>
            {BOX_STATES.map((s) => (
              <th class={`n st-${s}`}>{w.boxStates[s]}</th>
            ))}
            <th class="n">{w.colTotal}</th>
          </tr>
          {live.regions.map((c) => (
            <tr data-testid={`region-${c.code || 'none'}`} data-region-row={c.code}>
              <td>{c.code ? <a href={link(c.code)}>{c.label}</a> : c.label}</td>
              {BOX_STATES.map((s) => count(`${c.code}:${s}`))}
              {count(`${c.code}:total`)}
            </tr>
          ))}
          <tr data-testid="region-total">
            <th>{w.colTotal}</th>
            {BOX_STATES.map((s) => count(`total:${s}`))}
            {count('total:total')}
          </tr>
        </table>
        {o.region.length === 4 ? (
          <>
            {/* Both are sent: fleet.js adds a box enrolled since the page loaded, and shows the table then. */}
            <table data-testid="fleet-boxes" hidden={!live.boxes.length}>
              <tr>
                <th>{w.colBox}</th>
                <th>{w.colFacility}</th>
                <th>{w.colState}</th>
                <th>{w.colLastReport}</th>
              </tr>
              {live.boxes.map((b) => (
                <tr data-testid={`fleet-box-${b.id}`} data-box-row={b.id}>
                  <td>
                    <a href={`/fleet/boxes/${b.id}`}>{b.id}</a>
                  </td>
                  <td>{b.facility}</td>
                  <td>
                    <span class={`st-${b.state}`} data-box-state={b.id} data-state={b.state}>
                      {b.stateWord}
                    </span>{' '}
                    <small data-box-reason={b.id}>{b.reason}</small>
                  </td>
                  <td data-box-report={b.id}>{b.lastReportAt}</td>
                </tr>
              ))}
            </table>
            <p data-testid="no-box" hidden={live.boxes.length > 0}>
              {w.noBoxHere}
            </p>
          </>
        ) : null}
      </main>
    </HubLayout>
  );
}
