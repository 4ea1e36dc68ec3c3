import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../../env.ts';
import { words, type WordKey } from '../../../words/index.ts';
import { listStaff } from '../../../clinic/staff.ts';
import { render } from '../layout.tsx';
import { page } from '../guard.tsx';
import { pageCss } from '../bundles.ts';
import { StaffLayout } from '../staff/layout.tsx';
import type { AuditWord, PageWords } from '../../../words/page-words.ts';
import { PagedTable } from '../paged-table.tsx';

const officeCss = pageCss('office');

/** The kinds of data the trail can be narrowed to, with their words. */
const entities: [string, WordKey][] = [
  ['patient', 'aud_entity_patient'],
  ['patient_history', 'aud_entity_patient_history'],
  ['queue_ticket', 'field_ticketId'],
  ['encounter', 'field_encounterId'],
  ['triage', 'aud_entity_triage'],
  ['prescription', 'prescription'],
  ['referral', 'referral'],
  ['consent', 'aud_entity_consent'],
  ['allergy', 'aud_entity_allergy'],
  ['staff', 'aud_entity_staff'],
  ['report', 'rep_title'],
];

/**
 * /staff/audit (admin): "who opened this patient's record". The patient is found as the desk finds
 * one (name, NIK, JKN number); rows name the staff member and the patient with the action in words
 * (http/audit-labels.ts, via the API's actionText); a start after the end is said next to the field.
 */
export function registerAuditPage(app: OpenAPIHono<AppEnv>) {
  page(app, '/staff/audit', ['admin'], async (c) => {
    const w = words(c.get('lang'));
    const staff = await listStaff(c.get('deps').db);
    return render(
      c,
      <StaffLayout
        c={c}
        title={w.aud_title}
        scripts={['audit']}
        strings={{ auditRangeReversed: w.auditRangeReversed, aud_patientShort: w.aud_patientShort } satisfies PageWords<AuditWord>}
        extraCss={officeCss}
      >
        <main>
          <h1>{w.aud_title}</h1>
          <p class="muted">{w.aud_intro}</p>
          <section class="card" data-testid="audit">
            <h2 style="margin-top:0">{w.auditLogAccessToPatients}</h2>
            <form id="audit-form" class="filters" data-testid="audit-filters" novalidate>
              <div>
                <label for="a-patient">{w.aud_patient}</label>
                <input id="a-patient" name="patient" type="search" autocomplete="off" data-testid="audit-patient" aria-describedby="e-patient" />
                <div class="field-err" id="e-patient" data-for="patient"></div>
              </div>
              <div>
                <label for="a-staff">{w.staff}</label>
                <select id="a-staff" name="staffId" data-testid="audit-staff">
                  <option value="">{w.all}</option>
                  {staff.map((s) => (
                    <option value={s.id}>
                      {s.fullName} ({s.username})
                    </option>
                  ))}
                </select>
              </div>
              <div>
                <label for="a-entity">{w.dataKind}</label>
                <select id="a-entity" name="entity" data-testid="audit-entity">
                  <option value="">{w.all}</option>
                  {entities.map(([value, word]) => (
                    <option value={value}>{w[word]}</option>
                  ))}
                </select>
              </div>
              <div>
                <label for="a-from">{w.from}</label>
                <input id="a-from" name="from" type="date" data-testid="audit-from" aria-describedby="e-from" />
                <div class="field-err" id="e-from" data-for="from" data-testid="audit-from-error"></div>
              </div>
              <div>
                <label for="a-to">{w.to}</label>
                <input id="a-to" name="to" type="date" data-testid="audit-to" aria-describedby="e-to" />
                <div class="field-err" id="e-to" data-for="to"></div>
              </div>
              <div>
                <button type="submit" data-testid="audit-apply">
                  {w.apply}
                </button>
              </div>
            </form>
            <div id="audit-error" class="msg err" role="alert" data-testid="audit-error" hidden></div>
            <PagedTable
              testid="audit-table"
              headings={[w.when, w.staff, w.action, w.patient, w.device]}
              bodyId="audit-rows"
              label={w.aud_title}
              pager={{ prevId: 'audit-prev', prevTestid: 'audit-prev', pageId: 'audit-page', nextId: 'audit-next', nextTestid: 'audit-next' }}
            />
          </section>
        </main>
      </StaffLayout>,
    );
  });
}
