import type { Lang } from '../../i18n.ts';
import { words } from '../../../words/index.ts';

/**
 * The "Pintasan" line of a page with shortcut keys (browser/shortcut-keys.ts): each key and what
 * it does, so that nobody has to guess them; the elements themselves carry `aria-keyshortcuts`.
 */
export function ShortcutHint(p: { lang: Lang; keys: [key: string, does: string][] }) {
  const w = words(p.lang);
  return (
    <p class="small muted" data-testid="shortcut-hint" style="margin:4px 0 8px">
      <b>{w.shortcutsTitle}:</b>{' '}
      {p.keys.map(([key, does], i) => (
        <>
          {i ? ' · ' : ''}
          <kbd>{key}</kbd> {does}
        </>
      ))}{' '}
      ({w.shortcutNotWhileTyping})
    </p>
  );
}
