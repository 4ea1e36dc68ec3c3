/** The status page: one row per enrolled box (facility, last contact, records held, its reported backlog). */
import { reportedStatus, type DeviceOverview } from '../schemas.ts';
import { hubWords, type HubLang } from '../words.ts';
import type { Principal } from '../access.ts';
import { HubLayout } from './layout.tsx';
import { OperatorNav } from './operator-nav.tsx';

function Backlog({ status, lang }: { status: DeviceOverview['lastStatus']; lang: HubLang }) {
  const w = hubWords[lang];
  const s = status ? reportedStatus.safeParse(status) : null;
  if (!s?.success) return <>—</>;
  const { pending, parked, oldestPendingAgeSeconds: oldest, lastError } = s.data;
  return (
    <>
      {w.backlog(pending ?? 0, parked ?? 0)}
      {oldest != null ? `, ${w.oldest(Math.round(oldest))}` : ''}
      {lastError ? (
        <>
          <br />
          <span class="warn">{lastError}</span>
        </>
      ) : null}
    </>
  );
}

export function BoxesPage({ lang, who, devices }: { lang: HubLang; who?: Principal; devices: DeviceOverview[] }) {
  const w = hubWords[lang];
  return (
    <HubLayout
      lang={lang}
      path="/"
      title={w.boxesTitle}
      nav={
        <>
          <OperatorNav lang={lang} who={who} />
          {who?.role === 'admin' ? <a href="/metrics">{w.metricsLink}</a> : null}
        </>
      }
    >
      <table>
        <tr>
          <th>{w.colBox}</th>
          <th>{w.colFacility}</th>
          <th>{w.colLastSeen}</th>
          <th>{w.colRecordsHeld}</th>
          <th>{w.colBacklog}</th>
          <th>{w.colWaitingForBox}</th>
        </tr>
        {devices.length ? (
          devices.map((x) => {
            const held = Object.entries(x.recordsByType);
            return (
              <tr data-testid={`device-${x.id}`}>
                <td>
                  {x.id}
                  {x.revokedAt ? (
                    <>
                      {' '}
                      <span class="warn">{w.revoked}</span>
                    </>
                  ) : null}
                </td>
                <td>
                  {x.facilityCode} {x.name}
                </td>
                <td>{x.lastSeenAt ?? w.never}</td>
                <td>
                  {held.length
                    ? held.map(([type, n], i) => (
                        <>
                          {i ? <br /> : null}
                          {type}: {n}
                        </>
                      ))
                    : '—'}
                </td>
                <td>
                  <Backlog status={x.lastStatus} lang={lang} />
                </td>
                <td>{x.downlinkPending}</td>
              </tr>
            );
          })
        ) : (
          <tr>
            <td colspan={6}>{w.noBoxYet}</td>
          </tr>
        )}
      </table>
    </HubLayout>
  );
}
