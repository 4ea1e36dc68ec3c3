import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../../env.ts';
import { tr } from '../../i18n.ts';
import { render } from '../layout.tsx';
import { page } from '../guard.tsx';
import { StaffLayout } from './layout.tsx';

/** /staff/admin: outbox, link to the centre, audit log, staff accounts; browser/admin.ts fills the lists. */
export function registerAdminPage(app: OpenAPIHono<AppEnv>) {
  page(app, '/staff/admin', ['admin'], (c) => {
    const lang = c.get('lang');
    const t = (id: string, en: string) => tr(lang, id, en);
    return render(c, (
      <StaffLayout c={c} title="Admin" scripts={['admin']}
        strings={{ created: t('Akun {u} dibuat.', 'Account {u} created.'), active: t('aktif', 'active'), inactive: t('nonaktif', 'inactive'), never: t('—', '—'), delivered: t('terkirim', 'delivered'), pending: t('menunggu', 'pending'), parked: t('ditahan', 'parked'),
          connected: t('tersambung', 'connected'), offline: t('terputus — data aman di kotak, dikirim saat sambungan kembali', 'offline — records are safe on the box and go when the link returns'),
          notEnrolled: t('belum didaftarkan ke pusat', 'not enrolled with the centre'), resend: t('Kirim ulang', 'Send again'), lastError: t('Galat terakhir', 'Last error') }}>
        <main>
          <h1>Admin</h1>
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
