/**
 * What an audit row says to a person, in her language: a key per (action, entity) — the page
 * translates it with its word catalog — and the text in the request's language for readers that
 * have no catalog (CSV, the API). Never the English action words of the table.
 * The words are in the box's word catalog (appliance/words), under `audit_*`.
 */
import { type Lang, type WordKey, words } from '../words/index.ts';

const labels: Record<string, WordKey> = {
  'audit.read.patient': 'audit_read_patient',
  'audit.list.patient': 'audit_list_patient',
  'audit.create.patient': 'audit_create_patient',
  'audit.update.patient': 'audit_update_patient',
  'audit.merge.patient': 'audit_merge_patient',
  'audit.read.patient_history': 'audit_read_patient_history',
  'audit.create.allergy': 'audit_create_allergy',
  'audit.update.allergy': 'audit_update_allergy',
  'audit.read.encounter': 'audit_read_encounter',
  'audit.list.encounter': 'audit_list_encounter',
  'audit.create.encounter': 'audit_create_encounter',
  'audit.update.encounter': 'audit_update_encounter',
  'audit.create.triage': 'audit_create_triage',
  'audit.update.triage': 'audit_update_triage',
  'audit.read.triage': 'audit_read_triage',
  'audit.create.queue_ticket': 'audit_create_queue_ticket',
  'audit.update.queue_ticket': 'audit_update_queue_ticket',
  'audit.read.prescription': 'audit_read_prescription',
  'audit.list.prescription': 'audit_list_prescription',
  'audit.create.prescription': 'audit_create_prescription',
  'audit.update.prescription': 'audit_update_prescription',
  'audit.read.referral': 'audit_read_referral',
  'audit.list.referral': 'audit_list_referral',
  'audit.create.referral': 'audit_create_referral',
  'audit.update.referral': 'audit_update_referral',
  'audit.create.consent': 'audit_create_consent',
  'audit.update.consent': 'audit_update_consent',
  'audit.list.report': 'audit_list_report',
  'audit.deactivate.staff': 'audit_deactivate_staff',
  'audit.activate.staff': 'audit_activate_staff',
  'audit.password_reset.staff': 'audit_password_reset_staff',
  'audit.password_change.staff': 'audit_password_change_staff',
};

export const auditLabelKeys = Object.keys(labels);

export function auditLabel(action: string, entity: string, lang: Lang): { key: string; text: string } {
  const key = `audit.${action}.${entity}`;
  const word = labels[key];
  const w = words(lang);
  return word ? { key, text: w[word] } : { key: 'audit.other', text: w.audit_other };
}
