import type { Context } from 'hono';
import type { AppEnv } from '../../env.ts';
import { type Lang } from '../../i18n.ts';
import { words } from '../../../words/index.ts';
import { pageCss } from '../bundles.ts';
import { Layout } from '../layout.tsx';
import type { PageWords, StaffWord } from '../../../words/page-words.ts';

/**
 * What the staff pages share, made for a 10-inch tablet on the clinic LAN: the stylesheet
 * (styles/staff.css), the words every staff script uses, and the layout that carries them with the
 * session's role and the box's time zone for the page's script. One file per page beside this one.
 */
export const staffCss = pageCss('staff');

export const staffWords = (lang: Lang): PageWords<StaffWord> => {
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

export function StaffLayout(p: {
  c: Context<AppEnv>;
  title: string;
  scripts: string[];
  strings?: Record<string, string>;
  data?: unknown;
  extraCss?: string;
  children: unknown;
  skipLink?: boolean;
}) {
  const lang = p.c.get('lang');
  return (
    <Layout
      c={p.c}
      title={p.title}
      variant="tablet"
      skipLink={p.skipLink}
      extraCss={staffCss + (p.extraCss ?? '')}
      scripts={p.scripts}
      strings={{ ...staffWords(lang), ...(p.strings ?? {}) }}
      data={{ staff: true, role: p.c.get('session')?.actor.role ?? null, tz: p.c.get('deps').settings.timeZone, ...((p.data as object) ?? {}) }}
    >
      {p.children as never}
    </Layout>
  );
}
