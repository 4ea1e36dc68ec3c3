/**
 * The console's releases and rollouts (issue 15): the page and its JSON (every operator, cut to
 * its region: the rollouts touching its boxes, the counts and failed boxes of its own), one
 * rollout's page and JSON, and the forms that start, halt and resume a rollout (the nation's only:
 * a rollout reaches every region its waves name, and a halt withdraws assignments everywhere).
 * Who may use each route is in access.ts. Every action is audited as the CLI audits it.
 */
import type { Context, Handler } from 'hono';
import { z } from 'zod';
import { recordAudit } from '../audit/audit.ts';
import { listReleases, releaseVersion } from '../releases/releases.ts';
import { createRollout, haltRollout, listRollouts, resumeRollout, RolloutError, rolloutProgress, touchesRegion, waveFilter, type RolloutRequest } from '../releases/rollouts.ts';
import type { HubDb } from '../storage/db.ts';
import type { HubRoute } from './access.ts';
import { checkInput, hubError, requestLang, validationFailed } from './errors.ts';
import type { HubEnv } from './hub-env.ts';
import { auditOf, bodyOf } from './operator-routes.tsx';
import { sendPage } from './pages/layout.tsx';
import { RolloutPage, RolloutsPage, type RolloutFormState } from './pages/rollouts.tsx';
import { rolloutsLive, type RolloutLive } from './rollout-live-schema.ts';
import { rolloutLiveOf } from './rollout-views.ts';
import { hubWords, type HubLang } from './words.ts';

export interface RolloutRouteDeps {
  db: HubDb;
  now: () => Date;
  /** Assignments or withdrawals were queued for these boxes: send now to those online. */
  onQueued: (deviceIds: string[]) => void;
  /** A rollout was started or resumed: move the rollouts now rather than at the next 30 s step. */
  onRolloutChanged: () => void;
}

type Handle = (method: HubRoute['method'], path: string, h: Handler<HubEnv>) => void;
type C = Context<HubEnv>;

const idParam = z.object({ id: z.uuid() });
const isJson = (c: C) => (c.req.header('content-type') ?? '').includes('application/json');
const split = (s: string) => s.split(/[\s,]+/).filter(Boolean);

/** The form's fields, each a string as typed; an absent field is empty. */
const rolloutForm = z.object({
  version: z.string().max(60).default(''),
  region: z.string().max(10).default(''),
  tags: z.string().max(1000).default(''),
  devices: z.string().max(400_000).default(''),
  waves: z.string().max(300).default(''),
  maxFailures: z.string().max(10).default(''),
  maxFailurePercent: z.string().max(10).default(''),
});
type RolloutFormFields = z.infer<typeof rolloutForm>;

const wavePercents = z
  .string()
  .transform((s) => split(s).map(Number))
  .pipe(z.array(z.number().gt(0).max(100)).min(1).max(50))
  .refine((ps: number[]) => ps.every((p, i) => i === 0 || p > ps[i - 1]), 'rising');
const maxFailures = z.union([
  z.literal('').transform(() => 0),
  z
    .string()
    .regex(/^\d{1,6}$/)
    .transform(Number),
]);
const maxFailurePercent = z.union([z.literal('').transform(() => undefined), z.coerce.number().min(0).max(100)]);

/** The form as a rollout request, or what is wrong with each field (in the page's language, saying what to write). */
function rolloutFromForm(f: RolloutFormFields, lang: HubLang): { ok: true; request: RolloutRequest } | { ok: false; errors: Record<string, string> } {
  const say = hubWords[lang].rolloutFieldErrors;
  const errors: Record<string, string> = {};
  const version = releaseVersion.safeParse(f.version);
  if (!version.success) errors.version = say.version;
  const filter = {
    ...(f.region ? { region: f.region } : {}),
    ...(split(f.tags).length ? { tags: split(f.tags) } : {}),
    ...(split(f.devices).length ? { devices: split(f.devices) } : {}),
  };
  const checked = waveFilter.safeParse(filter);
  if (!checked.success) for (const i of checked.error.issues) errors[String(i.path[0])] = say[i.path[0] as 'region' | 'tags' | 'devices'] ?? say.waves;
  const waves = wavePercents.safeParse(f.waves);
  if (!waves.success) errors.waves = say.waves;
  const mf = maxFailures.safeParse(f.maxFailures);
  if (!mf.success) errors.maxFailures = say.maxFailures;
  const mp = maxFailurePercent.safeParse(f.maxFailurePercent);
  if (!mp.success) errors.maxFailurePercent = say.maxFailurePercent;
  if (!version.success || !checked.success || !waves.success || !mf.success || !mp.success) return { ok: false, errors };
  return {
    ok: true,
    request: {
      version: version.data,
      // Cumulative: each wave the same filter, a larger share of it; the last at 100 % takes the rest.
      waves: waves.data.map((p) => ({ ...checked.data, ...(p < 100 ? { percent: p } : {}) })),
      maxFailures: mf.data,
      ...(mp.data !== undefined ? { maxFailurePercent: mp.data } : {}),
    },
  };
}

const emptyForm = (): RolloutFormState => ({ values: { waves: '10, 50, 100', maxFailures: '0' }, errors: {} });

export function registerRolloutRoutes(handle: Handle, d: RolloutRouteDeps) {
  const audit = (
    c: C,
    action: 'rollout_create' | 'rollout_halt' | 'rollout_resume',
    result: 'ok' | 'refused',
    target: string,
    detail?: Record<string, string | number | boolean | null>,
  ) => recordAudit(d.db, auditOf(c, c.get('principal'), action, result, { target, region: '', detail }), d.now());

  const listPage = async (c: C, status: 200 | 400 | 404, form: RolloutFormState) => {
    const lang = requestLang(c);
    const who = c.get('principal');
    c.status(status);
    const [releases, rollouts] = await Promise.all([listReleases(d.db), listRollouts(d.db, c.get('region').scope)]);
    return sendPage(c, lang, RolloutsPage({ lang, who, releases, rollouts, form }), { scripts: true });
  };

  /** The rollout as the caller may see it, or null (none, or it touches no box of the caller's region). */
  const seen = async (id: string, scope: string) => {
    try {
      const p = await rolloutProgress(d.db, id, scope);
      return touchesRegion(p, scope) ? p : null;
    } catch (e) {
      if (e instanceof RolloutError) return null;
      throw e;
    }
  };

  const onePage = async (c: C, id: string, status: 200 | 404 | 409, error?: string) => {
    const lang = requestLang(c);
    const p = await seen(id, c.get('region').scope);
    if (!p) return hubError(c, 'not_found', {}, hubWords[lang].rolloutNotFound);
    c.status(status);
    return sendPage(c, lang, RolloutPage({ lang, who: c.get('principal'), rollout: p, error }), { scripts: true });
  };

  handle('GET', '/fleet/rollouts', (c) => listPage(c, 200, emptyForm()));

  handle('GET', '/api/fleet/rollouts', async (c) => {
    const lang = requestLang(c);
    const rollouts = (await listRollouts(d.db, c.get('region').scope)).map((p): RolloutLive => rolloutLiveOf(p, lang));
    return c.json({ ...rolloutsLive.parse({ rollouts }), releases: await listReleases(d.db) });
  });

  handle('GET', '/fleet/rollouts/:id', async (c) => {
    const p = checkInput(c, idParam, { id: c.req.param('id') });
    if (!p.success) return hubError(c, 'not_found', {}, hubWords[requestLang(c)].rolloutNotFound);
    return onePage(c, p.data.id, 200);
  });

  handle('GET', '/api/fleet/rollouts/:id', async (c) => {
    const p = checkInput(c, idParam, { id: c.req.param('id') });
    if (!p.success) return validationFailed(c, p.error);
    const r = await seen(p.data.id, c.get('region').scope);
    return r ? c.json({ ...r, live: rolloutLiveOf(r, requestLang(c)) }) : hubError(c, 'not_found');
  });

  handle('POST', '/fleet/rollouts', async (c) => {
    const lang = requestLang(c);
    const body = await bodyOf(c);
    let request: unknown;
    let values: Record<string, string> = {};
    if (isJson(c)) request = body;
    else {
      const f = checkInput(c, rolloutForm, body ?? {});
      if (!f.success) return validationFailed(c, f.error);
      values = Object.fromEntries(Object.entries(f.data).map(([k, v]) => [k, String(v)]));
      const r = rolloutFromForm(f.data, lang);
      if (!r.ok) {
        await audit(c, 'rollout_create', 'refused', 'rollout', { reason: 'invalid', fields: Object.keys(r.errors).join(',') });
        return listPage(c, 400, { values, errors: r.errors, message: hubWords[lang].rolloutFormFailed });
      }
      request = r.request;
    }
    try {
      const { id } = await createRollout(d.db, request, c.get('principal').actor, d.now());
      const req = request as RolloutRequest;
      await audit(c, 'rollout_create', 'ok', `rollout ${id}`, { version: req.version, waves: req.waves.length });
      d.onRolloutChanged();
      return isJson(c) ? c.json({ id }, 201) : c.redirect(`/fleet/rollouts/${id}`, 303);
    } catch (e) {
      if (!(e instanceof RolloutError)) throw e;
      await audit(c, 'rollout_create', 'refused', 'rollout', { reason: e.code });
      if (isJson(c)) return hubError(c, e.code === 'not_found' ? 'not_found' : 'invalid', { reason: e.message });
      const say = hubWords[lang].rolloutFieldErrors;
      return listPage(c, 400, { values, errors: e.code === 'not_found' ? { version: say.version } : {}, message: hubWords[lang].rolloutFormFailed });
    }
  });

  const act =
    (what: 'halt' | 'resume'): Handler<HubEnv> =>
    async (c) => {
      const lang = requestLang(c);
      const p = checkInput(c, idParam, { id: c.req.param('id') });
      if (!p.success) return hubError(c, 'not_found', {}, hubWords[lang].rolloutNotFound);
      const body = checkInput(c, z.object({ reason: z.string().max(200, hubWords[lang].rolloutFieldErrors.reason).optional() }).loose(), (await bodyOf(c)) ?? {});
      if (!body.success) return validationFailed(c, body.error);
      const reason = body.data.reason?.trim();
      const action = what === 'halt' ? 'rollout_halt' : 'rollout_resume';
      try {
        if (what === 'halt') {
          const r = await haltRollout(d.db, p.data.id, `halted by hand${reason ? `: ${reason}` : ''}`, d.now());
          await audit(c, action, 'ok', `rollout ${p.data.id}`, { ...(reason ? { reason } : {}), withdrawn: r.withdrawn.length });
          d.onQueued(r.withdrawn);
        } else {
          await resumeRollout(d.db, p.data.id, d.now());
          await audit(c, action, 'ok', `rollout ${p.data.id}`);
          d.onRolloutChanged();
        }
      } catch (e) {
        if (!(e instanceof RolloutError)) throw e;
        await audit(c, action, 'refused', `rollout ${p.data.id}`, { reason: e.code });
        if (e.code === 'not_found') return hubError(c, 'not_found', {}, hubWords[lang].rolloutNotFound);
        if (isJson(c)) return hubError(c, 'invalid', { reason: e.message });
        const state = (await rolloutProgress(d.db, p.data.id)).state;
        return onePage(c, p.data.id, 409, hubWords[lang].rolloutConflict(hubWords[lang].rolloutStates[state]));
      }
      return isJson(c) ? c.json(await rolloutProgress(d.db, p.data.id)) : c.redirect(`/fleet/rollouts/${p.data.id}`, 303);
    };

  handle('POST', '/fleet/rollouts/:id/halt', act('halt'));
  handle('POST', '/fleet/rollouts/:id/resume', act('resume'));
}
