import type { Context } from 'hono';
import type { AppEnv } from '../../env.ts';
import { tr, type Lang } from '../../i18n.ts';
import { pageCss } from '../bundles.ts';
import { Layout } from '../layout.tsx';

/**
 * What the staff pages share, made for a 10-inch tablet on the clinic LAN: the stylesheet
 * (styles/staff.css), the words every staff script uses, and the layout that carries them with the
 * session's role and the box's time zone for the page's script. One file per page beside this one.
 */
export const staffCss = pageCss('staff');

export const staffWords = (lang: Lang) => {
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

export function StaffLayout(p: { c: Context<AppEnv>; title: string; scripts: string[]; strings?: Record<string, string>; data?: unknown; children: unknown }) {
  const lang = p.c.get('lang');
  return (
    <Layout c={p.c} title={p.title} variant="tablet" extraCss={staffCss} scripts={p.scripts} strings={{ ...staffWords(lang), ...(p.strings ?? {}) }}
      data={{ staff: true, role: p.c.get('session')?.actor.role ?? null, tz: p.c.get('deps').settings.timeZone, ...(p.data as object ?? {}) }}>
      {p.children as never}
    </Layout>
  );
}
