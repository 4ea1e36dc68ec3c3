/**
 * Who may use a hub route. Every route states it in one table (`hubRouteTable`), so that a test
 * can walk every route without credentials, with wrong and malformed ones, and with each role,
 * and so that nothing is open by omission: a route that is not in the table is not served.
 *
 * One route is public on purpose: `POST /enrol`, where a new box, which has no credential yet,
 * trades a claim code (made by a district operator, single use, expiring, bound to one facility)
 * and a certificate signing request for its certificate. The claim code is the credential; the
 * route is throttled per client address (central/http/throttle.ts), checks the request before it
 * touches the claim, and answers only what the box needs (its id, its certificate, the CA
 * certificate and the broker's address: nothing secret).
 *
 * Roles: 'admin' is whoever holds the hub's admin token (`SIMPUL_HUB_ADMIN_TOKEN`) as a Bearer
 * token or as the password of HTTP Basic (any user name), for scripts and the CLI; it sees the
 * whole nation. 'national', 'province' and 'district' are operator accounts (central/operators/)
 * with a session cookie, each scoped to its region (SHARED-DECISIONS: '' / 2 / 4 digits): every
 * list, page and action of a route is cut to the boxes whose region starts with the scope.
 *
 * What each caller gets (test/hub-route-walk.test.ts checks every route this way):
 * - a role in `access`: the route's own answer (2xx, a 303 after a form, or a 4xx about the
 *   request itself: a bad body, a box out of scope is 404 as if it did not exist);
 * - a role not in `access`: 403 `forbidden`;
 * - no credentials: 401 `unauthenticated`; a browser asking for a page (Accept: text/html) is
 *   sent to /login with 303 instead;
 * - 'public': anyone (only the health check and the login form).
 * Every POST made with a session must carry the session's CSRF token (form field `csrf` or header
 * `x-csrf-token`), and no POST may come from another site's page (Origin).
 * Web standards only (crypto.subtle): no Node type in here.
 */
export type HubRole = 'admin' | 'national' | 'province' | 'district';
/**
 * 'public': anyone who can reach the hub (only what a load balancer's health check and a login need).
 * 'box': an enrolled, unrevoked box, as itself: HTTP Basic with its device id and the secret it
 * logs in to the broker with (checked as the embedded broker checks it, devices.secret_hash);
 * no operator and not the admin token (403), nobody else (401).
 */
export type HubAccess = HubRole | 'public' | 'box';

export interface HubRoute {
  method: 'GET' | 'POST';
  path: string;
  access: readonly HubAccess[];
  /** What it serves, for the README and the test's report. */
  what: string;
}

/** Every signed-in operator and the admin token: each sees only its region. */
const anyOperator: readonly HubRole[] = ['admin', 'national', 'province', 'district'];
/** What changes the registry for every region (the region and facility lists): the nation's only. */
const nationWide: readonly HubRole[] = ['admin', 'national'];

export const hubRouteTable: readonly HubRoute[] = [
  { method: 'GET', path: '/healthz', access: ['public'], what: 'the hub answers and its database answers' },
  { method: 'GET', path: '/login', access: ['public'], what: "the operators' login form" },
  { method: 'POST', path: '/login', access: ['public'], what: 'an operator signs in (throttled; a session cookie)' },
  { method: 'POST', path: '/logout', access: anyOperator, what: 'the operator signs out (the session ends at the hub)' },
  { method: 'GET', path: '/', access: anyOperator, what: 'status page per box in the region (ids, facilities, backlog, last errors)' },
  { method: 'GET', path: '/api/devices', access: anyOperator, what: 'the same as JSON' },
  { method: 'GET', path: '/metrics', access: ['admin'], what: 'Prometheus metrics per box' },
  { method: 'GET', path: '/admin/referrals', access: anyOperator, what: "referrals received from the region's boxes (patient names, diagnoses), to answer them" },
  { method: 'POST', path: '/admin/referrals/:id/answer', access: anyOperator, what: 'a hospital’s answer to a referral, sent to the box' },
  { method: 'POST', path: '/admin/formulary', access: anyOperator, what: "the district formulary, sent to the region's boxes (a region outside the caller's: 403)" },
  { method: 'GET', path: '/jobs', access: anyOperator, what: "remote jobs of the region: make one, see each box's state" },
  { method: 'POST', path: '/jobs', access: anyOperator, what: "a remote job from the page's form" },
  { method: 'GET', path: '/api/jobs', access: anyOperator, what: 'remote jobs of the region as JSON' },
  { method: 'POST', path: '/api/jobs', access: anyOperator, what: 'a remote job to one box, a filter or a region, with an expiry' },
  { method: 'GET', path: '/api/jobs/:id', access: anyOperator, what: 'one job and the state and result of each of its boxes' },
  { method: 'GET', path: '/boxes', access: anyOperator, what: "the region's boxes: search, filters, sorting, paging" },
  { method: 'GET', path: '/api/boxes', access: anyOperator, what: 'the same as JSON ({ total, boxes })' },
  { method: 'GET', path: '/audit', access: anyOperator, what: 'the audit log of operator actions in the region' },
  { method: 'GET', path: '/api/audit', access: anyOperator, what: 'the same as JSON' },
  { method: 'POST', path: '/admin/hospitals', access: anyOperator, what: "the district’s referral hospitals, sent to the region's boxes (a region outside the caller's: 403)" },
  { method: 'POST', path: '/admin/devices/:id/revoke', access: ['admin'], what: 'revokes a box: off the broker at once, refused from then on' },
  {
    method: 'POST',
    path: '/enrol',
    access: ['public'],
    what: 'a new box trades a claim code and its certificate request for its certificate (throttled per address; the claim code is the credential)',
  },
  // The fleet (helper fleetdata); scoped by the caller's RegionFilter (helper fleet).
  { method: 'GET', path: '/api/fleet/boxes', access: anyOperator, what: 'boxes of the region with their state, filtered by region, state, tag, version, text' },
  { method: 'GET', path: '/api/fleet/regions', access: anyOperator, what: 'boxes by state per child region, inside the caller’s' },
  { method: 'GET', path: '/api/fleet/boxes/:id/history', access: anyOperator, what: 'a box’s reported figures over time (a box outside the region: 404)' },
  {
    method: 'GET',
    path: '/api/fleet/regions/:code/chart',
    access: anyOperator,
    what: 'a region’s figures per hour, up to 90 days (a region wider than or outside the caller’s: 404)',
  },
  { method: 'POST', path: '/api/fleet/regions', access: nationWide, what: 'import the region list (CSV code,name)' },
  { method: 'POST', path: '/api/fleet/facilities', access: nationWide, what: 'import facility → kabupaten/kota (CSV facility_code,region_code)' },
  { method: 'GET', path: '/api/alerts', access: anyOperator, what: 'alerts and silences of the region' },
  { method: 'POST', path: '/api/alerts/silences', access: anyOperator, what: 'silence alerts of the region for a while, with a reason (a region outside the caller’s: 403)' },
  { method: 'GET', path: '/watchdog', access: ['admin'], what: 'dead-man’s switch: 200 while the hub evaluates alerts and receives reports' },
  // Releases from the hub (issue 15): only the release a rollout assigned to the box asking.
  {
    method: 'GET',
    path: '/releases/:version/bundle',
    access: ['box'],
    what: 'the signed bundle of a release assigned to the calling box, with HTTP range requests (a cut download resumes)',
  },
  // The fleet console (helper fleet): pages, their JSON and live stream, scoped by the RegionFilter.
  { method: 'GET', path: '/fleet', access: anyOperator, what: 'fleet overview: boxes by state per child region, drilling down to a district’s boxes; alerts firing (live)' },
  { method: 'GET', path: '/api/fleet/overview', access: anyOperator, what: 'the same as JSON' },
  { method: 'GET', path: '/fleet/boxes/:id', access: anyOperator, what: 'one box: health now, 48-hour charts, alerts, jobs, ask for a backup (live)' },
  { method: 'GET', path: '/api/fleet/boxes/:id', access: anyOperator, what: 'the same as JSON (a box outside the region: 404)' },
  { method: 'GET', path: '/api/fleet/events', access: anyOperator, what: 'server-sent events: a region’s overview (?region=) or one box (?box=), as they change' },
  // Releases and rollouts in the console (issue 15): every operator sees the rollouts touching its
  // region, with its own boxes' counts; only the nation starts, halts and resumes one (a rollout
  // reaches every region its waves name, and a halt withdraws assignments in all of them).
  { method: 'GET', path: '/fleet/rollouts', access: anyOperator, what: 'registered releases, and rollouts touching the region with per-wave progress and failed boxes (live)' },
  { method: 'GET', path: '/api/fleet/rollouts', access: anyOperator, what: 'the same as JSON (what the page polls)' },
  { method: 'GET', path: '/fleet/rollouts/:id', access: anyOperator, what: 'one rollout: waves, failed boxes, halt and resume (a rollout touching no box of the region: 404)' },
  { method: 'GET', path: '/api/fleet/rollouts/:id', access: anyOperator, what: 'the same as JSON' },
  { method: 'POST', path: '/fleet/rollouts', access: nationWide, what: 'start a rollout of a registered release by cumulative waves, with a failure threshold (form or JSON)' },
  { method: 'POST', path: '/fleet/rollouts/:id/halt', access: nationWide, what: 'halt a rollout: no new wave, assignments not acted on withdrawn' },
  { method: 'POST', path: '/fleet/rollouts/:id/resume', access: nationWide, what: 'resume a halted rollout, accepting the failures so far; withdrawn boxes assigned afresh' },
  { method: 'GET', path: '/assets/:file', access: anyOperator, what: 'the console’s scripts and styles: uPlot (from node_modules) and the live-update code' },
];

export interface Principal {
  role: HubRole;
  /** The region the caller may see and act on ('' the nation). */
  scope: string;
  /** Who, for the audit log: an operator's user name, or `admin-token`. */
  actor: string;
  /** The session's CSRF token (null for the admin token, which a browser never sends by itself… except Basic: see the Origin check). */
  csrf: string | null;
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
  return (await sameSecret(secret, adminToken)) ? { ok: true, principal: { role: 'admin', scope: '', actor: 'admin-token', csrf: null } } : { ok: false, why: 'wrong' };
}

/**
 * A box's credentials on a 'box' route: HTTP Basic with its device id as the user name and its
 * secret as the password; null when the header is not that (a Bearer token, an operator's Basic).
 */
export function boxCredentialsOf(authorization: string | undefined): { deviceId: string; secret: string } | null {
  const m = /^Basic +([\x21-\x7e]{1,1024})$/i.exec((authorization ?? '').trim());
  if (!m) return null;
  let decoded: string;
  try {
    decoded = new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(atob(m[1]), (ch) => ch.charCodeAt(0)));
  } catch {
    return null;
  }
  const colon = decoded.indexOf(':');
  if (colon < 0) return null;
  const deviceId = decoded.slice(0, colon);
  return /^[a-z0-9][a-z0-9-]{2,62}$/.test(deviceId) ? { deviceId, secret: decoded.slice(colon + 1) } : null;
}
