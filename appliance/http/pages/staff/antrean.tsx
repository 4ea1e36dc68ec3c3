import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../../env.ts';
import { tr } from '../../i18n.ts';
import { render } from '../layout.tsx';
import { page } from '../guard.tsx';
import { ticketStrings } from '../patient.tsx';
import { StaffLayout } from './layout.tsx';

/**
 * /staff/antrean: the desk and nurse board. The server renders the shell (poli tabs, forms); the
 * browser (browser/antrean.ts) draws the rows, since they change with every call.
 */
export function registerQueueBoard(app: OpenAPIHono<AppEnv>) {
  page(app, '/staff/antrean', ['nurse', 'doctor', 'admin'], (c) => {
    const lang = c.get('lang');
    const t = (id: string, en: string) => tr(lang, id, en);
    const { settings } = c.get('deps');
    const role = c.get('session')!.actor.role;
    const canCall = role === 'nurse' || role === 'doctor';
    const canDesk = role === 'nurse' || role === 'admin';
    const ts = ticketStrings(lang);
    return render(c, (
      <StaffLayout c={c} title={t('Antrean', 'Queue')} scripts={['antrean']}
        data={{ polis: settings.polis, canCall, canDesk }}
        strings={{
          st_waiting: ts.st_waiting, st_called: ts.st_called, st_serving: ts.st_serving, st_done: ts.st_done, st_skipped: t('Dilewati', 'Skipped'), st_no_show: ts.st_no_show,
          call: t('Panggil', 'Call'), recall: t('Panggil ulang', 'Recall'), skip: t('Lewati', 'Skip'), noShow: t('Tidak hadir', 'No-show'), finish: t('Selesai', 'Done'),
          transfer: t('Pindah poli', 'Transfer'), attach: t('Hubungkan pasien', 'Attach patient'), attached: t('pasien terhubung', 'patient linked'),
          anon: t('belum terhubung', 'not linked'), phone: 'HP', desk: t('meja', 'desk'),
          calledTo: t('{label} dipanggil ke {room}', '{label} called to {room}'), nobody: t('Tidak ada yang menunggu.', 'Nobody is waiting.'),
          done: t('{label}: {action}', '{label}: {action}'), transferTo: t('Pindahkan {label} ke:', 'Move {label} to:'), cancel: t('Batal', 'Cancel'),
          confirmNoShow: t('Tandai {label} tidak hadir?', 'Mark {label} as no-show?'),
          pickFor: t('Pilih pasien untuk {label}', 'Choose the patient for {label}'), pickWalkin: t('Pasien untuk tiket langsung (boleh dikosongkan)', 'Patient for the walk-in ticket (optional)'),
          choose: t('Pilih', 'Choose'), noResults: t('Tidak ditemukan. Daftarkan pasien baru di bawah.', 'Not found. Register a new patient below.'),
          nikBad: t('NIK harus 16 angka.', 'NIK must be 16 digits.'), jknBad: t('Nomor kartu JKN harus 13 angka.', 'JKN card number must be 13 digits.'),
          idNeeded: t('Isi NIK atau nomor kartu JKN.', 'Enter a NIK or a JKN card number.'), registered: t('Pasien terdaftar: {name}', 'Patient registered: {name}'),
          exists: t('Pasien dengan NIK/JKN ini sudah ada.', 'A patient with this NIK/JKN already exists.'), useExisting: t('Pakai pasien yang ada', 'Use the existing patient'),
          walkinDone: t('Tiket {label} dibuat. Minta pasien memindai kode QR.', 'Ticket {label} made. Ask the patient to scan the QR code.'),
          selected: t('Dipilih: {name}', 'Chosen: {name}'), clear: t('Hapus pilihan', 'Clear'),
          waitingN: t('Menunggu: {n}', 'Waiting: {n}'), calledN: t('Dipanggil: {n}', 'Called: {n}'), doneN: t('Selesai: {n}', 'Done: {n}'),
          born: t('lahir', 'born'),
          nik_not_16_digits: t('NIK harus 16 angka.', 'NIK must be 16 digits.'),
          nik_unknown_province: t('Kode provinsi NIK (2 angka pertama) tidak dikenal.', 'The NIK’s province code (first 2 digits) is unknown.'),
          nik_invalid_region: t('Kode wilayah NIK (angka 1–6) tidak valid.', 'The NIK’s region code (digits 1–6) is invalid.'),
          nik_invalid_birth_date: t('Tanggal lahir di NIK (angka 7–12) tidak valid.', 'The birth date in the NIK (digits 7–12) is invalid.'),
          nik_invalid_serial: t('Nomor urut NIK (4 angka terakhir) tidak valid.', 'The NIK’s serial (last 4 digits) is invalid.'),
          nik_sex_mismatch: t('NIK tidak cocok dengan jenis kelamin (perempuan: tanggal lahir + 40).', 'The NIK does not match the sex (women: birth day + 40).'),
          nik_birth_date_mismatch: t('NIK tidak cocok dengan tanggal lahir yang diisi.', 'The NIK does not match the birth date entered.'),
          birth_future: t('Tanggal lahir di masa depan.', 'The birth date is in the future.'),
        }}>
        <main>
          <div class="board">
            <section>
              <div class="row" style="justify-content:space-between">
                <h1 style="margin:4px 0">{t('Antrean hari ini', 'Today’s queue')}</h1>
                <span id="conn" class="conn" data-testid="conn-state">{t('menyambung…', 'connecting…')}</span>
              </div>
              <div class="tabs" role="tablist" id="tabs">
                {settings.polis.map((p, i) => (
                  <button type="button" role="tab" aria-selected={i === 0 ? 'true' : 'false'} data-poli={p.code} data-testid={`poli-tab-${p.code}`}>{p.name}</button>
                ))}
              </div>
              {canCall ? (
                <div class="bar card">
                  <label for="room" style="margin:0">{t('Ruang', 'Room')}</label>
                  <select id="room" data-testid="room-select"></select>
                  <button type="button" id="call-next" class="big" style="width:auto;flex:1" data-testid="call-next">{t('Panggil berikutnya', 'Call next')}</button>
                </div>
              ) : null}
              <div id="board-msg" class="msg" data-testid="board-msg" role="status" hidden></div>
              <div class="bar">
                <div class="counts grow" id="counts" data-testid="queue-counts"></div>
                <label class="inline"><input type="checkbox" id="show-all" data-testid="show-all" />{t('Tampilkan yang selesai', 'Show finished')}</label>
              </div>
              <div class="tbl-wrap">
                <table data-testid="ticket-table">
                  <thead><tr><th>{t('Nomor', 'Number')}</th><th>{t('Status', 'Status')}</th><th>{t('Pasien', 'Patient')}</th><th>{t('Ambil', 'Taken')}</th><th>{t('Tindakan', 'Actions')}</th></tr></thead>
                  <tbody id="tickets"></tbody>
                </table>
              </div>
              <div class="pager"><button type="button" class="sec" id="prev" data-testid="page-prev">‹</button><span id="pageno"></span><button type="button" class="sec" id="next" data-testid="page-next">›</button></div>
            </section>
            <aside>
              {canDesk ? (
                <section class="card" id="walkin" data-testid="walkin">
                  <h2 style="margin-top:0">{t('Tiket langsung (datang ke meja)', 'Walk-in ticket (at the desk)')}</h2>
                  <label for="walkin-poli">Poli</label>
                  <select id="walkin-poli" data-testid="walkin-poli" style="width:100%">{settings.polis.map((p) => <option value={p.code}>{p.name}</option>)}</select>
                  <div id="walkin-patient" class="small" data-testid="walkin-patient" style="margin-top:6px"></div>
                  <p><button type="button" id="walkin-submit" class="big" data-testid="walkin-submit">{t('Buat tiket', 'Make ticket')}</button></p>
                  <div id="walkin-result" data-testid="walkin-result" hidden style="text-align:center">
                    <div class="lbl" id="walkin-label" data-testid="walkin-label"></div>
                    <img id="walkin-qr" class="walkin-qr" data-testid="walkin-qr" alt="QR" />
                    <a id="walkin-link" data-testid="walkin-link" class="small" target="_blank" rel="noopener"></a>
                  </div>
                </section>
              ) : null}
              {canCall || canDesk ? (
                <section class="card" id="patients" data-testid="patient-panel">
                  <h2 style="margin-top:0" id="pick-title">{t('Cari pasien', 'Find a patient')}</h2>
                  <div id="pick-mode" class="msg info" hidden><span id="pick-mode-text"></span> <button type="button" class="sec" id="pick-cancel" style="min-height:36px">{t('Batal', 'Cancel')}</button></div>
                  <input id="patient-search" type="search" data-testid="patient-search" autocomplete="off" placeholder={t('Nama, NIK atau nomor JKN', 'Name, NIK or JKN number')} style="width:100%" />
                  <div id="patient-results" data-testid="patient-results" aria-live="polite"></div>
                  <details id="register" data-testid="register-details">
                    <summary style="min-height:44px;padding:10px 0;font-weight:700;cursor:pointer">{t('Daftarkan pasien baru', 'Register a new patient')}</summary>
                    <form id="register-form" data-testid="register-form" novalidate>
                      <label for="r-fullName">{t('Nama lengkap', 'Full name')}</label>
                      <input id="r-fullName" name="fullName" required style="width:100%" data-testid="register-fullName" />
                      <div class="field-err" data-for="fullName"></div>
                      <label for="r-nik">NIK</label>
                      <input id="r-nik" name="nik" inputmode="numeric" maxlength={16} style="width:100%" data-testid="register-nik" />
                      <div class="field-err" data-for="nik" data-testid="register-nik-error"></div>
                      <label for="r-jknNumber">{t('Nomor kartu JKN', 'JKN card number')}</label>
                      <input id="r-jknNumber" name="jknNumber" inputmode="numeric" maxlength={13} style="width:100%" data-testid="register-jkn" />
                      <div class="field-err" data-for="jknNumber" data-testid="register-jkn-error"></div>
                      <label>{t('Jenis kelamin', 'Sex')}</label>
                      <label class="inline"><input type="radio" name="sex" value="L" data-testid="register-sex-L" />{t('Laki-laki', 'Male')}</label>
                      <label class="inline"><input type="radio" name="sex" value="P" data-testid="register-sex-P" />{t('Perempuan', 'Female')}</label>
                      <div class="field-err" data-for="sex"></div>
                      <label for="r-birthDate">{t('Tanggal lahir', 'Birth date')}</label>
                      <input id="r-birthDate" name="birthDate" type="date" style="width:100%" data-testid="register-birthDate" />
                      <div class="field-err" data-for="birthDate"></div>
                      <label for="r-phone">{t('No. HP (boleh kosong)', 'Phone (optional)')}</label>
                      <input id="r-phone" name="phone" inputmode="tel" style="width:100%" />
                      <div class="field-err" data-for="phone"></div>
                      <label for="r-address">{t('Alamat (boleh kosong)', 'Address (optional)')}</label>
                      <input id="r-address" name="address" style="width:100%" />
                      <label class="inline" style="margin-top:10px"><input type="checkbox" name="registeredHere" checked />{t('Peserta terdaftar di faskes ini', 'Registered at this facility')}</label>
                      <div id="register-error" class="msg err" data-testid="register-error" role="alert" hidden></div>
                      <p><button type="submit" data-testid="register-submit">{t('Daftarkan', 'Register')}</button></p>
                    </form>
                  </details>
                </section>
              ) : null}
            </aside>
          </div>
        </main>
      </StaffLayout>
    ));
  });
}
