/** Referrals the boxes sent, newest first, each with a form to answer it as the hospital would. */
import { hubWords, type HubLang, type HubWords } from '../words.ts';
import type { ReferralView } from '../schemas.ts';
import type { Principal } from '../access.ts';
import { HubLayout } from './layout.tsx';
import { OperatorNav } from './operator-nav.tsx';

export interface ReferralRow {
  deviceId: string;
  referralId: string;
  version: number;
  referral: ReferralView;
  /** An answer is queued and the box has not acknowledged it yet. */
  answerWaiting: boolean;
}

/** The answers a hospital gives (the contract's referralAnswer statuses), in the order the form offers them. */
const answers = ['accepted', 'scheduled', 'rejected', 'sent', 'used'] as const;

const statusWord = (w: HubWords, s: string | undefined) => (s && s in w.referralStatus ? w.referralStatus[s as keyof HubWords['referralStatus']] : (s ?? '—'));

export function ReferralsPage({ lang, who, rows }: { lang: HubLang; who?: Principal; rows: ReferralRow[] }) {
  const w = hubWords[lang];
  return (
    <HubLayout lang={lang} path="/admin/referrals" title={w.referralsTitle} nav={<OperatorNav lang={lang} who={who} />}>
      <table>
        <tr>
          <th>{w.colPatient}</th>
          <th>{w.colTo}</th>
          <th>{w.colStatus}</th>
          <th>{w.colAnswer}</th>
        </tr>
        {rows.length ? (
          rows.map((r) => {
            const p = r.referral;
            return (
              <tr data-testid={`referral-${r.referralId}`}>
                <td>
                  {p.patient?.name}
                  <br />
                  <small>{r.deviceId}</small>
                </td>
                <td>
                  {p.hospital?.name} · {p.specialty}
                  <br />
                  {p.diagnosis?.code} {p.diagnosis?.name}
                  {p.emergency ? (
                    <>
                      {' '}
                      <b class="warn">{w.emergency}</b>
                    </>
                  ) : null}
                  {p.reason ? (
                    <>
                      <br />
                      <small>{p.reason}</small>
                    </>
                  ) : null}
                </td>
                <td>
                  {statusWord(w, p.status)} (v{r.version})
                  {r.answerWaiting ? (
                    <>
                      <br />
                      <i>{w.answerWaiting}</i>
                    </>
                  ) : null}
                </td>
                <td>
                  <form method="post" action={`/admin/referrals/${r.referralId}/answer`} data-testid={`answer-${r.referralId}`}>
                    {who?.csrf ? <input type="hidden" name="csrf" value={who.csrf} /> : null}
                    <select name="status">
                      {answers.map((a) => (
                        <option value={a}>{w.referralStatus[a]}</option>
                      ))}
                    </select>
                    <input type="date" name="scheduledFor" aria-label={w.scheduledForLabel} />
                    <input name="note" placeholder={w.notePlaceholder} aria-label={w.notePlaceholder} maxlength={1000} />
                    <button>{w.answerButton}</button>
                  </form>
                </td>
              </tr>
            );
          })
        ) : (
          <tr>
            <td colspan={4}>{w.noReferralYet}</td>
          </tr>
        )}
      </table>
    </HubLayout>
  );
}
