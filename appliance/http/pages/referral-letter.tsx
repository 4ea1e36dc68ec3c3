import type { Context } from 'hono';
import type { OpenAPIHono } from '@hono/zod-openapi';
import QRCode from 'qrcode';
import type { AppEnv } from '../env.ts';
import { actorOf } from '../access.ts';
import { words } from '../../words/index.ts';
import { page } from './guard.tsx';
import { Layout, MessagePage, render } from './layout.tsx';
import { getReferral, referralForTicket, type Referral } from '../../clinic/referrals.ts';
import { getPatient, type Patient } from '../../clinic/patients.ts';
import { findEncounter, type Encounter } from '../../clinic/encounters.ts';
import { prescriptionsOfEncounter, type Prescription } from '../../clinic/prescriptions.ts';
import { ClinicError } from '../../clinic/errors.ts';
import { referralNumber } from '../../clinic/referral-numbers.ts';

/**
 * The printable referral letter (surat rujukan), A5, in Bahasa Indonesia, with a QR code of the
 * referral id for the hospital's desk. Staff print it at /staff/rujukan/:id/cetak; the patient
 * opens their own copy through their ticket link at /t/:token/rujukan/:id.
 */
const printCss = `
@page{size:A5;margin:8mm 9mm}
body.print{background:#fff;font-size:12.5px;line-height:1.35}
.letter{max-width:148mm;margin:0 auto;padding:6mm;background:#fff;position:relative}
.kop{display:flex;justify-content:space-between;gap:8px;border-bottom:2px solid #000;padding-bottom:4px;margin-bottom:6px}
.kop .fac{font-weight:700;font-size:15px}
.kop .qr svg{width:26mm;height:26mm;display:block}
.letter h1{font-size:16px;text-align:center;margin:6px 0 2px;letter-spacing:1px}
.letter .no{text-align:center;font-size:11px;margin-bottom:6px;word-break:break-all}
.letter table{width:100%;border-collapse:collapse;background:none}
.letter td{padding:1.5px 3px;border:none;vertical-align:top}
.letter td.k{width:34%;color:#333}
.emerg{border:2px solid #a1001c;color:#a1001c;font-weight:700;text-align:center;padding:3px;margin:4px 0}
.draft{border:2px dashed #8a4b00;color:#8a4b00;font-weight:700;text-align:center;padding:3px;margin:4px 0}
.sign{display:flex;justify-content:flex-end;margin-top:10px}
.sign div{text-align:center;min-width:45%}
.sign .space{height:16mm}
.bar{max-width:148mm;margin:8px auto;display:flex;gap:8px}
@media print{.bar{display:none}.letter{padding:0;max-width:none}}
/* One A5 page however the visit was written: tighter type and spacing on paper, and nothing
   after the signature that could push it over (the signature on page 2 was issue 17's defect 7). */
@media print{
  body.print{font-size:11px;line-height:1.3}
  .kop{padding-bottom:2px;margin-bottom:3px}
  .kop .fac{font-size:13px}
  .kop .qr svg{width:20mm;height:20mm}
  .letter h1{font-size:14px;margin:2px 0 1px}
  .letter .no{margin-bottom:3px}
  .letter p{margin:3px 0}
  .letter td{padding:0.5px 2px}
  .letter td.k{width:27%}
  .emerg,.draft{padding:1px;margin:2px 0}
  .sign{margin-top:4px;break-inside:avoid}
  .sign .space{height:11mm}
  .letter{break-inside:auto}
}
`;

const longDate = (d: Date | string, timeZone: string) =>
  new Intl.DateTimeFormat('id-ID', { day: 'numeric', month: 'long', year: 'numeric', timeZone: typeof d === 'string' ? 'UTC' : timeZone }).format(
    typeof d === 'string' ? new Date(`${d}T00:00:00Z`) : d,
  );

function ageYears(birthDate: string, at: Date) {
  const b = new Date(`${birthDate}T00:00:00Z`);
  let age = at.getUTCFullYear() - b.getUTCFullYear();
  if (at.getUTCMonth() < b.getUTCMonth() || (at.getUTCMonth() === b.getUTCMonth() && at.getUTCDate() < b.getUTCDate())) age--;
  return age;
}

const statusText: Record<string, string> = {
  draft: 'Draf (belum berlaku)',
  issued: 'Diterbitkan',
  sent: 'Terkirim ke rumah sakit',
  accepted: 'Diterima rumah sakit',
  scheduled: 'Dijadwalkan',
  rejected: 'Ditolak rumah sakit',
  used: 'Sudah digunakan',
  expired: 'Kedaluwarsa',
};

function vitalsLine(v: Encounter['vitals']) {
  const parts: string[] = [];
  if (v.systolic !== undefined && v.diastolic !== undefined) parts.push(`TD ${v.systolic}/${v.diastolic} mmHg`);
  if (v.pulse !== undefined) parts.push(`Nadi ${v.pulse}/menit`);
  if (v.respiratoryRate !== undefined) parts.push(`RR ${v.respiratoryRate}/menit`);
  if (v.temperature !== undefined) parts.push(`Suhu ${String(v.temperature).replace('.', ',')} °C`);
  if (v.spo2 !== undefined) parts.push(`SpO2 ${v.spo2}%`);
  if (v.weight !== undefined) parts.push(`BB ${String(v.weight).replace('.', ',')} kg`);
  if (v.height !== undefined) parts.push(`TB ${String(v.height).replace('.', ',')} cm`);
  return parts.join(', ');
}

async function Letter(p: {
  c: Context<AppEnv>;
  referral: Referral;
  patient: Patient;
  encounter: Encounter;
  prescriptions: Prescription[];
  patientCopy: boolean;
  backHref: string;
}) {
  const { c, referral: r, patient, encounter: e } = p;
  const s = c.get('deps').settings;
  const lang = c.get('lang');
  const qr = await QRCode.toString(r.id, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' });
  const created = new Date(r.createdAt);
  const therapy = p.prescriptions.flatMap((x) => x.items.map((i) => `${i.name} ${i.strength} (${i.signa})`));
  const secondary = e.diagnoses.filter((d) => d.kind === 'secondary');
  const number = await referralNumber(c.get('deps').db, r.id, s.facility.code, s.timeZone);
  return (
    <Layout c={c} title={`Surat Rujukan ${patient.fullName}`} variant="print" bare extraCss={printCss} scripts={['print']}>
      <div class="bar">
        <button type="button" data-print data-testid="print">
          {words(lang).print}
        </button>
        <a class="btn sec" href={p.backHref}>
          {words(lang).back}
        </a>
      </div>
      <div class="letter" data-testid="referral-letter" data-referral-id={r.id}>
        <div class="kop">
          <div>
            <div class="fac">{s.facility.name}</div>
            <div>Kode faskes (PPK): {s.facility.code}</div>
            <div class="small">{p.patientCopy ? 'Salinan untuk pasien' : 'Lembar rumah sakit'}</div>
          </div>
          <div class="qr" data-testid="referral-qr" dangerouslySetInnerHTML={{ __html: qr }} />
        </div>
        <h1>SURAT RUJUKAN</h1>
        <div class="no" data-testid="referral-number">
          Nomor: {number}
        </div>
        {r.status === 'draft' ? <div class="draft">DRAF — BELUM DITERBITKAN, BELUM BERLAKU</div> : null}
        {r.emergency ? <div class="emerg">RUJUKAN GAWAT DARURAT (LANGSUNG)</div> : null}
        <p>
          Kepada Yth. dokter spesialis <b>{r.specialty}</b>
          <br />
          {r.hospitalName} (kode {r.hospitalCode})<br />
          di tempat
        </p>
        <p>Mohon pemeriksaan dan penanganan lebih lanjut pasien:</p>
        <table>
          <tbody>
            <tr>
              <td class="k">Nama</td>
              <td>: {patient.fullName}</td>
            </tr>
            <tr>
              <td class="k">Jenis kelamin / umur</td>
              <td>
                : {patient.sex === 'L' ? 'Laki-laki' : 'Perempuan'} / {ageYears(patient.birthDate, created)} tahun
              </td>
            </tr>
            <tr>
              <td class="k">Tanggal lahir</td>
              <td>: {longDate(patient.birthDate, s.timeZone)}</td>
            </tr>
            <tr>
              <td class="k">No. kartu JKN</td>
              <td>: {patient.jknNumber ?? '—'}</td>
            </tr>
            {p.patientCopy ? null : (
              <tr>
                <td class="k">NIK</td>
                <td>: {patient.nik ?? '—'}</td>
              </tr>
            )}
            {e.subjective ? (
              <tr>
                <td class="k">Anamnesis</td>
                <td>: {e.subjective}</td>
              </tr>
            ) : null}
            {e.objective || vitalsLine(e.vitals) ? (
              <tr>
                <td class="k">Pemeriksaan</td>
                <td>: {[vitalsLine(e.vitals), e.objective].filter(Boolean).join('. ')}</td>
              </tr>
            ) : null}
            <tr>
              <td class="k">Diagnosis (ICD-10)</td>
              <td>
                : <b>{r.diagnosisCode}</b> {r.diagnosisName}
              </td>
            </tr>
            {secondary.length ? (
              <tr>
                <td class="k">Diagnosis lain</td>
                <td>: {secondary.map((d) => `${d.code} ${d.name}`).join('; ')}</td>
              </tr>
            ) : null}
            <tr>
              <td class="k">Alasan rujukan</td>
              <td>: {r.reason}</td>
            </tr>
            {therapy.length ? (
              <tr>
                <td class="k">Terapi diberikan</td>
                <td>: {therapy.join('; ')}</td>
              </tr>
            ) : null}
            <tr>
              <td class="k">Berlaku sampai</td>
              <td>
                : <b>{longDate(r.validUntil, s.timeZone)}</b>
              </td>
            </tr>
            <tr>
              <td class="k">Status</td>
              <td>
                : {statusText[r.status] ?? r.status}
                {r.scheduledFor ? `, jadwal ${longDate(r.scheduledFor, s.timeZone)}` : ''}
              </td>
            </tr>
          </tbody>
        </table>
        <p>Atas kerja samanya kami ucapkan terima kasih.</p>
        <div class="sign">
          <div>
            <div>{longDate(created, s.timeZone)}</div>
            <div>Dokter pemeriksa,</div>
            <div class="space" />
            <div>
              <b>{r.referrerName}</b>
            </div>
          </div>
        </div>
      </div>
    </Layout>
  );
}

const notFoundPage = (c: Context<AppEnv>, patient: boolean) =>
  render(
    c,
    <MessagePage
      c={c}
      variant={patient ? 'phone' : 'tablet'}
      testid="not-found"
      title={words(c.get('lang')).referralLetterNotFound}
      text={words(c.get('lang')).checkTheLinkOrAsk}
    />,
    404,
  );

export function registerReferralLetter(app: OpenAPIHono<AppEnv>) {
  page(app, '/staff/rujukan/:id/cetak', ['doctor', 'midwife', 'nurse'], async (c) => {
    const db = c.get('deps').db;
    const id = c.req.param('id') ?? '';
    if (!/^[0-9a-f-]{36}$/i.test(id)) return notFoundPage(c, false);
    let referral: Referral;
    try {
      referral = await getReferral(db, actorOf(c), id);
    } catch (err) {
      if (err instanceof ClinicError && err.code === 'not_found') return notFoundPage(c, false);
      throw err;
    }
    const [patient, encounter, prescriptions] = await Promise.all([
      getPatient(db, null, referral.patientId),
      findEncounter(db, referral.encounterId),
      prescriptionsOfEncounter(db, referral.encounterId),
    ]);
    return render(c, await Letter({ c, referral, patient, encounter, prescriptions, patientCopy: false, backHref: '/staff' }));
  });

  page(app, '/t/:token/rujukan/:id', ['ticket'], async (c) => {
    const { db, queue } = c.get('deps');
    const token = c.req.param('token') ?? '';
    const id = c.req.param('id') ?? '';
    if (!/^[A-Za-z0-9_-]{20,64}$/.test(token) || !/^[0-9a-f-]{36}$/i.test(id)) return notFoundPage(c, true);
    const view = await queue.view(token);
    if (!view) return notFoundPage(c, true);
    if (view.expired) {
      const lang = c.get('lang');
      return render(c, <MessagePage c={c} testid="expired" title={words(lang).linkExpired} text={words(lang).aTicketLinkLastsUntil} />, 410);
    }
    const referral = await referralForTicket(db, view.ticket.id, id);
    if (!referral) return notFoundPage(c, true);
    const [patient, encounter, prescriptions] = await Promise.all([
      getPatient(db, null, referral.patientId),
      findEncounter(db, referral.encounterId),
      prescriptionsOfEncounter(db, referral.encounterId),
    ]);
    return render(c, await Letter({ c, referral, patient, encounter, prescriptions, patientCopy: true, backHref: `/t/${token}` }));
  });
}
