import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../../env.ts';
import { words } from '../../../words/index.ts';
import { render } from '../layout.tsx';
import { page } from '../guard.tsx';
import { ticketStrings } from '../patient.tsx';
import { StaffLayout } from './layout.tsx';
import { ShortcutHint } from './shortcut-hint.tsx';
import type { AntreanWord, PageWords, TriageWord, WhoWord } from '../../../words/page-words.ts';
import { whoStrings } from '../clinical.tsx';
import { PagedTable } from '../paged-table.tsx';

/**
 * /staff/antrean: the desk and nurse board. The server renders the shell (poli tabs, forms); the
 * browser (browser/antrean.ts) draws the rows, since they change with every call.
 */
export function registerQueueBoard(app: OpenAPIHono<AppEnv>) {
  page(app, '/staff/antrean', ['nurse', 'doctor', 'midwife', 'admin'], (c) => {
    const lang = c.get('lang');
    const w = words(lang);
    const { settings } = c.get('deps');
    const role = c.get('session')!.actor.role;
    const canCall = role === 'nurse' || role === 'doctor';
    // The nurse's triage: the vitals she takes while the patient waits (the doctor sees them in the visit).
    const triageFields: [string, string][] = [
      ['systolic', w.systolicMmhg],
      ['diastolic', w.diastolicMmhg],
      ['pulse', w.pulseMin],
      ['respiratoryRate', w.respRateMin],
      ['temperature', w.tempC],
      ['spo2', 'SpO2 (%)'],
      ['weight', w.weightKg],
      ['height', w.heightCm],
    ];
    const canDesk = role === 'nurse' || role === 'admin';
    const ts = ticketStrings(lang);
    return render(
      c,
      <StaffLayout
        skipLink
        c={c}
        title={w.queue}
        scripts={['antrean']}
        data={{ polis: settings.polis, canCall, canDesk }}
        strings={
          {
            st_waiting: ts.st_waiting,
            st_called: ts.st_called,
            st_serving: ts.st_serving,
            st_done: ts.st_done,
            st_skipped: w.st_skipped,
            st_no_show: ts.st_no_show,
            call: w.call,
            recall: w.recall,
            skip: w.skip,
            noShow: w.noShow,
            finish: w.st_done,
            transfer: w.transfer,
            attach: w.attach,
            attached: w.attached,
            anon: w.anon,
            phone: 'HP',
            desk: w.desk,
            calledTo: w.calledTo,
            nobody: w.nobodyWaiting,
            done: w.done,
            transferTo: w.transferTo,
            cancel: w.cancel,
            confirmNoShow: w.confirmNoShow,
            pickFor: w.pickFor,
            pickWalkin: w.pickWalkin,
            choose: w.choose,
            noResults: w.noResults,
            nikBad: w.nikBad,
            jknBad: w.jknBad,
            idNeeded: w.idNeeded,
            registered: w.registered,
            exists: w.exists,
            useExisting: w.useExisting,
            walkinDone: w.walkinDone,
            selected: w.selected,
            clear: w.clear,
            waitingN: w.waitingN,
            calledN: w.calledN,
            doneN: w.doneN,
            born: w.born,
            nik_not_16_digits: w.nikBad,
            nik_unknown_province: w.nik_unknown_province,
            nik_invalid_region: w.nik_invalid_region,
            nik_invalid_birth_date: w.nik_invalid_birth_date,
            nik_invalid_serial: w.nik_invalid_serial,
            nik_sex_mismatch: w.nik_sex_mismatch,
            nik_birth_date_mismatch: w.nik_birth_date_mismatch,
            birth_future: w.birth_future,
            ...whoStrings(lang),
            vitals: w.triageVitals,
            triageFor: w.triageFor,
            triageSaved: w.triageSaved,
          } satisfies PageWords<AntreanWord | WhoWord | TriageWord>
        }
      >
        <main id="main" tabindex={-1}>
          <div class="board">
            <section>
              <div class="row" style="justify-content:space-between">
                <h1 style="margin:4px 0">{w.todaysQueue}</h1>
                <span id="conn" class="conn" data-testid="conn-state">
                  {w.connecting}
                </span>
              </div>
              <div class="tabs" role="tablist" id="tabs">
                {settings.polis.map((p, i) => (
                  <button type="button" role="tab" aria-selected={i === 0 ? 'true' : 'false'} data-poli={p.code} data-testid={`poli-tab-${p.code}`}>
                    {p.name}
                  </button>
                ))}
              </div>
              {canCall ? (
                <div class="bar card">
                  <label for="room" style="margin:0">
                    {w.roomLabel}
                  </label>
                  <select id="room" data-testid="room-select"></select>
                  <button type="button" id="call-next" class="big" style="width:auto;flex:1" data-testid="call-next" aria-keyshortcuts="n">
                    {w.callNext}
                  </button>
                </div>
              ) : null}
              {canCall || canDesk ? (
                <ShortcutHint lang={lang} keys={[...(canCall ? ([['N', w.shortcutCallNext]] as [string, string][]) : []), ['/', w.shortcutPatientSearch]]} />
              ) : null}
              <div id="board-msg" class="msg" data-testid="board-msg" role="status" hidden></div>
              <div class="bar">
                <div class="counts grow" id="counts" data-testid="queue-counts"></div>
                <label class="inline">
                  <input type="checkbox" id="show-all" data-testid="show-all" />
                  {w.showFinished}
                </label>
              </div>
              <PagedTable
                testid="ticket-table"
                headings={[w.number, w.status, w.patient, w.taken, w.actions]}
                bodyId="tickets"
                pager={{ prevId: 'prev', prevTestid: 'page-prev', pageId: 'pageno', nextId: 'next', nextTestid: 'page-next' }}
              />
            </section>
            <aside>
              {canCall ? (
                <section class="card" id="triage" data-testid="triage-card" hidden>
                  <h2 style="margin-top:0" id="triage-title"></h2>
                  <form id="triage-form" data-testid="triage-form" novalidate>
                    <div style="display:grid;grid-template-columns:repeat(auto-fill,minmax(130px,1fr));gap:8px">
                      {triageFields.map(([k, label]) => (
                        <div>
                          <label for={`tr-${k}`} style="margin:0;font-size:14px">
                            {label}
                          </label>
                          <input
                            id={`tr-${k}`}
                            name={k}
                            type="text"
                            inputmode="decimal"
                            autocomplete="off"
                            style="width:100%"
                            data-testid={`triage-${k}`}
                            aria-describedby={`tr-err-${k}`}
                          />
                          <div class="field-err" id={`tr-err-${k}`} data-for={k}></div>
                        </div>
                      ))}
                    </div>
                    <div id="triage-msg" class="msg" role="status" data-testid="triage-msg" hidden></div>
                    <p class="row">
                      <button type="submit" data-testid="triage-save">
                        {w.save}
                      </button>
                      <button type="button" class="sec" id="triage-cancel">
                        {w.cancel}
                      </button>
                    </p>
                  </form>
                </section>
              ) : null}
              {canDesk ? (
                <section class="card" id="walkin" data-testid="walkin">
                  <h2 style="margin-top:0">{w.walkInTicketAtThe}</h2>
                  <label for="walkin-poli">Poli</label>
                  <select id="walkin-poli" data-testid="walkin-poli" style="width:100%">
                    {settings.polis.map((p) => (
                      <option value={p.code}>{p.name}</option>
                    ))}
                  </select>
                  <div id="walkin-patient" class="small" data-testid="walkin-patient" style="margin-top:6px"></div>
                  <p>
                    <button type="button" id="walkin-submit" class="big" data-testid="walkin-submit">
                      {w.makeTicket}
                    </button>
                  </p>
                  <div id="walkin-result" data-testid="walkin-result" hidden style="text-align:center">
                    <div class="lbl" id="walkin-label" data-testid="walkin-label"></div>
                    <img id="walkin-qr" class="walkin-qr" data-testid="walkin-qr" alt="QR" />
                    <a id="walkin-link" data-testid="walkin-link" class="small" target="_blank" rel="noopener"></a>
                    {/* A patient without a phone: the printed ticket (number, poli, time, QR), printed at once. */}
                    <div>
                      <a id="walkin-print" data-testid="walkin-print" class="btn" target="_blank" rel="noopener" href="/staff/karcis">
                        {w.kar_print}
                      </a>
                    </div>
                  </div>
                </section>
              ) : null}
              {canCall || canDesk ? (
                <section class="card" id="patients" data-testid="patient-panel">
                  <h2 style="margin-top:0" id="pick-title">
                    {w.findAPatient}
                  </h2>
                  <div id="pick-mode" class="msg info" hidden>
                    <span id="pick-mode-text"></span>{' '}
                    <button type="button" class="sec" id="pick-cancel" style="min-height:36px">
                      {w.cancel}
                    </button>
                  </div>
                  <input
                    id="patient-search"
                    type="search"
                    data-testid="patient-search"
                    autocomplete="off"
                    placeholder={w.nameNikOrJknNumber}
                    style="width:100%"
                    aria-keyshortcuts="/"
                  />
                  <div id="patient-results" data-testid="patient-results" aria-live="polite"></div>
                  <details id="register" data-testid="register-details">
                    <summary style="min-height:44px;padding:10px 0;font-weight:700;cursor:pointer">{w.registerANewPatient}</summary>
                    <form id="register-form" data-testid="register-form" novalidate>
                      <label for="r-fullName">{w.fullName}</label>
                      <input id="r-fullName" name="fullName" required style="width:100%" data-testid="register-fullName" />
                      <div class="field-err" data-for="fullName"></div>
                      <label for="r-nik">NIK</label>
                      <input id="r-nik" name="nik" inputmode="numeric" maxlength={16} style="width:100%" data-testid="register-nik" />
                      <div class="field-err" data-for="nik" data-testid="register-nik-error"></div>
                      <label for="r-jknNumber">{w.jknCardNumber}</label>
                      <input id="r-jknNumber" name="jknNumber" inputmode="numeric" maxlength={13} style="width:100%" data-testid="register-jkn" />
                      <div class="field-err" data-for="jknNumber" data-testid="register-jkn-error"></div>
                      <label>{w.sex}</label>
                      <label class="inline">
                        <input type="radio" name="sex" value="L" data-testid="register-sex-L" />
                        {w.male}
                      </label>
                      <label class="inline">
                        <input type="radio" name="sex" value="P" data-testid="register-sex-P" />
                        {w.female}
                      </label>
                      <div class="field-err" data-for="sex"></div>
                      <label for="r-birthDate">{w.birthDate}</label>
                      <input id="r-birthDate" name="birthDate" type="date" style="width:100%" data-testid="register-birthDate" />
                      <div class="field-err" data-for="birthDate"></div>
                      <label for="r-phone">{w.phoneOptional}</label>
                      <input id="r-phone" name="phone" inputmode="tel" style="width:100%" />
                      <div class="field-err" data-for="phone"></div>
                      <label for="r-address">{w.addressOptional}</label>
                      <input id="r-address" name="address" style="width:100%" />
                      <label class="inline" style="margin-top:10px">
                        <input type="checkbox" name="registeredHere" checked />
                        {w.registeredAtThisFacility}
                      </label>
                      <div id="register-error" class="msg err" data-testid="register-error" role="alert" hidden></div>
                      <p>
                        <button type="submit" data-testid="register-submit">
                          {w.register}
                        </button>
                      </p>
                    </form>
                  </details>
                </section>
              ) : null}
            </aside>
          </div>
        </main>
      </StaffLayout>,
    );
  });
}
