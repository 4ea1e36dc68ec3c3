import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../../env.ts';
import { words } from '../../../words/index.ts';
import { render } from '../layout.tsx';
import { page } from '../guard.tsx';
import { StaffLayout } from './layout.tsx';
import { ReferenceDataCard } from '../reference-data.tsx';
import { referenceDataStatus } from '../../../clinic/reference-data.ts';
import type { AdminWord, PageWords } from '../../../words/page-words.ts';
import { PagedTable } from '../paged-table.tsx';

/** /staff/admin: outbox, link to the centre, links to the other admin pages (office/); browser/admin.ts fills the lists. */
export function registerAdminPage(app: OpenAPIHono<AppEnv>) {
  page(app, '/staff/admin', ['admin'], async (c) => {
    const lang = c.get('lang');
    const referenceData = await referenceDataStatus(c.get('deps').db);
    const w = words(lang);
    return render(
      c,
      <StaffLayout
        c={c}
        title="Admin"
        scripts={['admin']}
        strings={
          {
            created: w.created,
            active: w.active,
            inactive: w.inactive,
            never: w.never,
            delivered: w.delivered,
            pending: w.pending,
            parked: w.parked,
            connected: w.connectedState,
            syncOffline: w.syncOffline,
            notEnrolled: w.notEnrolled,
            resend: w.resend,
            lastError: w.lastError,
          } satisfies PageWords<AdminWord>
        }
      >
        <main>
          <h1>Admin</h1>
          <ReferenceDataCard lang={lang} s={referenceData} />
          <section class="card" data-testid="outbox">
            <h2 style="margin-top:0">{w.outboxWaitingToBeSent}</h2>
            <div class="stats">
              <div>
                <div class="muted">{w.pendingHeader}</div>
                <div class="stat" id="ob-pending" data-testid="outbox-pending">
                  …
                </div>
              </div>
              <div>
                <div class="muted">{w.oldestPending}</div>
                <div class="stat" id="ob-oldest" data-testid="outbox-oldest" style="font-size:20px">
                  …
                </div>
              </div>
              <div>
                <div class="muted">{w.size}</div>
                <div class="stat" id="ob-bytes" data-testid="outbox-bytes">
                  …
                </div>
              </div>
              <div>
                <div class="muted">{w.totalRecorded}</div>
                <div class="stat" id="ob-total" data-testid="outbox-total">
                  …
                </div>
              </div>
            </div>
            <div id="ob-types" class="small muted"></div>
            <PagedTable
              testid="outbox-table"
              headings={['#', w.type, w.entity, w.createdHeader, w.status]}
              bodyId="ob-rows"
              pager={{ prevId: 'ob-prev', prevTestid: 'outbox-prev', pageId: 'ob-page', nextId: 'ob-next', nextTestid: 'outbox-next' }}
            />
          </section>

          <section class="card" data-testid="sync">
            <h2 style="margin-top:0">{w.linkToTheCentre}</h2>
            <div class="stats">
              <div>
                <div class="muted">{w.status}</div>
                <div class="stat" id="sy-state" data-testid="sync-state" style="font-size:20px">
                  …
                </div>
              </div>
              <div>
                <div class="muted">{w.lastSuccess}</div>
                <div class="stat" id="sy-last" data-testid="sync-last" style="font-size:20px">
                  …
                </div>
              </div>
              <div>
                <div class="muted">{w.parkedRefusedByTheCentre}</div>
                <div class="stat" id="sy-parked" data-testid="sync-parked">
                  …
                </div>
              </div>
            </div>
            <div id="sy-error" class="small" data-testid="sync-error"></div>
            <div class="tbl-wrap">
              <table data-testid="parked-table">
                <thead>
                  <tr>
                    <th>#</th>
                    <th>{w.type}</th>
                    <th>{w.reasonHeader}</th>
                    <th></th>
                  </tr>
                </thead>
                <tbody id="sy-rows"></tbody>
              </table>
            </div>
          </section>

          <section class="card" data-testid="admin-more">
            <h2 style="margin-top:0">{w.adm_morePages}</h2>
            <ul>
              <li>
                <a href="/staff/akun" data-testid="link-akun">
                  {w.staffAccounts}
                </a>
              </li>
              <li>
                <a href="/staff/audit" data-testid="link-audit">
                  {w.aud_title}
                </a>
              </li>
              <li>
                <a href="/staff/laporan" data-testid="link-laporan">
                  {w.rep_title}
                </a>
              </li>
              <li>
                <a href="/staff/pasien" data-testid="link-pasien">
                  {w.pat_title}
                </a>
              </li>
            </ul>
          </section>
        </main>
      </StaffLayout>,
    );
  });
}
