import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../../env.ts';
import { words } from '../../../words/index.ts';
import { render } from '../layout.tsx';
import { page } from '../guard.tsx';
import { StaffLayout } from './layout.tsx';
import { ReferenceDataCard } from '../reference-data.tsx';
import { referenceDataStatus } from '../../../clinic/reference-data.ts';
import type { AdminWord, PageWords } from '../../../words/page-words.ts';

/** /staff/admin: outbox, link to the centre, audit log, staff accounts; browser/admin.ts fills the lists. */
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
            <div class="tbl-wrap">
              <table data-testid="outbox-table">
                <thead>
                  <tr>
                    <th>#</th>
                    <th>{w.type}</th>
                    <th>{w.entity}</th>
                    <th>{w.createdHeader}</th>
                    <th>{w.status}</th>
                  </tr>
                </thead>
                <tbody id="ob-rows"></tbody>
              </table>
            </div>
            <div class="pager">
              <button type="button" class="sec" id="ob-prev" data-testid="outbox-prev">
                ‹
              </button>
              <span id="ob-page"></span>
              <button type="button" class="sec" id="ob-next" data-testid="outbox-next">
                ›
              </button>
            </div>
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

          <section class="card" data-testid="audit">
            <h2 style="margin-top:0">{w.auditLogAccessToPatients}</h2>
            <form id="audit-form" class="filters" data-testid="audit-filters">
              <div>
                <label for="a-staff">{w.staff}</label>
                <select id="a-staff" name="staffId" data-testid="audit-staff">
                  <option value="">{w.all}</option>
                </select>
              </div>
              <div>
                <label for="a-entity">{w.dataKind}</label>
                <select id="a-entity" name="entity" data-testid="audit-entity">
                  <option value="">{w.all}</option>
                  {['patient', 'queue_ticket', 'encounter', 'prescription', 'referral', 'consent'].map((e) => (
                    <option value={e}>{e}</option>
                  ))}
                </select>
              </div>
              <div>
                <label for="a-patient">{w.patientId}</label>
                <input id="a-patient" name="patientId" data-testid="audit-patient" placeholder="uuid" />
              </div>
              <div>
                <label for="a-from">{w.from}</label>
                <input id="a-from" name="from" type="date" data-testid="audit-from" />
              </div>
              <div>
                <label for="a-to">{w.to}</label>
                <input id="a-to" name="to" type="date" data-testid="audit-to" />
              </div>
              <div>
                <button type="submit" data-testid="audit-apply">
                  {w.apply}
                </button>
              </div>
            </form>
            <div id="audit-error" class="msg err" role="alert" hidden></div>
            <div class="tbl-wrap">
              <table data-testid="audit-table">
                <thead>
                  <tr>
                    <th>{w.when}</th>
                    <th>{w.staff}</th>
                    <th>{w.action}</th>
                    <th>{w.entity}</th>
                    <th>{w.patient}</th>
                    <th>{w.device}</th>
                  </tr>
                </thead>
                <tbody id="audit-rows"></tbody>
              </table>
            </div>
            <div class="pager">
              <button type="button" class="sec" id="audit-prev" data-testid="audit-prev">
                ‹
              </button>
              <span id="audit-page"></span>
              <button type="button" class="sec" id="audit-next" data-testid="audit-next">
                ›
              </button>
            </div>
          </section>

          <section class="card" data-testid="staff-accounts">
            <h2 style="margin-top:0">{w.staffAccounts}</h2>
            <div class="tbl-wrap">
              <table data-testid="staff-table">
                <thead>
                  <tr>
                    <th>{w.username}</th>
                    <th>{w.name}</th>
                    <th>{w.role}</th>
                    <th>Status</th>
                  </tr>
                </thead>
                <tbody id="staff-rows"></tbody>
              </table>
            </div>
            <h2>{w.createAnAccount}</h2>
            <form id="staff-form" class="filters" data-testid="staff-create-form" novalidate>
              <div>
                <label for="s-username">{w.username}</label>
                <input id="s-username" name="username" autocapitalize="none" data-testid="staff-username" />
                <div class="field-err" data-for="username"></div>
              </div>
              <div>
                <label for="s-fullName">{w.fullName}</label>
                <input id="s-fullName" name="fullName" data-testid="staff-fullName" />
                <div class="field-err" data-for="fullName"></div>
              </div>
              <div>
                <label for="s-role">{w.role}</label>
                <select id="s-role" name="role" data-testid="staff-role">
                  <option value="nurse">{w.nurse}</option>
                  <option value="doctor">{w.doctor}</option>
                  <option value="pharmacist">{w.pharmacist}</option>
                  <option value="admin">Admin</option>
                </select>
              </div>
              <div>
                <label for="s-password">{w.passwordMin10}</label>
                <input id="s-password" name="password" type="password" autocomplete="new-password" data-testid="staff-password" />
                <div class="field-err" data-for="password"></div>
              </div>
              <div>
                <button type="submit" data-testid="staff-create">
                  {w.create}
                </button>
              </div>
            </form>
            <div id="staff-msg" class="msg" role="status" data-testid="staff-msg" hidden></div>
          </section>
        </main>
      </StaffLayout>,
    );
  });
}
