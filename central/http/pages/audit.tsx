/** The audit log of operator actions the reader may see (its region's), newest first, paged by sequence number. */
import type { AuditRow } from '../../audit/audit.ts';
import type { Principal } from '../access.ts';
import { hubWords, type HubLang } from '../words.ts';
import { HubLayout } from './layout.tsx';
import { OperatorNav } from './operator-nav.tsx';

export function AuditPage({ lang, who, rows, pageSize }: { lang: HubLang; who: Principal; rows: AuditRow[]; pageSize: number }) {
  const w = hubWords[lang];
  const last = rows.at(-1);
  return (
    <HubLayout lang={lang} path="/audit" title={w.auditTitle} nav={<OperatorNav lang={lang} who={who} />}>
      <table>
        <tr>
          <th>{w.colWhen}</th>
          <th>{w.colWho}</th>
          <th>{w.colWhere}</th>
          <th>{w.colWhat}</th>
          <th>{w.colTarget}</th>
          <th>{w.colRegion}</th>
          <th>{w.colResult}</th>
        </tr>
        {rows.length ? (
          rows.map((r) => (
            <tr data-testid={`audit-${r.seq}`}>
              <td>{r.at}</td>
              <td>
                {r.actor} ({r.role})
              </td>
              <td>{r.address}</td>
              <td>{r.action}</td>
              <td>{r.target}</td>
              <td>{r.region || '—'}</td>
              <td class={r.result === 'ok' ? '' : 'warn'}>
                {r.result}
                {r.detail
                  ? ` ${Object.entries(r.detail)
                      .map(([k, v]) => `${k}=${String(v)}`)
                      .join(' ')}`
                  : ''}
              </td>
            </tr>
          ))
        ) : (
          <tr>
            <td colspan={7}>{w.noAuditYet}</td>
          </tr>
        )}
      </table>
      {last && rows.length === pageSize ? (
        <p>
          <a href={`/audit?before=${last.seq}`}>{w.olderEntries}</a>
        </p>
      ) : null}
    </HubLayout>
  );
}
