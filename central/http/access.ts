/**
 * Who may use a hub route. Every route states it in one table (`hubRouteTable`), so that a test
 * can walk every route without credentials, with wrong and malformed ones, and with the right
 * ones, and so that nothing is open by omission: a route that is not in the table is not served.
 *
 * One route is public on purpose: `POST /enrol`, where a new box, which has no credential yet,
 * trades a claim code (made by a district operator, single use, expiring, bound to one facility)
 * and a certificate signing request for its certificate. The claim code is the credential; the
 * route is throttled per client address (central/http/throttle.ts), checks the request before it
 * touches the claim, and answers only what the box needs (its id, its certificate, the CA
 * certificate and the broker's address: nothing secret).
 *
 * Today there is one role, the hub's operator ('admin'), who proves it with the admin token
 * (`SIMPUL_HUB_ADMIN_TOKEN`) as a Bearer token or as the password of HTTP Basic (any user name,
 * so a browser's login prompt works). Hospital and doctor accounts come later as more roles in
 * the same table, each with its own credentials; nothing here assumes there is only one.
 * Web standards only (crypto.subtle): no Node type in here.
 */
export type HubRole = 'admin';
/** 'public': anyone who can reach the hub (only what a load balancer's health check needs). */
export type HubAccess = HubRole | 'public';

export interface HubRoute {
  method: 'GET' | 'POST';
  path: string;
  access: readonly HubAccess[];
  /** What it serves, for the README and the test's report. */
  what: string;
}

export const hubRouteTable: readonly HubRoute[] = [
  { method: 'GET', path: '/healthz', access: ['public'], what: 'the hub answers and its database answers' },
  { method: 'GET', path: '/', access: ['admin'], what: 'status page per box (ids, facilities, backlog, last errors)' },
  { method: 'GET', path: '/api/devices', access: ['admin'], what: 'the same as JSON' },
  { method: 'GET', path: '/metrics', access: ['admin'], what: 'Prometheus metrics per box' },
  { method: 'GET', path: '/admin/referrals', access: ['admin'], what: 'referrals received (patient names, diagnoses), to answer them' },
  { method: 'POST', path: '/admin/referrals/:id/answer', access: ['admin'], what: 'a hospital’s answer to a referral, sent to the box' },
  { method: 'POST', path: '/admin/formulary', access: ['admin'], what: 'the district formulary, sent to the boxes' },
  { method: 'POST', path: '/admin/devices/:id/revoke', access: ['admin'], what: 'revokes a box: off the broker at once, refused from then on' },
  { method: 'POST', path: '/enrol', access: ['public'], what: 'a new box trades a claim code and its certificate request for its certificate (throttled per address; the claim code is the credential)' },
];

export interface Principal {
  role: HubRole;
}

/** The request's credentials: a principal, none given, or a header that is not a credential at all. */
export type CredentialCheck = { ok: true; principal: Principal } | { ok: false; why: 'missing' | 'malformed' | 'wrong' | 'no_admin_token' };

const digest = async (s: string) => new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(s)));

/** Equal in time that does not depend on where they differ (both hashed first, so lengths leak nothing either). */
export async function sameSecret(a: string, b: string): Promise<boolean> {
  const [x, y] = await Promise.all([digest(a), digest(b)]);
  let diff = 0;
  for (let i = 0; i < x.length; i++) diff |= x[i] ^ y[i];
  return diff === 0;
}

/** The secret a header carries: Bearer <token>, or Basic base64(user:token). */
function secretOf(header: string): string | null {
  const m = /^(Bearer|Basic) +([\x21-\x7e]{1,1024})$/i.exec(header.trim());
  if (!m) return null;
  if (m[1].toLowerCase() === 'bearer') return m[2];
  let decoded: string;
  try {
    const bytes = Uint8Array.from(atob(m[2]), (ch) => ch.charCodeAt(0));
    decoded = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
  const colon = decoded.indexOf(':');
  return colon < 0 ? null : decoded.slice(colon + 1);
}

export async function checkCredentials(authorization: string | undefined, adminToken: string | undefined): Promise<CredentialCheck> {
  if (!authorization) return { ok: false, why: 'missing' };
  const secret = secretOf(authorization);
  if (secret === null) return { ok: false, why: 'malformed' };
  if (!adminToken) return { ok: false, why: 'no_admin_token' };
  return (await sameSecret(secret, adminToken)) ? { ok: true, principal: { role: 'admin' } } : { ok: false, why: 'wrong' };
}
