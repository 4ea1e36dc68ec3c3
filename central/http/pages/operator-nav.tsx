/** The console's navigation for a signed-in caller: its pages, who it is, and a sign-out form (with the session's CSRF token). */
import type { Principal } from '../access.ts';
import { hubWords, type HubLang } from '../words.ts';

export function OperatorNav({ lang, who }: { lang: HubLang; who: Principal | undefined }) {
  const w = hubWords[lang];
  return (
    <>
      <a href="/fleet">{w.navFleet}</a>
      <a href="/">{w.navBoxes}</a>
      <a href="/boxes">{w.navBoxList}</a>
      <a href="/jobs">{w.navJobs}</a>
      <a href="/fleet/rollouts">{w.navRollouts}</a>
      <a href="/audit">{w.navAudit}</a>
      <a href="/admin/referrals">{w.answerReferralsLink}</a>
      {who ? (
        <span data-testid="signed-in-as">
          {who.actor} ({w.roleName[who.role]}
          {who.scope ? ` ${who.scope}` : ''})
        </span>
      ) : null}
      {who?.csrf ? (
        <form method="post" action="/logout" style="display:inline">
          <input type="hidden" name="csrf" value={who.csrf} />
          <button type="submit" data-testid="logout">
            {w.logoutButton}
          </button>
        </form>
      ) : null}
    </>
  );
}
