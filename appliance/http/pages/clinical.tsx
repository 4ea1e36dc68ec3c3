import type { Context } from 'hono';
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../env.ts';
import { tr, type Lang } from '../i18n.ts';
import { Layout, render } from './layout.tsx';
import { page } from './guard.tsx';
import { ticketStrings } from './patient.tsx';
import { DoctorConsultationPanel } from './consultation.tsx';
import { CallHistoryCard, callQualityStrings } from './call-quality.tsx';

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
`;

const common = (lang: Lang) => {
  const t = (id: string, en: string) => tr(lang, id, en);
  return {
    offline: t('Tidak terhubung ke kotak. Periksa Wi-Fi lalu coba lagi.', 'Not connected to the box. Check the Wi-Fi and try again.'),
    netError: t('Gagal', 'Failed'), connOn: t('langsung', 'live'), connOff: t('menyambung ulang…', 'reconnecting…'),
    page: t('Hal. {n}', 'Page {n}'), none: t('Tidak ada data.', 'Nothing to show.'), saved: t('Tersimpan.', 'Saved.'),
  };
};

function Shell(p: { c: Context<AppEnv>; title: string; script: string; strings: Record<string, string>; data: object; children: unknown }) {
  const c = p.c;
  return (
    <Layout c={c} title={p.title} variant="tablet" extraCss={css} scripts={[p.script]} strings={{ ...common(c.get('lang')), ...p.strings }}
      data={{ staff: true, role: c.get('session')?.actor.role ?? null, tz: c.get('deps').settings.timeZone, ...p.data }}>
      {p.children as never}
    </Layout>
  );
}

export function registerClinicalPages(app: OpenAPIHono<AppEnv>) {
  page(app, '/staff/pemeriksaan', ['doctor'], (c) => {
    const lang = c.get('lang');
    const t = (id: string, en: string) => tr(lang, id, en);
    const { settings } = c.get('deps');
    const ts = ticketStrings(lang);
    const vitals: [string, string, string][] = [
      ['systolic', t('Sistolik (mmHg)', 'Systolic (mmHg)'), '1'], ['diastolic', t('Diastolik (mmHg)', 'Diastolic (mmHg)'), '1'],
      ['pulse', t('Nadi (/menit)', 'Pulse (/min)'), '1'], ['respiratoryRate', t('Napas (/menit)', 'Resp. rate (/min)'), '1'],
      ['temperature', t('Suhu (°C)', 'Temp. (°C)'), '0.1'], ['spo2', 'SpO2 (%)', '1'],
      ['weight', t('Berat (kg)', 'Weight (kg)'), '0.1'], ['height', t('Tinggi (cm)', 'Height (cm)'), '0.1'],
    ];
    return render(c, (
      <Shell c={c} title={t('Pemeriksaan', 'Examination')} script="pemeriksaan" data={{ polis: settings.polis }}
        strings={{
          st_waiting: ts.st_waiting, st_called: ts.st_called, st_serving: ts.st_serving, st_skipped: t('Dilewati', 'Skipped'),
          open: t('Periksa', 'Examine'), resume: t('Lanjutkan', 'Resume'), noPatient: t('Belum terhubung ke pasien — hubungkan di halaman Antrean.', 'No patient linked yet — link one on the Queue page.'),
          primary: t('Utama', 'Primary'), secondary: t('Tambahan', 'Secondary'), remove: t('Hapus', 'Remove'), makePrimary: t('Jadikan utama', 'Make primary'),
          add: t('Tambah', 'Add'), stock: t('stok {n}', 'stock {n}'), outOfStock: t('stok habis', 'out of stock'),
          savedAt: t('Tersimpan pukul {time}.', 'Saved at {time}.'), conflict: t('Data diubah di perangkat lain. Muat ulang pemeriksaan.', 'Changed on another device. Reload the encounter.'),
          closed: t('Pemeriksaan ditutup.', 'Encounter closed.'), issuedRx: t('Resep diterbitkan.', 'Prescription issued.'), issuedRef: t('Rujukan diterbitkan.', 'Referral issued.'),
          rxEmpty: t('Tambahkan obat dulu.', 'Add a medicine first.'), printLetter: t('Cetak surat rujukan', 'Print referral letter'),
          consentNone: t('Belum ada persetujuan pasien untuk konsultasi jarak jauh.', 'No patient consent yet for a remote consultation.'),
          consentOk: t('Pasien setuju ({how}, {time}).', 'Patient consented ({how}, {time}).'), viaPhone: t('di HP pasien', 'on the patient’s phone'), viaVerbal: t('lisan, dicatat {name}', 'verbal, recorded by {name}'),
          confirmClose: t('Tutup pemeriksaan ini? Setelah ditutup tidak bisa diubah.', 'Close this encounter? It cannot be changed afterwards.'),
          nobody: t('Tidak ada pasien menunggu.', 'Nobody waiting.'), chooseHospital: t('Pilih rumah sakit', 'Choose a hospital'),
          noHospitals: t('Daftar rumah sakit rujukan belum dikirim dinas kesehatan ke kotak ini, jadi rujukan belum bisa dibuat di sini. Beri tahu admin puskesmas; untuk pasien gawat darurat, rujuk seperti biasa tanpa sistem (telepon/surat).',
            'The district health office has not sent this box its list of referral hospitals yet, so referrals cannot be made here. Tell the clinic admin; refer an emergency patient the usual way without the system (phone/letter).'),
          m_in_person: t('Tatap muka', 'In person'), m_audio_visual: t('Video (audio-visual)', 'Video (audio-visual)'), m_audio_only: t('Suara saja', 'Audio only'), m_chat: 'Chat',
          days: t('{n} hari', '{n} days'),
          // Status labels for staff (the patient's page words them for the patient: "Rejected — ask the staff").
          ps_issued: t('Diterbitkan', 'Issued'), ps_dispensed: t('Sudah disiapkan', 'Dispensed'), ps_picked_up: t('Sudah diambil', 'Collected'),
          rs_draft: t('Draf', 'Draft'), rs_issued: t('Diterbitkan', 'Issued'), rs_sent: t('Terkirim ke RS', 'Sent to the hospital'), rs_accepted: t('Diterima RS', 'Accepted by the hospital'),
          rs_scheduled: t('Dijadwalkan RS', 'Scheduled by the hospital'), rs_rejected: t('Ditolak RS', 'Rejected by the hospital'), rs_used: t('Sudah dipakai', 'Used'), rs_expired: t('Kedaluwarsa', 'Expired'),
          emergency: t('gawat darurat', 'emergency'),
          ...callQualityStrings(lang),
        }}>
        <main>
          <div class="cols">
            <aside class="card">
              <h2 style="margin-top:0">{t('Antrean poli', 'Clinic queue')}</h2>
              <div class="tabs" id="tabs">
                {settings.polis.map((p, i) => <button type="button" aria-selected={i === 0 ? 'true' : 'false'} data-poli={p.code} data-testid={`exam-poli-${p.code}`}>{p.name}</button>)}
              </div>
              <label for="mode-new" class="small">{t('Cara konsultasi', 'Consultation mode')}</label>
              <select id="mode-new" data-testid="exam-mode-new" style="width:100%">
                <option value="in_person">{t('Tatap muka', 'In person')}</option><option value="audio_visual">{t('Video (audio-visual)', 'Video (audio-visual)')}</option>
                <option value="audio_only">{t('Suara saja', 'Audio only')}</option><option value="chat">Chat</option>
              </select>
              <div id="queue" data-testid="exam-queue" aria-live="polite"></div>
              <div id="queue-msg" class="msg" hidden></div>
              <p class="small"><span id="conn" class="conn" data-testid="conn-state">…</span> <a href="/staff/antrean">{t('Ke halaman Antrean', 'To the Queue page')}</a></p>
            </aside>

            <section id="enc" data-testid="encounter" hidden>
              <div class="card">
                <div class="row" style="justify-content:space-between">
                  <div><div class="small muted" id="enc-ticket"></div><h1 style="margin:0" id="enc-patient" data-testid="encounter-patient"></h1><div class="small" id="enc-meta"></div></div>
                  <div><label for="enc-mode" class="small" style="margin:0">{t('Cara konsultasi', 'Mode')}</label>
                    <select id="enc-mode" data-testid="encounter-mode"><option value="in_person">{t('Tatap muka', 'In person')}</option><option value="audio_visual">{t('Video (audio-visual)', 'Video (audio-visual)')}</option><option value="audio_only">{t('Suara saja', 'Audio only')}</option><option value="chat">Chat</option></select></div>
                </div>
                <div id="consent" class="msg info" data-testid="encounter-consent" hidden>
                  <span id="consent-text"></span> <button type="button" class="sec" id="consent-verbal" data-testid="consent-verbal" style="min-height:36px">{t('Catat persetujuan lisan', 'Record verbal consent')}</button>
                </div>
              </div>

              <div class="card">
                <h2 style="margin-top:0">{t('Tanda vital', 'Vital signs')}</h2>
                <div class="vitals" id="vitals">
                  {vitals.map(([k, label, step]) => <div><label for={`v-${k}`}>{label}</label><input id={`v-${k}`} data-vital={k} type="text" inputmode="decimal" autocomplete="off" data-step={step} data-testid={`vital-${k}`} /></div>)}
                </div>
                <h2>SOAP</h2>
                <div class="soap">
                  <div><label for="s-subjective">{t('S — Keluhan (subjektif)', 'S — Subjective')}</label><textarea id="s-subjective" data-soap="subjective" data-testid="soap-subjective"></textarea></div>
                  <div><label for="s-objective">{t('O — Pemeriksaan (objektif)', 'O — Objective')}</label><textarea id="s-objective" data-soap="objective" data-testid="soap-objective"></textarea></div>
                  <div><label for="s-assessment">{t('A — Penilaian', 'A — Assessment')}</label><textarea id="s-assessment" data-soap="assessment" data-testid="soap-assessment"></textarea></div>
                  <div><label for="s-plan">{t('P — Rencana', 'P — Plan')}</label><textarea id="s-plan" data-soap="plan" data-testid="soap-plan"></textarea></div>
                </div>
                <h2>{t('Diagnosis (ICD-10)', 'Diagnoses (ICD-10)')}</h2>
                <div id="dx" data-testid="diagnoses"></div>
                <input id="icd-search" type="search" autocomplete="off" data-testid="icd10-search" placeholder={t('Cari kode atau nama penyakit, mis. J06 atau darah tinggi', 'Search a code or a name, e.g. J06 or hypertension')} style="width:100%" />
                <div id="icd-results" data-testid="icd10-results"></div>
              </div>

              <div class="card">
                <h2 style="margin-top:0">{t('Resep', 'Prescription')}</h2>
                <div id="rx-list" data-testid="prescriptions"></div>
                <input id="drug-search" type="search" autocomplete="off" data-testid="formulary-search" placeholder={t('Cari obat, mis. para', 'Search a medicine, e.g. para')} style="width:100%" />
                <div id="drug-results" data-testid="formulary-results"></div>
                <div class="tbl-wrap"><table class="items"><thead><tr><th>{t('Obat', 'Medicine')}</th><th>{t('Aturan pakai (signa)', 'Signa')}</th><th style="width:90px">{t('Jumlah', 'Qty')}</th><th style="width:80px">{t('Hari', 'Days')}</th><th></th></tr></thead><tbody id="rx-items" data-testid="rx-items"></tbody></table></div>
                <label for="rx-note">{t('Catatan untuk apotek (boleh kosong)', 'Note for the pharmacy (optional)')}</label>
                <input id="rx-note" style="width:100%" data-testid="rx-note" />
                <div id="rx-msg" class="msg" role="status" hidden></div>
                <p><button type="button" id="rx-issue" data-testid="rx-issue">{t('Terbitkan resep', 'Issue prescription')}</button></p>
              </div>

              <div class="card">
                <h2 style="margin-top:0">{t('Rujukan', 'Referral')}</h2>
                <div id="ref-list" data-testid="referrals"></div>
                <form id="ref-form" data-testid="referral-form" novalidate>
                  <div class="soap">
                    <div><label for="ref-hospital">{t('Rumah sakit (FKRTL)', 'Hospital (FKRTL)')}</label><select id="ref-hospital" name="hospitalCode" data-testid="referral-hospital" style="width:100%"></select><div class="field-err" data-for="hospitalCode"></div></div>
                    <div><label for="ref-specialty">{t('Spesialis / poli tujuan', 'Specialty')}</label><select id="ref-specialty" name="specialty" data-testid="referral-specialty" style="width:100%"></select><div class="field-err" data-for="specialty"></div></div>
                    <div><label for="ref-dx">{t('Diagnosis (ICD-10)', 'Diagnosis (ICD-10)')}</label><select id="ref-dx" name="diagnosisCode" data-testid="referral-diagnosis" style="width:100%"></select><div class="field-err" data-for="diagnosisCode"></div></div>
                    <div><label for="ref-valid">{t('Berlaku sampai (kosong = bawaan)', 'Valid until (empty = default)')}</label><input id="ref-valid" name="validUntil" type="date" data-testid="referral-valid" style="width:100%" /><div class="field-err" data-for="validUntil"></div></div>
                  </div>
                  <label for="ref-reason">{t('Alasan rujukan', 'Reason')}</label>
                  <textarea id="ref-reason" name="reason" data-testid="referral-reason" style="width:100%;min-height:70px"></textarea><div class="field-err" data-for="reason"></div>
                  <label class="inline" style="margin-top:8px"><input type="checkbox" name="emergency" data-testid="referral-emergency" />{t('Gawat darurat (rujukan langsung)', 'Emergency (direct referral)')}</label>
                  <div id="ref-msg" class="msg" role="status" hidden></div>
                  <p><button type="submit" data-testid="referral-issue">{t('Terbitkan rujukan', 'Issue referral')}</button></p>
                </form>
              </div>

              <div class="stickybar">
                <button type="button" id="enc-save" data-testid="encounter-save">{t('Simpan', 'Save')}</button>
                <button type="button" id="enc-close" class="sec" data-testid="encounter-close">{t('Simpan & tutup pemeriksaan', 'Save & close encounter')}</button>
                <div id="enc-msg" class="msg grow" role="status" data-testid="encounter-msg" hidden style="margin:0"></div>
              </div>
              <DoctorConsultationPanel c={c} />
              <CallHistoryCard c={c} />
            </section>
            <section id="enc-empty" class="card muted" data-testid="encounter-empty">{t('Pilih pasien dari antrean di kiri untuk mulai memeriksa.', 'Choose a patient from the queue on the left to start.')}</section>
          </div>
        </main>
      </Shell>
    ));
  });

  page(app, '/staff/farmasi', ['pharmacist', 'admin'], (c) => {
    const lang = c.get('lang');
    const t = (id: string, en: string) => tr(lang, id, en);
    const canAct = c.get('session')?.actor.role === 'pharmacist';
    return render(c, (
      <Shell c={c} title={t('Farmasi', 'Pharmacy')} script="farmasi" data={{ canAct }}
        strings={{
          dispense: t('Siapkan & serahkan (kurangi stok)', 'Dispense (stock goes down)'), pickUp: t('Sudah diambil pasien', 'Collected by the patient'),
          dispensed: t('Resep {label} disiapkan.', 'Prescription {label} dispensed.'), pickedUp: t('Resep {label} sudah diambil.', 'Prescription {label} collected.'),
          by: t('oleh {name}', 'by {name}'), stock: t('stok {n}', 'stock {n}'), short: t('kurang', 'short'),
          total: t('{n} resep', '{n} prescriptions'), noTicket: t('tanpa nomor', 'no number'),
          receive: t('Terima', 'Receive'), adjust: t('Sesuaikan', 'Adjust'), received: t('Stok {name} sekarang {n}.', '{name} stock is now {n}.'),
          qty: t('Jumlah', 'Quantity'), delta: t('Perubahan (+/−)', 'Change (+/−)'), reason: t('Keterangan', 'Reason'), cancel: t('Batal', 'Cancel'), save: t('Simpan', 'Save'),
          days: t('{n} hari', '{n} days'),
        }}>
        <main>
          <div class="row" style="justify-content:space-between"><h1>{t('Farmasi', 'Pharmacy')}</h1><span class="small muted">{t('Daftar diperbarui otomatis.', 'The list refreshes by itself.')}</span></div>
          <div class="tabs" id="tabs">
            <button type="button" aria-selected="true" data-status="issued" data-testid="rx-tab-issued">{t('Untuk disiapkan', 'To dispense')}</button>
            <button type="button" aria-selected="false" data-status="dispensed" data-testid="rx-tab-dispensed">{t('Menunggu diambil', 'Awaiting pick-up')}</button>
            <button type="button" aria-selected="false" data-status="picked_up" data-testid="rx-tab-picked_up">{t('Sudah diambil', 'Collected')}</button>
          </div>
          <div id="rx-msg" class="msg" role="status" data-testid="pharmacy-msg" hidden></div>
          <div class="small muted" id="rx-total"></div>
          <div id="rx" data-testid="pharmacy-list"></div>
          <div class="pager"><button type="button" class="sec" id="prev" data-testid="pharmacy-prev">‹</button><span id="pageno"></span><button type="button" class="sec" id="next" data-testid="pharmacy-next">›</button></div>

          <section class="card" data-testid="stock">
            <h2 style="margin-top:0">{t('Stok obat', 'Medicine stock')}</h2>
            <input id="stock-search" type="search" autocomplete="off" data-testid="stock-search" placeholder={t('Cari obat (kosong = semua)', 'Search (empty = all)')} style="width:100%" />
            <div id="stock-msg" class="msg" role="status" data-testid="stock-msg" hidden></div>
            <div class="tbl-wrap"><table><thead><tr><th>{t('Obat', 'Medicine')}</th><th>KFA</th><th>{t('Stok', 'Stock')}</th><th></th></tr></thead><tbody id="stock-rows" data-testid="stock-table"></tbody></table></div>
            <div class="pager"><button type="button" class="sec" id="s-prev">‹</button><span id="s-pageno"></span><button type="button" class="sec" id="s-next">›</button></div>
          </section>
        </main>
      </Shell>
    ));
  });
}
