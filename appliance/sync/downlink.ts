/**
 * Hub → box: applies what the hub sends (hospital answers, the district formulary and hospital list, commands)
 * through the clinic's own functions, once per item id,
 * and acknowledges each result. An item the box can never apply (an unknown referral, an answer
 * the referral's state no longer allows) is acknowledged as rejected so the hub stops resending;
 * a transient failure (the database) is not acknowledged, and the hub sends it again.
 */
import type { Logger } from 'pino';
import type { Db } from '../clinic/db.ts';
import { ClinicError } from '../clinic/errors.ts';
import { applyFormularyUpdate } from '../clinic/formulary-updates.ts';
import { applyHospitalList } from '../clinic/hospital-list.ts';
import { requeueFrom } from '../clinic/outbox.ts';
import { applyHospitalAnswer } from '../clinic/referrals.ts';
import { decodeFrame, downlinkItem, encodeFrame, topics, type DownlinkAck, type DownlinkItem } from '../../central/contract/index.ts';
import type { MqttLink } from './link.ts';

type Result = DownlinkAck['results'][number];

export class DownlinkApplier {
  applied = 0;
  private chain: Promise<void> = Promise.resolve();
  /** Called after something changed the outbox (an answer makes a new referral version). */
  onChanged: () => void = () => {};
  /** Takes a remote job in (appliance/jobs/); without it, jobs are refused. */
  onJob: ((item: Extract<DownlinkItem, { kind: 'job' }>) => Promise<void>) | null = null;
  /** Keeps a release assignment for fetch-release.sh (appliance/release-assignment.ts); without it, assignments are refused. */
  onRelease: ((item: Extract<DownlinkItem, { kind: 'release' }>) => { ok: true } | { ok: false; reason: string }) | null = null;
  /** Takes a withdrawn assignment back (appliance/release-assignment.ts); without it there is nothing to take back. */
  onReleaseWithdrawal: ((item: Extract<DownlinkItem, { kind: 'release_withdrawal' }>) => { removed: boolean }) | null = null;

  constructor(
    private readonly db: Db,
    private readonly link: MqttLink,
    private readonly deviceId: string,
    private readonly facilityCode: string,
    private readonly log: Logger,
  ) {}

  onMessage(frame: Buffer): Promise<void> {
    this.chain = this.chain.then(() => this.handle(frame)).catch((err) => this.log.error({ err }, 'sync: downlink message not handled (the hub will resend)'));
    return this.chain;
  }

  private async handle(frame: Buffer) {
    const d = decodeFrame('down', frame);
    if (!d.ok) {
      this.log.warn({ reason: d.reason }, 'sync: invalid downlink message rejected');
      return;
    }
    const results: Result[] = [];
    for (const raw of d.message.items) {
      const item = downlinkItem.safeParse(raw);
      const r = item.success ? await this.applyOnce(item.data) : await this.refuseUnreadable(raw, item.error.issues[0]);
      if (!r) break; // transient: stop here, keep order; the hub resends the rest
      results.push(r);
    }
    if (results.length) await this.link.publish(topics.downAck(this.deviceId), encodeFrame({ v: 1, kind: 'down_ack', results } satisfies DownlinkAck));
  }

  /** An item of a kind this box does not know (a newer hub) or that does not fit its kind: never applicable here. */
  private async refuseUnreadable(raw: { id: string; kind: string }, issue: { code: string; path: PropertyKey[]; message: string } | undefined): Promise<Result> {
    const reason = (
      issue?.code === 'invalid_union' || issue?.path.length === 0 || (issue?.path.length === 1 && issue.path[0] === 'kind')
        ? `unknown item kind "${raw.kind}": this box's software is older than the hub's`
        : `not a valid "${raw.kind}" item: ${issue?.path.join('.')}: ${issue?.message}`
    ).slice(0, 500);
    // Its kind and id only: an item can carry a patient's clinical details.
    this.log.warn({ id: raw.id, kind: raw.kind, reason }, 'sync: downlink item this box cannot read refused');
    await this.db.query(`INSERT INTO sync_inbox (id, kind, outcome, reason) VALUES ($1,$2,'rejected',$3) ON CONFLICT (id) DO NOTHING`, [raw.id, raw.kind.slice(0, 64), reason]);
    return { id: raw.id, outcome: 'rejected', reason };
  }

  private async applyOnce(item: DownlinkItem): Promise<Result | null> {
    const seen = await this.db.query<{ outcome: 'applied' | 'rejected'; reason: string | null }>(`SELECT outcome, reason FROM sync_inbox WHERE id = $1`, [item.id]);
    if (seen.rows[0]) return { id: item.id, outcome: seen.rows[0].outcome, ...(seen.rows[0].reason ? { reason: seen.rows[0].reason } : {}) };
    let result: Result;
    try {
      if (item.kind === 'referral_answer') {
        // applyHospitalAnswer is itself idempotent (repeating the current state is a no-op), which
        // covers a power cut between applying and recording the item below.
        const r = await applyHospitalAnswer(this.db, item.referralId, item.answer, item.referralVersion, this.facilityCode);
        this.log.info({ referralId: item.referralId, status: r.status, version: r.version }, 'sync: hospital answer applied to referral');
      } else if (item.kind === 'formulary') {
        const r = await applyFormularyUpdate(this.db, item.version, item.items);
        this.log.info({ version: r.version, added: r.added, changed: r.changed, repeated: r.repeated }, 'sync: district formulary applied');
      } else if (item.kind === 'hospitals') {
        const r = await applyHospitalList(this.db, item.version, item.items);
        this.log.info({ version: r.version, hospitals: r.hospitals, repeated: r.repeated }, 'sync: district hospital list applied');
      } else if (item.kind === 'job') {
        // Only taken in here (durably, once by job id); the job runs outside the downlink's chain.
        if (!this.onJob) {
          result = { id: item.id, outcome: 'rejected', reason: 'this box runs no remote jobs' };
          await this.db.query(`INSERT INTO sync_inbox (id, kind, outcome, reason) VALUES ($1,$2,$3,$4) ON CONFLICT (id) DO NOTHING`, [
            item.id,
            item.kind,
            result.outcome,
            result.reason,
          ]);
          return result;
        }
        await this.onJob(item);
        this.log.info({ job: item.job, action: item.action.action }, 'sync: remote job received');
      } else if (item.kind === 'release') {
        const kept = this.onRelease ? this.onRelease(item) : { ok: false as const, reason: 'this box takes no releases from the hub (no data dir)' };
        if (!kept.ok) {
          result = { id: item.id, outcome: 'rejected', reason: kept.reason.slice(0, 500) };
          this.log.warn({ id: item.id, version: item.version, assignment: item.assignment, reason: kept.reason }, 'sync: release assignment refused');
          await this.db.query(`INSERT INTO sync_inbox (id, kind, outcome, reason) VALUES ($1,$2,$3,$4) ON CONFLICT (id) DO NOTHING`, [
            item.id,
            item.kind,
            result.outcome,
            result.reason,
          ]);
          return result;
        }
        this.log.info({ version: item.version, assignment: item.assignment, rollout: item.rollout }, 'sync: release assignment kept for fetch-release.sh');
      } else if (item.kind === 'release_withdrawal') {
        const r = this.onReleaseWithdrawal ? this.onReleaseWithdrawal(item) : { removed: false };
        this.log.info({ version: item.version, withdraws: item.withdraws, rollout: item.rollout, removed: r.removed }, 'sync: release assignment withdrawn by the hub');
      } else {
        await requeueFrom(this.db, item.fromSeq);
        this.log.info({ fromSeq: item.fromSeq }, 'sync: the hub asked to resend the outbox');
      }
      result = { id: item.id, outcome: 'applied' };
      this.applied++;
    } catch (e) {
      if (!(e instanceof ClinicError)) {
        this.log.error({ err: e, id: item.id }, 'sync: downlink item failed; will retry when the hub resends');
        return null;
      }
      result = { id: item.id, outcome: 'rejected', reason: `${e.code}: ${e.message}`.slice(0, 500) };
      this.log.warn({ id: item.id, kind: item.kind, reason: result.reason }, 'sync: downlink item refused');
    }
    await this.db.query(`INSERT INTO sync_inbox (id, kind, outcome, reason) VALUES ($1,$2,$3,$4) ON CONFLICT (id) DO NOTHING`, [
      item.id,
      item.kind,
      result.outcome,
      result.reason ?? null,
    ]);
    this.onChanged();
    return result;
  }
}
