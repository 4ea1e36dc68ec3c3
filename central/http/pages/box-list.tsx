/** The box list: search and filters as a GET form (a link keeps them), sorted, paged; only the caller's region. */
import type { BoxListItem, BoxSearch } from '../../fleet/box-search.ts';
import type { Principal } from '../access.ts';
import { hubWords, type HubLang } from '../words.ts';
import { HubLayout } from './layout.tsx';
import { OperatorNav } from './operator-nav.tsx';

export function BoxListPage({ lang, who, search, total, boxes }: { lang: HubLang; who: Principal; search: BoxSearch; total: number; boxes: BoxListItem[] }) {
  const w = hubWords[lang];
  const pages = Math.max(1, Math.ceil(total / search.per));
  const link = (page: number) => {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries({ ...search, page, lang: undefined })) if (v !== undefined && v !== '') q.set(k, String(v));
    return `/boxes?${q}`;
  };
  return (
    <HubLayout lang={lang} path="/boxes" title={w.boxListTitle} nav={<OperatorNav lang={lang} who={who} />}>
      <form method="get" action="/boxes" data-testid="box-search">
        <input name="q" value={search.q ?? ''} placeholder={w.searchText} aria-label={w.searchText} maxlength={60} />
        <input name="region" value={search.region ?? ''} placeholder={w.regionFilter} aria-label={w.regionFilter} inputmode="numeric" maxlength={4} size={6} />
        <input name="facility" value={search.facility ?? ''} placeholder={w.facilityFilter} aria-label={w.facilityFilter} maxlength={20} size={10} />
        <select name="status" aria-label={w.statusFilter}>
          {(['active', 'revoked', 'all'] as const).map((s) => (
            <option value={s} selected={search.status === s}>
              {w.boxStatuses[s]}
            </option>
          ))}
        </select>
        <select name="sort" aria-label={w.sortBy}>
          {(['facility', 'id', 'lastSeen', 'region'] as const).map((s) => (
            <option value={s} selected={search.sort === s}>
              {w.sorts[s]}
            </option>
          ))}
        </select>
        <button type="submit">{w.searchButton}</button>
      </form>
      <p data-testid="box-count">
        {w.boxesFound(total)} · {w.pageOf(search.page, pages)}
      </p>
      <table>
        <tr>
          <th>{w.colBox}</th>
          <th>{w.colFacility}</th>
          <th>{w.colRegion}</th>
          <th>{w.colLastSeen}</th>
        </tr>
        {boxes.map((b) => (
          <tr data-testid={`box-${b.id}`}>
            <td>
              {b.id}
              {b.revokedAt ? (
                <>
                  {' '}
                  <span class="warn">{w.revoked}</span>
                </>
              ) : null}
            </td>
            <td>
              {b.facilityCode} {b.name}
            </td>
            <td>{b.regionCode ?? '—'}</td>
            <td>{b.lastSeenAt ?? w.never}</td>
          </tr>
        ))}
      </table>
      <p>
        {search.page > 1 ? (
          <a href={link(search.page - 1)} rel="prev">
            {w.previousPage}
          </a>
        ) : null}{' '}
        {search.page < pages ? (
          <a href={link(search.page + 1)} rel="next">
            {w.nextPage}
          </a>
        ) : null}
      </p>
    </HubLayout>
  );
}
