import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../../env.ts';
import { words } from '../../../words/index.ts';
import type { Role } from '../../../clinic/staff.ts';
import { render } from '../layout.tsx';
import { page, staffRoles } from '../guard.tsx';
import { StaffLayout } from './layout.tsx';

/** /staff: one tile per page the role may open (every tile's page exists on the box). */
export function registerStaffHome(app: OpenAPIHono<AppEnv>) {
  page(app, '/staff', staffRoles, (c) => {
    const lang = c.get('lang');
    const w = words(lang);
    const role = c.get('session')!.actor.role;
    const tiles: { href: string; title: string; text: string; roles: Role[]; id: string }[] = [
      { id: 'antrean', href: '/staff/antrean', title: w.queue, text: w.callNumbersWalkInsRegister, roles: ['nurse', 'doctor', 'midwife', 'admin'] },
      { id: 'pemeriksaan', href: '/staff/pemeriksaan', title: w.examination, text: w.soapIcd10DiagnosisPrescription, roles: ['doctor', 'midwife'] },
      { id: 'farmasi', href: '/staff/farmasi', title: w.pharmacy, text: w.prescriptionsToDispenseStock, roles: ['pharmacist', 'admin'] },
      { id: 'karcis', href: '/staff/karcis', title: w.kar_title, text: w.kar_tileText, roles: ['nurse', 'midwife', 'admin'] },
      { id: 'pasien', href: '/staff/pasien', title: w.pat_title, text: w.pat_tileText, roles: ['nurse', 'doctor', 'midwife', 'admin'] },
      { id: 'laporan', href: '/staff/laporan', title: w.rep_title, text: w.rep_tileText, roles: ['admin', 'doctor'] },
      { id: 'akun', href: '/staff/akun', title: w.staffAccounts, text: w.acc_tileText, roles: ['admin'] },
      { id: 'audit', href: '/staff/audit', title: w.aud_title, text: w.aud_tileText, roles: ['admin'] },
      { id: 'admin', href: '/staff/admin', title: 'Admin', text: w.auditLogOutboxStaffAccounts, roles: ['admin'] },
      { id: 'layar', href: '/layar', title: w.waitingRoomScreen, text: w.openOnTheWaitingRoom, roles: ['nurse', 'admin'] },
      { id: 'poster', href: '/poster', title: w.entrancePoster, text: w.printTheTakeANumber, roles: ['nurse', 'admin'] },
    ];
    const mine = tiles.filter((x) => x.roles.includes(role));
    return render(
      c,
      <StaffLayout c={c} title={w.staffHome} scripts={['staff']}>
        <main>
          <h1>
            {w.welcome}, {c.get('session')!.actor.name}
          </h1>
          <div class="tiles" data-testid="staff-tiles">
            {mine.map((x) => (
              <a class="tile" href={x.href} data-testid={`tile-${x.id}`}>
                <b>{x.title}</b>
                <span class="muted">{x.text}</span>
              </a>
            ))}
          </div>
        </main>
      </StaffLayout>,
    );
  });
}
