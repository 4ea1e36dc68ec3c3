/**
 * What an audit row says to a person, in her language: a key per (action, entity) — the page
 * translates it with its word catalog — and the text in the request's language for readers that
 * have no catalog (CSV, the API). Never the English action words of the table.
 * Kept here, keyed, until the box's word catalog (helper browser) takes these keys over.
 */
import { tr, type Lang } from './i18n.ts';

const labels: Record<string, [string, string]> = {
  'audit.read.patient': ['Membuka data pasien', 'Opened the patient’s record'],
  'audit.list.patient': ['Mencari pasien', 'Searched for patients'],
  'audit.create.patient': ['Mendaftarkan pasien', 'Registered the patient'],
  'audit.update.patient': ['Mengubah data pasien', 'Changed the patient’s details'],
  'audit.merge.patient': ['Menggabungkan data ganda pasien', 'Merged duplicate patient records'],
  'audit.read.patient_history': ['Membuka riwayat pasien', 'Opened the patient’s history'],
  'audit.create.allergy': ['Mencatat alergi', 'Recorded an allergy'],
  'audit.update.allergy': ['Menghapus catatan alergi', 'Removed an allergy'],
  'audit.read.encounter': ['Membuka catatan kunjungan', 'Opened a visit'],
  'audit.list.encounter': ['Melihat daftar kunjungan', 'Listed visits'],
  'audit.create.encounter': ['Membuka kunjungan', 'Opened a new visit'],
  'audit.update.encounter': ['Mengubah catatan kunjungan', 'Changed a visit'],
  'audit.create.triage': ['Mencatat tanda vital (triase)', 'Recorded triage vitals'],
  'audit.update.triage': ['Mengubah tanda vital (triase)', 'Changed triage vitals'],
  'audit.read.triage': ['Melihat tanda vital (triase)', 'Read triage vitals'],
  'audit.create.queue_ticket': ['Memberi nomor antrean', 'Gave a queue number'],
  'audit.update.queue_ticket': ['Mengubah nomor antrean', 'Changed a queue number'],
  'audit.read.prescription': ['Membuka resep', 'Opened a prescription'],
  'audit.list.prescription': ['Melihat daftar resep', 'Listed prescriptions'],
  'audit.create.prescription': ['Menulis resep', 'Wrote a prescription'],
  'audit.update.prescription': ['Mengubah status resep', 'Changed a prescription'],
  'audit.read.referral': ['Membuka rujukan', 'Opened a referral'],
  'audit.list.referral': ['Melihat daftar rujukan', 'Listed referrals'],
  'audit.create.referral': ['Membuat rujukan', 'Made a referral'],
  'audit.update.referral': ['Mengubah rujukan', 'Changed a referral'],
  'audit.create.consent': ['Mencatat persetujuan pasien', 'Recorded the patient’s consent'],
  'audit.update.consent': ['Mencatat penarikan persetujuan', 'Recorded a withdrawn consent'],
  'audit.list.report': ['Membuka laporan', 'Opened a report'],
  'audit.deactivate.staff': ['Menonaktifkan akun petugas', 'Deactivated a staff account'],
  'audit.activate.staff': ['Mengaktifkan akun petugas', 'Activated a staff account'],
  'audit.password_reset.staff': ['Memberi kata sandi sementara', 'Set a temporary password'],
  'audit.password_change.staff': ['Mengganti kata sandi sendiri', 'Changed own password'],
};

export const auditLabelKeys = Object.keys(labels);

export function auditLabel(action: string, entity: string, lang: Lang): { key: string; text: string } {
  const key = `audit.${action}.${entity}`;
  const words = labels[key];
  return words ? { key, text: tr(lang, ...words) } : { key: 'audit.other', text: tr(lang, 'Tindakan lain', 'Other action') };
}
