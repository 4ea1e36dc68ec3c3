/**
 * The first start of a production box: with no admin account and no enrolment, the box serves only
 * this page (HTTPS, on its usual port) where the technician makes the first admin (the password
 * policy of `npm run setup`) and enrols the box with the hub address and a claim code. Every other
 * address answers 503 and points here. Once both are done the page's server closes and the box
 * starts as usual, on the same port, without a restart.
 *
 * Who may use it: anyone on the LAN, once, until it is done. That is the same trust as `npm run
 * setup` at the console: the box is new, holds no patient data yet, and the claim code (single use,
 * from the district) is what binds it to the fleet. Attempts are limited per address.
 */
import { existsSync } from 'node:fs';
import { Hono } from 'hono';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { Db } from '../clinic/db.ts';
import { countAdmins, createStaff, staffInput } from '../clinic/staff.ts';
import { weakPassword } from '../clinic/passwords.ts';
import { type WordKey, words } from '../words/index.ts';
import { ClinicError } from '../clinic/errors.ts';
import { claimWithHub } from '../enrolment/claim.ts';
import { identityFile } from '../enrolment/identity.ts';
import { serveHttps } from '../http/server.ts';
import { FirstRunPage } from './page.tsx';

/** A production box needs its first run while it has no admin or no way to reach the hub. */
export async function firstRunNeeded(db: Db, config: { dataDir: string; deviceSecret?: string; mqttUrl?: string }): Promise<{ admin: boolean; enrolment: boolean } | null> {
  const admin = (await countAdmins(db)) === 0;
  const enrolment = !existsSync(identityFile(config.dataDir)) && !(config.deviceSecret && config.mqttUrl);
  return admin || enrolment ? { admin, enrolment } : null;
}

const hubUrl = z
  .string()
  .trim()
  .url()
  .refine((v) => {
    const u = new URL(v);
    return u.protocol === 'https:' || (u.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname));
  }, 'https://');

/** Serves the first-run page until the technician is done; resolves then, with the server closed. */
export async function runFirstRun(o: {
  db: Db;
  dataDir: string;
  facilityCode: string;
  host: string;
  port: number;
  tls: { key: string; cert: string };
  log: Logger;
  needs: { admin: boolean; enrolment: boolean };
}): Promise<void> {
  let needs = { ...o.needs };
  let finish!: () => void;
  const finished = new Promise<void>((r) => (finish = r));
  const attempts = new Map<string, number>();
  const app = new Hono<{ Bindings: { remoteAddress?: string } }>();
  const page = (view: Parameters<typeof FirstRunPage>[0], status: 200 | 400 | 429 = 200) =>
    new Response('<!doctype html>' + String(FirstRunPage(view)), {
      status,
      headers: {
        'content-type': 'text/html; charset=utf-8',
        'cache-control': 'no-store',
        'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
      },
    });
  app.get('/', () => page({ facilityCode: o.facilityCode }));
  app.post('/', async (c) => {
    const address = c.env?.remoteAddress ?? 'unknown';
    const n = (attempts.get(address) ?? 0) + 1;
    attempts.set(address, n);
    if (n > 20) return page({ facilityCode: o.facilityCode, errors: [both('fr_tooManyAttempts')] }, 429);
    const form = Object.fromEntries(Object.entries(await c.req.parseBody()).map(([k, v]) => [k, String(v)]));
    const values = { username: form.username, fullName: form.fullName, hubUrl: form.hubUrl, claimCode: form.claimCode };
    const errors: [string, string][] = [];
    const staff = staffInput.safeParse({ username: form.username, fullName: form.fullName, role: 'admin', password: form.password ?? '' });
    if (needs.admin) {
      if (!staff.success)
        errors.push(
          ...staff.error.issues.map((i): [string, string] => [
            `${fieldId[String(i.path[0])] ? words('id')[fieldId[String(i.path[0])]] : i.path.join('.')}: ${i.message}`,
            `${String(i.path[0])}: ${i.message}`,
          ]),
        );
      else {
        const weak = weakPassword(staff.data.password, staff.data);
        if (weak) errors.push([words('id')[`weakPassword_${weak}`], words('en')[`weakPassword_${weak}`]]);
      }
    }
    const hub = hubUrl.safeParse(form.hubUrl);
    if (needs.enrolment && !hub.success) errors.push(both('fr_hubHttps'));
    if (errors.length) return page({ facilityCode: o.facilityCode, values, errors }, 400);
    // Enrol first: a refused claim leaves no admin half-made, and the technician can correct the code.
    if (needs.enrolment) {
      const r = await claimWithHub({ hubUrl: hub.data!, claimCode: form.claimCode ?? '', facilityCode: o.facilityCode, dataDir: o.dataDir });
      if (!r.ok) {
        o.log.warn({ code: r.code }, 'first run: enrolment refused');
        const message: [string, string] = r.code === 'hub_unreachable' ? both('fr_hubUnreachable') : [r.message, r.code];
        return page({ facilityCode: o.facilityCode, values, errors: [message] }, 400);
      }
      o.log.info({ deviceId: r.identity.deviceId }, 'first run: box enrolled with the hub');
      needs = { ...needs, enrolment: false };
    }
    if (needs.admin && staff.success) {
      try {
        await createStaff(o.db, staff.data);
      } catch (e) {
        if (!(e instanceof ClinicError)) throw e;
        return page({ facilityCode: o.facilityCode, values, errors: [both('fr_usernameTaken')] }, 400);
      }
      o.log.info('first run: first admin account made');
      needs = { ...needs, admin: false };
    }
    setTimeout(finish, 200);
    return page({ facilityCode: o.facilityCode, done: true });
  });
  app.all(
    '*',
    () => new Response(`${words('id').fr_notSetUp} / ${words('en').fr_notSetUp}`, { status: 503, headers: { 'content-type': 'text/plain; charset=utf-8', 'retry-after': '60' } }),
  );

  const server = await serveHttps(app.fetch, { port: o.port, host: o.host, key: o.tls.key, cert: o.tls.cert });
  o.log.warn({ port: server.port }, 'first run: only the first-run page is served until an admin is made and the box is enrolled');
  await finished;
  server.server.closeAllConnections?.();
  await server.close();
}

/** A form field's name in Indonesian (the English side names the field as sent). */
const fieldId: Record<string, WordKey> = { username: 'username', fullName: 'fullName', password: 'password' };

/** A word in both languages, [Indonesian, English]: the page shows both. */
const both = (key: WordKey): [string, string] => [words('id')[key], words('en')[key]];
