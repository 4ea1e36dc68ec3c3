import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../../env.ts';
import { tr } from '../../i18n.ts';
import type { Role } from '../../../clinic/staff.ts';
import { render } from '../layout.tsx';
import { page, staffRoles } from '../guard.tsx';
import { StaffLayout } from './layout.tsx';

/** /staff: one tile per page the role may open (every tile's page exists on the box). */
export function registerStaffHome(app: OpenAPIHono<AppEnv>) {
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
    const mine = tiles.filter((x) => x.roles.includes(role));
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
}
