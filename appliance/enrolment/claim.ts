/**
 * The box's side of enrolment: it makes its key and CSR, sends the CSR with the claim code to the
 * hub's `POST /enrol`, and keeps the answer with its key (identity.json). The hub's refusal comes
 * back as the hub worded it, in the language asked for (Indonesian first).
 */
import { enrolResponse } from '../../central/contract/enrolment.ts';
import { identityFrom, newKeyAndCsr, writeIdentity, type BoxIdentity } from './identity.ts';

export type ClaimResult = { ok: true; identity: BoxIdentity } | { ok: false; code: string; message: string };

export async function claimWithHub(o: { hubUrl: string; claimCode: string; facilityCode: string; name?: string; dataDir: string; lang?: 'id' | 'en' }): Promise<ClaimResult> {
  const { key, csr } = await newKeyAndCsr(o.facilityCode);
  let res: Response;
  try {
    res = await fetch(new URL('/enrol', o.hubUrl), {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'accept-language': o.lang ?? 'id' },
      body: JSON.stringify({ claimCode: o.claimCode, facilityCode: o.facilityCode, csr, name: o.name }),
      signal: AbortSignal.timeout(30_000),
    });
  } catch (e) {
    return { ok: false, code: 'hub_unreachable', message: (e as Error).message };
  }
  const body = await res.json().catch(() => null);
  if (res.status !== 201) {
    const err = (body as { error?: { code?: string; message?: string } } | null)?.error;
    return { ok: false, code: err?.code ?? `http_${res.status}`, message: err?.message ?? `HTTP ${res.status}` };
  }
  const answer = enrolResponse.safeParse(body);
  if (!answer.success) return { ok: false, code: 'bad_answer', message: 'the hub answered something that is not an enrolment' };
  const identity = identityFrom(key, answer.data);
  writeIdentity(o.dataDir, identity);
  return { ok: true, identity };
}
