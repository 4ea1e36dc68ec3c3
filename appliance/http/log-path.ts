/**
 * The path a request log line shows. A ticket link's secret is in its path (`/t/<token>`,
 * `/api/v1/tickets/<token>/consent`): whoever reads the log could follow the patient's ticket, see
 * their prescriptions and referral copies, and give or withdraw consent. Segments shaped like a
 * ticket token are shown as `:token`; ids (UUIDs) stay, they are what a technician looks up.
 */
const TOKEN_SHAPED = /^[A-Za-z0-9_-]{16,}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function loggablePath(path: string): string {
  return path
    .split('/')
    .map((seg) => (TOKEN_SHAPED.test(seg) && !UUID.test(seg) ? ':token' : seg))
    .join('/');
}
