import type { Context } from 'hono';
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../env.ts';
import { tr, type Lang } from '../i18n.ts';
import { routeTable } from '../access.ts';
import type { Role } from '../../clinic/staff.ts';
import { Layout, render } from './layout.tsx';
import { page, staffRoles } from './guard.tsx';
import { ticketStrings } from './patient.tsx';
import { ReferenceDataCard } from './reference-data.tsx';
import { referenceDataStatus } from '../../clinic/reference-data.ts';

/** Staff pages, made for a 10-inch tablet on the clinic LAN. */

const css = `
.tiles{display:grid;grid-template-columns:repeat(auto-fill,minmax(240px,1fr));gap:12px}
.tile{display:block;background:#fff;border:2px solid var(--pri);border-radius:12px;padding:18px;text-decoration:none;color:var(--fg);min-height:110px}
.tile b{display:block;font-size:22px;color:var(--pri)}
.board{display:grid;grid-template-columns:minmax(0,1fr) 380px;gap:14px;align-items:start}
@media (max-width:900px){.board{grid-template-columns:1fr}}
.tabs{display:flex;gap:6px;flex-wrap:wrap;margin-bottom:10px}
.tabs button{background:#fff;color:var(--pri)}
.tabs button[aria-selected=true]{background:var(--pri);color:#fff}
.bar{display:flex;gap:8px;flex-wrap:wrap;align-items:center;margin-bottom:10px}
.lbl{font-size:22px;font-weight:800;white-space:nowrap}
#walkin-link{word-break:break-all}
.board>*{min-width:0}
td .acts{display:flex;gap:6px;flex-wrap:wrap}
td .acts button{min-height:44px;padding:4px 10px;font-size:15px}
.counts span{margin-right:12px}
.res{display:flex;justify-content:space-between;gap:8px;align-items:center;border-bottom:1px solid var(--line);padding:6px 0}
.field-err{color:var(--bad);font-size:14px}
.walkin-qr{width:220px;height:220px;display:block;margin:8px auto}
.pager{display:flex;gap:8px;align-items:center;justify-content:flex-end;margin-top:8px}
.filters{display:grid;grid-template-columns:repeat(auto-fill,minmax(180px,1fr));gap:8px;align-items:end}
.filters label{margin:0 0 4px}
.filters input,.filters select{width:100%}
.stat{font-size:30px;font-weight:800}
.stats{display:grid;grid-template-columns:repeat(auto-fill,minmax(200px,1fr));gap:12px}
.tbl-wrap{overflow-x:auto}
`;

const common = (lang: Lang) => {
  const t = (id: string, en: string) => tr(lang, id, en);
  return {
    offline: t('Tidak terhubung ke kotak. Periksa Wi-Fi lalu coba lagi.', 'Not connected to the box. Check the Wi-Fi and try again.'),
    netError: t('Gagal', 'Failed'),
    connOn: t('langsung', 'live'),
    connOff: t('menyambung ulang…', 'reconnecting…'),
    page: t('Hal. {n}', 'Page {n}'),
    none: t('Tidak ada data.', 'Nothing to show.'),
    saved: t('Tersimpan.', 'Saved.'),
  };
};

function StaffLayout(p: { c: Context<AppEnv>; title: string; scripts: string[]; strings?: Record<string, string>; data?: unknown; children: unknown }) {
  const lang = p.c.get('lang');
  return (
    <Layout c={p.c} title={p.title} variant="tablet" extraCss={css} scripts={p.scripts} strings={{ ...common(lang), ...(p.strings ?? {}) }}
      data={{ staff: true, role: p.c.get('session')?.actor.role ?? null, tz: p.c.get('deps').settings.timeZone, ...(p.data as object ?? {}) }}>
      {p.children as never}
    </Layout>
  );
}

/** Whether a page under /staff is registered: a home tile never links to a page that is not there. */
function hasPage(path: string) {
  return routeTable().some((r) => r.kind === 'page' && r.method === 'GET' && r.path === path);
}

export function registerStaffPages(app: OpenAPIHono<AppEnv>) {
  page(app, '/staff/login', ['public'], (c) => {
    const lang = c.get('lang');
    const t = (id: string, en: string) => tr(lang, id, en);
    const next = c.req.query('next');
    const safeNext = next && /^\/staff(\/[A-Za-z0-9/_.-]*)?(\?[^\s<>"]*)?$/.test(next) ? next : '/staff';
    return render(c, (
      <Layout c={c} title={t('Masuk petugas', 'Staff login')} variant="tablet" extraCss={css} scripts={['login']}
        strings={{ ...common(lang), wrong: t('Nama pengguna atau kata sandi salah.', 'Wrong username or password.') }} data={{ next: safeNext }}>
        <main style="max-width:460px">
          <h1>{t('Masuk petugas', 'Staff login')}</h1>
          <form id="login-form" class="card" data-testid="login-form" method="post" action="#" autocomplete="on">
            <label for="username">{t('Nama pengguna', 'Username')}</label>
            <input id="username" name="username" data-testid="login-username" autocomplete="username" autocapitalize="none" required style="width:100%" />
            <label for="password">{t('Kata sandi', 'Password')}</label>
            <input id="password" name="password" type="password" data-testid="login-password" autocomplete="current-password" required style="width:100%" />
            <div id="login-error" class="msg err" data-testid="login-error" role="alert" hidden></div>
            <p><button type="submit" class="big" data-testid="login-submit">{t('Masuk', 'Log in')}</button></p>
          </form>
          {c.get('deps').demo ? <p class="small muted" data-testid="demo-hint">{t('Mode demo: akun demo tercetak di konsol saat kotak dinyalakan.', 'Demo mode: the demo accounts are printed on the console at start.')}</p> : null}
        </main>
      </Layout>
    ));
  });

  page(app, '/staff', staffRoles, (c) => {
    const lang = c.get('lang');
    const t = (id: string, en: string) => tr(lang, id, en);
    const role = c.get('session')!.actor.role;
    const tiles: { href: string; title: string; text: string; roles: Role[]; id: string }[] = [
      { id: 'antrean', href: '/staff/antrean', title: t('Antrean', 'Queue'), text: t('Panggil nomor, pasien langsung, daftar pasien', 'Call numbers, walk-ins, register patients'), roles: ['nurse', 'doctor', 'admin'] },
      { id: 'pemeriksaan', href: '/staff/pemeriksaan', title: t('Pemeriksaan', 'Examination'), text: t('SOAP, diagnosis ICD-10, resep, rujukan', 'SOAP, ICD-10 diagnosis, prescription, referral'), roles: ['doctor'] },
      { id: 'farmasi', href: '/staff/farmasi', title: t('Farmasi', 'Pharmacy'), text: t('Resep untuk disiapkan, stok obat', 'Prescriptions to dispense, stock'), roles: ['pharmacist', 'admin'] },
      { id: 'admin', href: '/staff/admin', title: 'Admin', text: t('Log audit, kotak keluar, akun petugas', 'Audit log, outbox, staff accounts'), roles: ['admin'] },
      { id: 'layar', href: '/layar', title: t('Layar ruang tunggu', 'Waiting-room screen'), text: t('Buka di TV ruang tunggu', 'Open on the waiting-room TV'), roles: ['nurse', 'admin'] },
      { id: 'poster', href: '/poster', title: t('Poster pintu masuk', 'Entrance poster'), text: t('Cetak QR untuk ambil nomor', 'Print the take-a-number QR'), roles: ['nurse', 'admin'] },
    ];
    const mine = tiles.filter((x) => x.roles.includes(role) && (x.href.startsWith('/staff/') ? hasPage(x.href) : true));
    return render(c, (
      <StaffLayout c={c} title={t('Beranda petugas', 'Staff home')} scripts={['staff']}>
        <main>
          <h1>{t('Selamat bertugas', 'Welcome')}, {c.get('session')!.actor.name}</h1>
          <div class="tiles" data-testid="staff-tiles">
            {mine.map((x) => <a class="tile" href={x.href} data-testid={`tile-${x.id}`}><b>{x.title}</b><span class="muted">{x.text}</span></a>)}
          </div>
        </main>
      </StaffLayout>
    ));
  });

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

  page(app, '/staff/admin', ['admin'], async (c) => {
    const lang = c.get('lang');
    const referenceData = await referenceDataStatus(c.get('deps').db);
    const t = (id: string, en: string) => tr(lang, id, en);
    return render(c, (
      <StaffLayout c={c} title="Admin" scripts={['admin']}
        strings={{ created: t('Akun {u} dibuat.', 'Account {u} created.'), active: t('aktif', 'active'), inactive: t('nonaktif', 'inactive'), never: t('—', '—'), delivered: t('terkirim', 'delivered'), pending: t('menunggu', 'pending'), parked: t('ditahan', 'parked'),
          connected: t('tersambung', 'connected'), offline: t('terputus — data aman di kotak, dikirim saat sambungan kembali', 'offline — records are safe on the box and go when the link returns'),
          notEnrolled: t('belum didaftarkan ke pusat', 'not enrolled with the centre'), resend: t('Kirim ulang', 'Send again'), lastError: t('Galat terakhir', 'Last error') }}>
        <main>
          <h1>Admin</h1>
          <ReferenceDataCard lang={lang} s={referenceData} />
          <section class="card" data-testid="outbox">
            <h2 style="margin-top:0">{t('Kotak keluar (menunggu dikirim ke pusat)', 'Outbox (waiting to be sent to the centre)')}</h2>
            <div class="stats">
              <div><div class="muted">{t('Menunggu', 'Pending')}</div><div class="stat" id="ob-pending" data-testid="outbox-pending">…</div></div>
              <div><div class="muted">{t('Tertua menunggu', 'Oldest pending')}</div><div class="stat" id="ob-oldest" data-testid="outbox-oldest" style="font-size:20px">…</div></div>
              <div><div class="muted">{t('Ukuran', 'Size')}</div><div class="stat" id="ob-bytes" data-testid="outbox-bytes">…</div></div>
              <div><div class="muted">{t('Total tercatat', 'Total recorded')}</div><div class="stat" id="ob-total" data-testid="outbox-total">…</div></div>
            </div>
            <div id="ob-types" class="small muted"></div>
            <div class="tbl-wrap"><table data-testid="outbox-table"><thead><tr><th>#</th><th>{t('Jenis', 'Type')}</th><th>{t('Data', 'Entity')}</th><th>{t('Dibuat', 'Created')}</th><th>{t('Status', 'Status')}</th></tr></thead><tbody id="ob-rows"></tbody></table></div>
            <div class="pager"><button type="button" class="sec" id="ob-prev" data-testid="outbox-prev">‹</button><span id="ob-page"></span><button type="button" class="sec" id="ob-next" data-testid="outbox-next">›</button></div>
          </section>

          <section class="card" data-testid="sync">
            <h2 style="margin-top:0">{t('Sambungan ke pusat', 'Link to the centre')}</h2>
            <div class="stats">
              <div><div class="muted">{t('Status', 'Status')}</div><div class="stat" id="sy-state" data-testid="sync-state" style="font-size:20px">…</div></div>
              <div><div class="muted">{t('Terakhir berhasil', 'Last success')}</div><div class="stat" id="sy-last" data-testid="sync-last" style="font-size:20px">…</div></div>
              <div><div class="muted">{t('Ditahan (ditolak pusat)', 'Parked (refused by the centre)')}</div><div class="stat" id="sy-parked" data-testid="sync-parked">…</div></div>
            </div>
            <div id="sy-error" class="small" data-testid="sync-error"></div>
            <div class="tbl-wrap"><table data-testid="parked-table"><thead><tr><th>#</th><th>{t('Jenis', 'Type')}</th><th>{t('Alasan', 'Reason')}</th><th></th></tr></thead><tbody id="sy-rows"></tbody></table></div>
          </section>

          <section class="card" data-testid="audit">
            <h2 style="margin-top:0">{t('Log audit (akses data klinis pasien)', 'Audit log (access to patients’ clinical data)')}</h2>
            <form id="audit-form" class="filters" data-testid="audit-filters">
              <div><label for="a-staff">{t('Petugas', 'Staff')}</label><select id="a-staff" name="staffId" data-testid="audit-staff"><option value="">{t('Semua', 'All')}</option></select></div>
              <div><label for="a-entity">{t('Jenis data', 'Entity')}</label><select id="a-entity" name="entity" data-testid="audit-entity">
                <option value="">{t('Semua', 'All')}</option>
                {['patient', 'queue_ticket', 'encounter', 'prescription', 'referral', 'consent'].map((e) => <option value={e}>{e}</option>)}
              </select></div>
              <div><label for="a-patient">{t('ID pasien', 'Patient id')}</label><input id="a-patient" name="patientId" data-testid="audit-patient" placeholder="uuid" /></div>
              <div><label for="a-from">{t('Dari tanggal', 'From')}</label><input id="a-from" name="from" type="date" data-testid="audit-from" /></div>
              <div><label for="a-to">{t('Sampai tanggal', 'To')}</label><input id="a-to" name="to" type="date" data-testid="audit-to" /></div>
              <div><button type="submit" data-testid="audit-apply">{t('Terapkan', 'Apply')}</button></div>
            </form>
            <div id="audit-error" class="msg err" role="alert" hidden></div>
            <div class="tbl-wrap"><table data-testid="audit-table"><thead><tr><th>{t('Waktu', 'When')}</th><th>{t('Petugas', 'Staff')}</th><th>{t('Aksi', 'Action')}</th><th>{t('Data', 'Entity')}</th><th>{t('Pasien', 'Patient')}</th><th>{t('Perangkat', 'Device')}</th></tr></thead><tbody id="audit-rows"></tbody></table></div>
            <div class="pager"><button type="button" class="sec" id="audit-prev" data-testid="audit-prev">‹</button><span id="audit-page"></span><button type="button" class="sec" id="audit-next" data-testid="audit-next">›</button></div>
          </section>

          <section class="card" data-testid="staff-accounts">
            <h2 style="margin-top:0">{t('Akun petugas', 'Staff accounts')}</h2>
            <div class="tbl-wrap"><table data-testid="staff-table"><thead><tr><th>{t('Nama pengguna', 'Username')}</th><th>{t('Nama', 'Name')}</th><th>{t('Peran', 'Role')}</th><th>Status</th></tr></thead><tbody id="staff-rows"></tbody></table></div>
            <h2>{t('Buat akun', 'Create an account')}</h2>
            <form id="staff-form" class="filters" data-testid="staff-create-form" novalidate>
              <div><label for="s-username">{t('Nama pengguna', 'Username')}</label><input id="s-username" name="username" autocapitalize="none" data-testid="staff-username" /><div class="field-err" data-for="username"></div></div>
              <div><label for="s-fullName">{t('Nama lengkap', 'Full name')}</label><input id="s-fullName" name="fullName" data-testid="staff-fullName" /><div class="field-err" data-for="fullName"></div></div>
              <div><label for="s-role">{t('Peran', 'Role')}</label><select id="s-role" name="role" data-testid="staff-role">
                <option value="nurse">{t('Perawat/Pendaftaran', 'Nurse/Registration')}</option><option value="doctor">{t('Dokter', 'Doctor')}</option>
                <option value="pharmacist">{t('Apoteker', 'Pharmacist')}</option><option value="admin">Admin</option>
              </select></div>
              <div><label for="s-password">{t('Kata sandi (min. 10)', 'Password (min. 10)')}</label><input id="s-password" name="password" type="password" autocomplete="new-password" data-testid="staff-password" /><div class="field-err" data-for="password"></div></div>
              <div><button type="submit" data-testid="staff-create">{t('Buat akun', 'Create')}</button></div>
            </form>
            <div id="staff-msg" class="msg" role="status" data-testid="staff-msg" hidden></div>
          </section>
        </main>
      </StaffLayout>
    ));
  });
}
