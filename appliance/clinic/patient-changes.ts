/**
 * Who changed a patient's record and when: registration, edits (which fields, never their values)
 * and merges, of the record and of the duplicates merged into it. Shown on the patient's page so
 * the desk sees the trail of a record it is about to change; reads are the admin's audit page's.
 */
import type { Queryable } from './db.ts';
import type { AuditAction } from './audit.ts';

export interface PatientChange {
  at: string;
  staffName: string | null;
  action: AuditAction;
  /** The record the row is about: this one, or a duplicate merged into it. */
  patientId: string;
  patientName: string | null;
  /** For an edit, the fields changed (comma-separated names); for a merge, which record went where. */
  detail: string | null;
  /** For a merge into this record: the duplicate's name. */
  mergedName: string | null;
}

export async function patientChanges(db: Queryable, patientId: string, limit = 30): Promise<PatientChange[]> {
  const { rows } = await db.query<PatientChange>(
    `SELECT a.at, s.full_name AS "staffName", a.action, a.patient_id AS "patientId", p.full_name AS "patientName", a.detail,
            CASE WHEN a.action = 'merge' AND a.detail LIKE 'merged %'
                 THEN (SELECT full_name FROM patients d WHERE d.id::text = substring(a.detail FROM 8)) END AS "mergedName"
       FROM audit_log a LEFT JOIN staff s ON s.id = a.staff_id LEFT JOIN patients p ON p.id = a.patient_id
      WHERE a.entity = 'patient' AND a.action IN ('create', 'update', 'merge')
        AND a.patient_id IN (SELECT $1::uuid UNION SELECT id FROM patients WHERE merged_into = $1)
      ORDER BY a.id DESC LIMIT $2`,
    [patientId, limit],
  );
  return rows.map((r) => ({ ...r, at: new Date(r.at).toISOString() }));
}

/** The record a merged duplicate went into (null when it was not merged). */
export async function mergedInto(db: Queryable, patientId: string): Promise<string | null> {
  const { rows } = await db.query<{ merged_into: string | null }>(`SELECT merged_into FROM patients WHERE id = $1`, [patientId]);
  return rows[0]?.merged_into ?? null;
}
