import type { Context } from 'hono';
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../env.ts';
import { type Lang } from '../i18n.ts';
import { words } from '../../words/index.ts';
import { Layout, render } from './layout.tsx';
import { page } from './guard.tsx';
import { ticketStrings } from './patient.tsx';
import { DoctorConsultationPanel } from './consultation.tsx';
import { CallHistoryCard, callQualityStrings } from './call-quality.tsx';
import type { CallQualityWord, FarmasiWord, HistoryWord, PageWords, PemeriksaanWord, StaffWord, WhoWord } from '../../words/page-words.ts';
import { uplotCss } from './bundles.ts';
import { ShortcutHint } from './staff/shortcut-hint.tsx';

/** The doctor's examination screen and the pharmacist's list: 10-inch tablets. */

const css = `
.cols{display:grid;grid-template-columns:300px minmax(0,1fr);gap:14px;align-items:start}
@media (max-width:900px){.cols{grid-template-columns:1fr}}
.cols>*{min-width:0}
.tabs{display:flex;gap:6px;flex-wrap:wrap;margin-bottom:8px}
.tabs button{background:#fff;color:var(--pri);min-height:44px}
.tabs button[aria-selected=true]{background:var(--pri);color:#fff}
.qrow{display:flex;justify-content:space-between;align-items:center;gap:8px;border-bottom:1px solid var(--line);padding:6px 0}
.qrow .lbl{font-size:20px;font-weight:800;white-space:nowrap}
.vitals{display:grid;grid-template-columns:repeat(auto-fill,minmax(120px,1fr));gap:8px}
.vitals label{margin:0;font-size:14px}
.vitals input{width:100%}
.soap{display:grid;grid-template-columns:1fr 1fr;gap:8px}
.soap textarea{width:100%;min-height:90px}
.soap label{margin:0}
.res{display:flex;justify-content:space-between;gap:8px;align-items:center;border-bottom:1px solid var(--line);padding:4px 0}
.res button{min-height:40px;padding:4px 10px;font-size:15px}
.chip{display:inline-flex;align-items:center;gap:6px;border:2px solid var(--pri);border-radius:999px;padding:2px 4px 2px 10px;margin:3px;background:var(--pri2)}
.chip button{min-height:32px;padding:2px 8px;font-size:14px}
.items td input{width:100%;min-height:40px}
.field-err{color:var(--bad);font-size:14px}
.stickybar{position:sticky;bottom:0;background:var(--bg);padding:8px 0;display:flex;gap:8px;flex-wrap:wrap;border-top:1px solid var(--line)}
.rx{border:1px solid var(--line);border-radius:10px;padding:10px;margin-bottom:10px;background:#fff}
.rx .lbl{font-size:24px;font-weight:800}
.low{color:var(--bad);font-weight:700}
.pager{display:flex;gap:8px;align-items:center;justify-content:flex-end;margin-top:8px}
.tbl-wrap{overflow-x:auto}
.hist-body{height:360px;overflow-y:auto;overscroll-behavior:contain}
/* No scroll anchoring on these pages: with the history's own scroller above, Chromium moved the
   page by about the card's height when a tap on a button took the focus from a field, and the tap
   missed (the prescription was not issued). Nothing here grows above the reader: the history has a
   fixed height. */
html,body{overflow-anchor:none}
.hist-chart{min-height:40px;margin:8px 0}
.hist-visit{border-bottom:1px solid var(--line);padding:6px 0}
`;

/** The words of browser/who.ts (a patient in a queue row or a visit header). */
export const whoStrings = (lang: Lang): PageWords<WhoWord> => {
  const w = words(lang);
  return { whoAge: w.whoAge, whoNik: w.whoNik, whoNoNik: w.whoNoNik, whoAllergies: w.whoAllergies, male: w.male, female: w.female };
};

/** The words of browser/history.ts (the patient's history and triage vitals in the visit). */
const historyStrings = (lang: Lang): PageWords<HistoryWord> => {
  const w = words(lang);
  return {
    histNone: w.histNone,
    histVisitLine: w.histVisitLine,
    histNoRefs: w.histNoRefs,
    histNoAllergies: w.histNoAllergies,
    histAllergy: w.histAllergy,
    histScheduled: w.histScheduled,
    histAnswer: w.histAnswer,
    histNoChart: w.histNoChart,
    histBp: w.histBp,
    histDate: w.histDate,
    triageBy: w.triageBy,
    systolic: w.systolicMmhg,
    diastolic: w.diastolicMmhg,
    weight: w.weightKg,
    pulse: w.pulseMin,
    respiratoryRate: w.respRateMin,
    temperature: w.tempC,
    spo2: 'SpO2 (%)',
    height: w.heightCm,
  };
};

/** uPlot's own stylesheet, served inline with the page (no asset from the internet). */
const chartCss = uplotCss();

const common = (lang: Lang): PageWords<StaffWord> => {
  const w = words(lang);
  return {
    offline: w.offline,
    netError: w.netError,
    connOn: w.connOn,
    connOff: w.connOff,
    page: w.page,
    none: w.none,
    saved: w.saved,
  };
};

function Shell(p: { c: Context<AppEnv>; title: string; script: string; strings: Record<string, string>; data: object; children: unknown; css?: string }) {
  const c = p.c;
  return (
    <Layout
      c={c}
      title={p.title}
      variant="tablet"
      skipLink
      extraCss={css + (p.css ?? '')}
      scripts={[p.script]}
      strings={{ ...common(c.get('lang')), ...p.strings }}
      data={{ staff: true, role: c.get('session')?.actor.role ?? null, tz: c.get('deps').settings.timeZone, ...p.data }}
    >
      {p.children as never}
    </Layout>
  );
}

export function registerClinicalPages(app: OpenAPIHono<AppEnv>) {
  page(app, '/staff/pemeriksaan', ['doctor', 'midwife'], (c) => {
    const lang = c.get('lang');
    const w = words(lang);
    const { settings } = c.get('deps');
    const ts = ticketStrings(lang);
    const vitals: [string, string, string][] = [
      ['systolic', w.systolicMmhg, '1'],
      ['diastolic', w.diastolicMmhg, '1'],
      ['pulse', w.pulseMin, '1'],
      ['respiratoryRate', w.respRateMin, '1'],
      ['temperature', w.tempC, '0.1'],
      ['spo2', 'SpO2 (%)', '1'],
      ['weight', w.weightKg, '0.1'],
      ['height', w.heightCm, '0.1'],
    ];
    return render(
      c,
      <Shell
        c={c}
        title={w.examination}
        script="pemeriksaan"
        css={chartCss}
        data={{ polis: settings.polis }}
        strings={
          {
            st_waiting: ts.st_waiting,
            st_called: ts.st_called,
            st_serving: ts.st_serving,
            st_skipped: w.st_skipped,
            open: w.open,
            resume: w.resume,
            noPatient: w.noPatient,
            primary: w.primary,
            secondary: w.secondary,
            remove: w.remove,
            makePrimary: w.makePrimary,
            add: w.add,
            stock: w.stock,
            outOfStock: w.outOfStock,
            savedAt: w.savedAt,
            conflict: w.conflict,
            closed: w.closed,
            issuedRx: w.issuedRx,
            issuedRef: w.issuedRef,
            rxEmpty: w.rxEmpty,
            printLetter: w.printLetter,
            consentNone: w.consentNone,
            consentOk: w.consentOk,
            viaPhone: w.viaPhone,
            viaVerbal: w.viaVerbal,
            confirmClose: w.confirmClose,
            nobody: w.nobody,
            chooseHospital: w.chooseHospital,
            noHospitals: w.noHospitals,
            m_in_person: w.inPerson,
            m_audio_visual: w.videoAudioVisual,
            m_audio_only: w.audioOnly,
            m_chat: 'Chat',
            days: w.days,
            // Status labels for staff (the patient's page words them for the patient: "Rejected — ask the staff").
            ps_issued: w.ps_issued,
            ps_dispensed: w.ps_dispensed,
            ps_picked_up: w.ps_picked_up,
            rs_draft: w.rs_draft,
            rs_issued: w.ps_issued,
            rs_sent: w.rs_sent,
            rs_accepted: w.rs_accepted,
            rs_scheduled: w.rs_scheduled,
            rs_rejected: w.rs_rejected,
            rs_used: w.rs_used,
            rs_expired: w.rs_expired,
            emergency: w.emergency,
            calledTo: w.calledTo,
            rxOverStock: w.rxOverStock,
            owed: w.owed,
            ...whoStrings(lang),
            ...historyStrings(lang),
            ...callQualityStrings(lang),
          } satisfies PageWords<PemeriksaanWord | CallQualityWord>
        }
      >
        <main id="main" tabindex={-1}>
          <div class="cols">
            <aside class="card">
              <h2 style="margin-top:0">{w.clinicQueue}</h2>
              <div class="tabs" id="tabs" role="tablist" aria-label={w.clinicQueue}>
                {settings.polis.map((p, i) => (
                  <button
                    type="button"
                    role="tab"
                    id={`tab-${p.code}`}
                    aria-controls="queue"
                    aria-selected={i === 0 ? 'true' : 'false'}
                    tabindex={i === 0 ? 0 : -1}
                    data-poli={p.code}
                    data-testid={`exam-poli-${p.code}`}
                  >
                    {p.name}
                  </button>
                ))}
              </div>
              <div class="row" style="align-items:end;margin-bottom:8px">
                <div class="grow">
                  <label for="room" class="small" style="margin:0">
                    {w.roomLabel}
                  </label>
                  <select id="room" data-testid="exam-room" style="width:100%"></select>
                </div>
                <button type="button" id="call-next" data-testid="exam-call-next" aria-keyshortcuts="n">
                  {w.callNext}
                </button>
              </div>
              <ShortcutHint
                lang={lang}
                keys={[
                  ['N', w.shortcutCallNext],
                  ['/', w.shortcutDiagnosisSearch],
                ]}
              />
              <label for="mode-new" class="small">
                {w.consultationMode}
              </label>
              <select id="mode-new" data-testid="exam-mode-new" style="width:100%">
                <option value="in_person">{w.inPerson}</option>
                <option value="audio_visual">{w.videoAudioVisual}</option>
                <option value="audio_only">{w.audioOnly}</option>
                <option value="chat">Chat</option>
              </select>
              <div id="queue" data-testid="exam-queue" role="tabpanel" aria-live="polite"></div>
              <div id="queue-msg" class="msg" hidden></div>
              <p class="small">
                <span id="conn" class="conn" data-testid="conn-state">
                  …
                </span>{' '}
                <a href="/staff/antrean">{w.toTheQueuePage}</a>
              </p>
            </aside>

            <section id="enc" data-testid="encounter" hidden>
              <div class="card">
                <div class="row" style="justify-content:space-between">
                  <div>
                    <div class="small muted" id="enc-ticket"></div>
                    <h1 style="margin:0" id="enc-patient" data-testid="encounter-patient"></h1>
                    <div id="enc-who" data-testid="encounter-who"></div>
                    <div class="small" id="enc-meta"></div>
                  </div>
                  <div>
                    <label for="enc-mode" class="small" style="margin:0">
                      {w.mode}
                    </label>
                    <select id="enc-mode" data-testid="encounter-mode">
                      <option value="in_person">{w.inPerson}</option>
                      <option value="audio_visual">{w.videoAudioVisual}</option>
                      <option value="audio_only">{w.audioOnly}</option>
                      <option value="chat">Chat</option>
                    </select>
                  </div>
                </div>
                <div id="consent" class="msg info" data-testid="encounter-consent" hidden>
                  <span id="consent-text"></span>{' '}
                  <button type="button" class="sec" id="consent-verbal" data-testid="consent-verbal" style="min-height:36px">
                    {w.recordVerbalConsent}
                  </button>
                </div>
              </div>

              {/* The history where a doctor looks first, after the header. It arrives after the visit
                  (its own request): its body has a fixed height and scrolls by itself, so its arrival
                  neither moves the fields below nor the page (browser/history.ts). */}
              <div class="card" id="history" data-testid="patient-history">
                <h2 style="margin-top:0" id="history-title">
                  {w.aud_entity_patient_history}
                </h2>
                <div class="hist-body" role="region" aria-labelledby="history-title" tabindex={0} data-testid="history-body">
                  <div id="triage" class="msg info" data-testid="triage-vitals" hidden></div>
                  <div id="hist-allergies" data-testid="history-allergies"></div>
                  <div id="hist-chart" class="hist-chart" data-testid="history-chart" role="img" aria-label={w.histChart}></div>
                  <h3>{w.histVisits}</h3>
                  <div id="hist-visits" data-testid="history-visits"></div>
                  <h3>{w.histReferrals}</h3>
                  <div id="hist-refs" data-testid="history-referrals"></div>
                </div>
              </div>

              <div class="card">
                <h2 style="margin-top:0">{w.vitalSigns}</h2>
                <div class="vitals" id="vitals">
                  {vitals.map(([k, label, step]) => (
                    <div>
                      <label for={`v-${k}`}>{label}</label>
                      <input
                        id={`v-${k}`}
                        data-vital={k}
                        type="text"
                        inputmode="decimal"
                        autocomplete="off"
                        data-step={step}
                        data-testid={`vital-${k}`}
                        aria-describedby={`err-v-${k}`}
                      />
                      <div class="field-err" id={`err-v-${k}`} data-testid={`vital-err-${k}`}></div>
                    </div>
                  ))}
                </div>
                <h2>SOAP</h2>
                <div class="soap">
                  <div>
                    <label for="s-subjective">{w.sSubjective}</label>
                    <textarea id="s-subjective" data-soap="subjective" data-testid="soap-subjective"></textarea>
                  </div>
                  <div>
                    <label for="s-objective">{w.oObjective}</label>
                    <textarea id="s-objective" data-soap="objective" data-testid="soap-objective"></textarea>
                  </div>
                  <div>
                    <label for="s-assessment">{w.aAssessment}</label>
                    <textarea id="s-assessment" data-soap="assessment" data-testid="soap-assessment"></textarea>
                  </div>
                  <div>
                    <label for="s-plan">{w.pPlan}</label>
                    <textarea id="s-plan" data-soap="plan" data-testid="soap-plan"></textarea>
                  </div>
                </div>
                <h2>{w.diagnosesIcd10}</h2>
                <div id="dx" data-testid="diagnoses"></div>
                <input id="icd-search" type="search" autocomplete="off" data-testid="icd10-search" placeholder={w.searchACodeOrA} style="width:100%" aria-keyshortcuts="/" />
                <div id="icd-results" data-testid="icd10-results"></div>
              </div>

              <div class="card">
                <h2 style="margin-top:0">{w.prescription}</h2>
                <div id="rx-list" data-testid="prescriptions"></div>
                <input id="drug-search" type="search" autocomplete="off" data-testid="formulary-search" placeholder={w.searchAMedicineEG} style="width:100%" />
                <div id="drug-results" data-testid="formulary-results"></div>
                <div class="tbl-wrap">
                  <table class="items">
                    <thead>
                      <tr>
                        <th>{w.medicine}</th>
                        <th>{w.signa}</th>
                        <th style="width:90px">{w.qty}</th>
                        <th style="width:80px">{w.daysHeader}</th>
                        <th></th>
                      </tr>
                    </thead>
                    <tbody id="rx-items" data-testid="rx-items"></tbody>
                  </table>
                </div>
                <label for="rx-note">{w.noteForThePharmacyOptional}</label>
                <input id="rx-note" style="width:100%" data-testid="rx-note" />
                <div id="rx-msg" class="msg" role="status" hidden></div>
                <p>
                  <button type="button" id="rx-issue" data-testid="rx-issue">
                    {w.issuePrescription}
                  </button>
                </p>
              </div>

              <div class="card">
                <h2 style="margin-top:0">{w.referral}</h2>
                <div id="ref-list" data-testid="referrals"></div>
                <form id="ref-form" data-testid="referral-form" novalidate>
                  <div class="soap">
                    <div>
                      <label for="ref-hospital">{w.hospitalFkrtl}</label>
                      <select id="ref-hospital" name="hospitalCode" data-testid="referral-hospital" style="width:100%"></select>
                      <div class="field-err" data-for="hospitalCode"></div>
                    </div>
                    <div>
                      <label for="ref-specialty">{w.specialty}</label>
                      <select id="ref-specialty" name="specialty" data-testid="referral-specialty" style="width:100%"></select>
                      <div class="field-err" data-for="specialty"></div>
                    </div>
                    <div>
                      <label for="ref-dx">{w.diagnosisIcd10}</label>
                      <select id="ref-dx" name="diagnosisCode" data-testid="referral-diagnosis" style="width:100%"></select>
                      <div class="field-err" data-for="diagnosisCode"></div>
                    </div>
                    <div>
                      <label for="ref-valid">{w.validUntilEmptyDefault}</label>
                      <input id="ref-valid" name="validUntil" type="date" data-testid="referral-valid" style="width:100%" />
                      <div class="field-err" data-for="validUntil"></div>
                    </div>
                  </div>
                  <label for="ref-reason">{w.reason}</label>
                  <textarea id="ref-reason" name="reason" data-testid="referral-reason" style="width:100%;min-height:70px"></textarea>
                  <div class="field-err" data-for="reason"></div>
                  <label class="inline" style="margin-top:8px">
                    <input type="checkbox" name="emergency" data-testid="referral-emergency" />
                    {w.emergencyDirectReferral}
                  </label>
                  <div id="ref-msg" class="msg" role="status" hidden></div>
                  <p>
                    <button type="submit" data-testid="referral-issue">
                      {w.issueReferral}
                    </button>
                  </p>
                </form>
              </div>

              <div class="stickybar">
                <button type="button" id="enc-save" data-testid="encounter-save">
                  {w.save}
                </button>
                <button type="button" id="enc-close" class="sec" data-testid="encounter-close">
                  {w.saveCloseEncounter}
                </button>
                <div id="enc-msg" class="msg grow" role="status" data-testid="encounter-msg" hidden style="margin:0"></div>
              </div>
              <DoctorConsultationPanel c={c} />
              <CallHistoryCard c={c} />
            </section>
            <section id="enc-empty" class="card muted" data-testid="encounter-empty">
              {w.chooseAPatientFromThe}
            </section>
          </div>
        </main>
      </Shell>,
    );
  });

  page(app, '/staff/farmasi', ['pharmacist', 'admin'], (c) => {
    const lang = c.get('lang');
    const w = words(lang);
    const canAct = c.get('session')?.actor.role === 'pharmacist';
    return render(
      c,
      <Shell
        c={c}
        title={w.pharmacy}
        script="farmasi"
        data={{ canAct }}
        strings={
          {
            dispense: w.dispense,
            pickUp: w.pickUp,
            dispensed: w.dispensed,
            pickedUp: w.pickedUp,
            by: w.by,
            stock: w.stock,
            short: w.short,
            total: w.total,
            noTicket: w.noTicket,
            receive: w.receive,
            adjust: w.adjust,
            received: w.received,
            qty: w.quantity,
            delta: w.delta,
            reason: w.remark,
            cancel: w.cancel,
            save: w.save,
            days: w.days,
            owed: w.owed,
            dispensePartial: w.dispensePartial,
            dispensedPartly: w.dispensedPartly,
            dispenseOwed: w.dispenseOwed,
            dispensedOwed: w.dispensedOwed,
          } satisfies PageWords<FarmasiWord>
        }
      >
        <main id="main" tabindex={-1}>
          <div class="row" style="justify-content:space-between">
            <h1>{w.pharmacy}</h1>
            <span class="small muted">{w.theListRefreshesByItself}</span>
          </div>
          <div class="tabs" id="tabs" role="tablist" aria-label={w.pharmacy}>
            <button type="button" role="tab" aria-controls="rx" aria-selected="true" tabindex={0} data-status="issued" data-testid="rx-tab-issued">
              {w.toDispense}
            </button>
            <button type="button" role="tab" aria-controls="rx" aria-selected="false" tabindex={-1} data-status="dispensed" data-testid="rx-tab-dispensed">
              {w.awaitingPickUp}
            </button>
            <button type="button" role="tab" aria-controls="rx" aria-selected="false" tabindex={-1} data-status="picked_up" data-testid="rx-tab-picked_up">
              {w.ps_picked_up}
            </button>
            <button type="button" role="tab" aria-controls="rx" aria-selected="false" tabindex={-1} data-status="owed" data-testid="rx-tab-owed">
              {w.rxOwedTab}
            </button>
          </div>
          <div id="rx-msg" class="msg" role="status" data-testid="pharmacy-msg" hidden></div>
          <div class="small muted" id="rx-total"></div>
          <div id="rx" data-testid="pharmacy-list" role="tabpanel"></div>
          <div class="pager">
            <button type="button" class="sec" id="prev" data-testid="pharmacy-prev">
              ‹
            </button>
            <span id="pageno"></span>
            <button type="button" class="sec" id="next" data-testid="pharmacy-next">
              ›
            </button>
          </div>

          <section class="card" data-testid="stock">
            <h2 style="margin-top:0">{w.medicineStock}</h2>
            <input id="stock-search" type="search" autocomplete="off" data-testid="stock-search" placeholder={w.searchEmptyAll} style="width:100%" />
            <div id="stock-msg" class="msg" role="status" data-testid="stock-msg" hidden></div>
            <div class="tbl-wrap">
              <table>
                <thead>
                  <tr>
                    <th>{w.medicine}</th>
                    <th>KFA</th>
                    <th>{w.stockHeader}</th>
                    <th></th>
                  </tr>
                </thead>
                <tbody id="stock-rows" data-testid="stock-table"></tbody>
              </table>
            </div>
            <div class="pager">
              <button type="button" class="sec" id="s-prev">
                ‹
              </button>
              <span id="s-pageno"></span>
              <button type="button" class="sec" id="s-next">
                ›
              </button>
            </div>
          </section>
        </main>
      </Shell>,
    );
  });
}
