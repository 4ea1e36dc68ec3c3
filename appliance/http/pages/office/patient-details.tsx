import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../../env.ts';
import { words, format, type Words, type WordKey } from '../../../words/index.ts';
import { actorOf } from '../../access.ts';
import { getPatient } from '../../../clinic/patients.ts';
import { mergedInto, patientChanges, type PatientChange } from '../../../clinic/patient-changes.ts';
import { auditLabel } from '../../audit-labels.ts';
import { MessagePage, render } from '../layout.tsx';
import { page } from '../guard.tsx';
import { pageCss } from '../bundles.ts';
import { StaffLayout } from '../staff/layout.tsx';
import type { PageWords, PatientDetailsWord } from '../../../words/page-words.ts';
import type { Role } from '../../../clinic/staff.ts';

const officeCss = pageCss('office');
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Who keeps the records (README's access table): everyone at the desk edits; the desk (and the admin covering it) merges. */
const editors: Role[] = ['nurse', 'doctor', 'admin', 'midwife'];
const mergers: Role[] = ['nurse', 'admin'];
const fieldWord: Record<string, WordKey> = {
  fullName: 'fullName',
  nik: 'field_nik',
  jknNumber: 'jknCardNumber',
  sex: 'sex',
  birthDate: 'field_birthDate',
  phone: 'field_phone',
  address: 'field_address',
  registeredHere: 'field_registeredHere',
};

const pageStrings = (w: Words): PageWords<PatientDetailsWord> => ({
  pat_none: w.pat_none,
  pat_saved: w.pat_saved,
  pat_nothingChanged: w.pat_nothingChanged,
  choose: w.choose,
  pat_keepWhich: w.pat_keepWhich,
  pat_keepThis: w.pat_keepThis,
  pat_keepOther: w.pat_keepOther,
  pat_mergeConfirm: w.pat_mergeConfirm,
  pat_mergeDo: w.pat_mergeDo,
  pat_open: w.pat_open,
  born: w.born,
  cancel: w.cancel,
});

function SearchForm({ w }: { w: Words }) {
  return (
    <form id="pat-search" class="row" role="search" data-testid="patient-search-form">
      <label for="pat-q" class="grow" style="margin:0">
        {w.pat_searchLabel}
        <input id="pat-q" name="q" type="search" autocomplete="off" style="width:100%" data-testid="patient-search" />
      </label>
      <button type="submit" style="align-self:flex-end">
        {w.pat_search}
      </button>
    </form>
  );
}

/**
 * /staff/pasien: find a patient; /staff/pasien/:id: edit their details, merge a duplicate (choose
 * the record to keep, confirm), and read who changed the record (registration, edits by field
 * name, merges). The record is read on the server (audited as any read); browser/pasien.ts sends
 * the changes and runs the search and the merge.
 */
export function registerPatientDetailsPages(app: OpenAPIHono<AppEnv>) {
  page(app, '/staff/pasien', editors, (c) => {
    const w = words(c.get('lang'));
    return render(
      c,
      <StaffLayout c={c} title={w.pat_title} scripts={['pasien']} strings={pageStrings(w)} extraCss={officeCss} data={{ patient: null }}>
        <main>
          <h1>{w.pat_title}</h1>
          <section class="card">
            <SearchForm w={w} />
            <ul id="pat-results" class="results" data-testid="patient-results" aria-live="polite"></ul>
          </section>
        </main>
      </StaffLayout>,
    );
  });

  page(app, '/staff/pasien/:id', editors, async (c) => {
    const lang = c.get('lang');
    const w = words(lang);
    const id = c.req.param('id') ?? '';
    const { db } = c.get('deps');
    if (!uuid.test(id)) return render(c, <MessagePage c={c} variant="tablet" title={w.pat_title} text={w.pat_none} testid="patient-missing" />, 404);
    const kept = await mergedInto(db, id);
    if (kept) return c.redirect(`/staff/pasien/${kept}?digabung=1`, 302);
    let patient;
    try {
      patient = await getPatient(db, actorOf(c), id);
    } catch {
      return render(c, <MessagePage c={c} variant="tablet" title={w.pat_title} text={w.pat_none} testid="patient-missing" />, 404);
    }
    const role = c.get('session')!.actor.role;
    const changes = await patientChanges(db, id);
    const merged = c.req.query('merged') === '1';
    const wasMerged = c.req.query('digabung') === '1';
    const v = (x: string | null) => x ?? '';
    return render(
      c,
      <StaffLayout c={c} title={`${w.pat_title}: ${patient.fullName}`} scripts={['pasien']} strings={pageStrings(w)} extraCss={officeCss} data={{ patient }}>
        <main>
          <p class="noprint">
            <a href="/staff/pasien">‹ {w.pat_title}</a>
          </p>
          <h1 data-testid="patient-name">{patient.fullName}</h1>
          {merged ? (
            <p class="msg ok" role="status" data-testid="patient-merged">
              {w.pat_merged}
            </p>
          ) : null}
          {wasMerged ? (
            <p class="msg info" role="status" data-testid="patient-was-merged">
              {w.pat_wasMerged}
            </p>
          ) : null}
          <section class="card">
            <h2 style="margin-top:0">{w.pat_edit}</h2>
            <form id="pat-form" class="filters" data-testid="patient-form" novalidate>
              <Field name="fullName" label={w.fullName} value={patient.fullName} autocomplete="off" />
              <Field name="nik" label={w.field_nik} value={v(patient.nik)} inputmode="numeric" />
              <Field name="jknNumber" label={w.jknCardNumber} value={v(patient.jknNumber)} inputmode="numeric" />
              <div>
                <label for="f-sex">{w.sex}</label>
                <select id="f-sex" name="sex" data-testid="patient-sex">
                  <option value="L" selected={patient.sex === 'L'}>
                    {w.male}
                  </option>
                  <option value="P" selected={patient.sex === 'P'}>
                    {w.female}
                  </option>
                </select>
              </div>
              <Field name="birthDate" label={w.field_birthDate} value={patient.birthDate} type="date" />
              <Field name="phone" label={w.field_phone} value={v(patient.phone)} inputmode="tel" />
              <Field name="address" label={w.field_address} value={v(patient.address)} />
              <div>
                <button type="submit" data-testid="patient-save">
                  {w.save}
                </button>
              </div>
            </form>
            <div id="pat-msg" class="msg" role="status" data-testid="patient-msg" hidden></div>
          </section>
          {mergers.includes(role) ? (
            <section class="card" data-testid="merge">
              <h2 style="margin-top:0">{w.pat_mergeTitle}</h2>
              <p class="small">{w.pat_mergeIntro}</p>
              <SearchForm w={w} />
              <ul id="pat-results" class="results" data-testid="patient-results" aria-live="polite"></ul>
              <div id="merge-choice" data-testid="merge-choice" hidden></div>
              <div id="merge-msg" class="msg" role="alert" data-testid="merge-msg" hidden></div>
            </section>
          ) : null}
          <section class="card" data-testid="patient-changes">
            <h2 style="margin-top:0">{w.pat_changes}</h2>
            {changes.length ? (
              <div class="tbl-wrap" tabindex={0} role="region" aria-label={w.pat_changes}>
                <table>
                  <thead>
                    <tr>
                      <th>{w.when}</th>
                      <th>{w.staff}</th>
                      <th>{w.pat_what}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {changes.map((ch) => (
                      <ChangeRow w={w} ch={ch} id={id} lang={lang} tz={c.get('deps').settings.timeZone} />
                    ))}
                  </tbody>
                </table>
              </div>
            ) : (
              <p class="muted">{w.pat_changesNone}</p>
            )}
          </section>
        </main>
      </StaffLayout>,
    );
  });
}

function Field(p: { name: string; label: string; value: string; type?: string; inputmode?: 'numeric' | 'tel'; autocomplete?: string }) {
  return (
    <div>
      <label for={`f-${p.name}`}>{p.label}</label>
      <input
        id={`f-${p.name}`}
        name={p.name}
        type={p.type ?? 'text'}
        value={p.value}
        data-initial={p.value}
        inputmode={p.inputmode}
        autocomplete={p.autocomplete}
        aria-describedby={`e-${p.name}`}
        data-testid={`patient-${p.name}`}
      />
      <div class="field-err" id={`e-${p.name}`} data-for={p.name}></div>
    </div>
  );
}

function ChangeRow({ w, ch, id, lang, tz }: { w: Words; ch: PatientChange; id: string; lang: 'id' | 'en'; tz: string }) {
  const when = new Intl.DateTimeFormat(lang === 'en' ? 'en-GB' : 'id-ID', { timeZone: tz, dateStyle: 'medium', timeStyle: 'short' }).format(new Date(ch.at));
  let extra = '';
  if (ch.action === 'update' && ch.detail)
    extra = format(w.pat_fieldsChanged, {
      fields: ch.detail
        .split(',')
        .map((f) => (fieldWord[f] ? w[fieldWord[f]] : f))
        .join(', '),
    });
  else if (ch.action === 'merge' && ch.mergedName) extra = format(w.pat_mergedFrom, { name: ch.mergedName });
  else if (ch.patientId !== id && ch.patientName) extra = format(w.pat_mergedFrom, { name: ch.patientName });
  return (
    <tr data-testid={`change-${ch.action}`}>
      <td class="small">{when}</td>
      <td>{ch.staffName ?? '—'}</td>
      <td>
        {auditLabel(ch.action, 'patient', lang).text}
        {extra ? <span class="small muted"> — {extra}</span> : null}
      </td>
    </tr>
  );
}
