import { likeLiteral, type Queryable } from './db.ts';

/** Who is acting, from which device: every staff read or change of clinical data names one. */
export interface Actor {
  staffId: string;
  role: 'doctor' | 'nurse' | 'pharmacist' | 'admin' | 'midwife';
  name: string;
  device: string;
}

export const auditActions = ['read', 'create', 'update', 'list', 'deactivate', 'activate', 'password_reset', 'password_change', 'merge'] as const;
export type AuditAction = (typeof auditActions)[number];

export async function audit(
  db: Queryable,
  actor: Actor,
  action: AuditAction,
  entity: string,
  entityId: string | null,
  patientId: string | null,
  /** What a list or search asked for (e.g. the search text), so the trail shows what was looked up. */
  detail: string | null = null,
): Promise<void> {
  await db.query(`INSERT INTO audit_log (staff_id, action, entity, entity_id, patient_id, device, detail) VALUES ($1, $2, $3, $4, $5, $6, $7)`, [
    actor.staffId,
    action,
    entity,
    entityId,
    patientId,
    actor.device,
    detail,
  ]);
}

export interface AuditFilter {
  staffId?: string;
  patientId?: string;
  /** A patient as a person finds one: a name (prefix of a word), a NIK or a JKN number (also their start). */
  patient?: string;
  entity?: string;
  from?: string;
  to?: string;
  limit: number;
  offset: number;
}

export async function listAudit(db: Queryable, f: AuditFilter) {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (sql: string, v: unknown) => {
    params.push(v);
    where.push(sql.replace('?', `$${params.length}`));
  };
  if (f.staffId) add('a.staff_id = ?', f.staffId);
  if (f.patientId) add('a.patient_id = ?', f.patientId);
  if (f.patient) {
    const term = f.patient.trim();
    if (/^\d+$/.test(term)) add(`a.patient_id IN (SELECT id FROM patients WHERE nik LIKE ? || '%' OR jkn_number LIKE $${params.length + 1} || '%')`, likeLiteral(term));
    else {
      const t = likeLiteral(term.toLowerCase());
      add(`a.patient_id IN (SELECT id FROM patients WHERE lower(full_name) LIKE ? || '%' OR lower(full_name) LIKE '% ' || $${params.length + 1} || '%')`, t);
    }
  }
  if (f.entity) add('a.entity = ?', f.entity);
  if (f.from) add('a.at >= ?', f.from);
  if (f.to) add('a.at < ?', f.to);
  params.push(f.limit, f.offset);
  const { rows } = await db.query<{
    id: number;
    at: string;
    staff: string | null;
    staff_name: string | null;
    action: AuditAction;
    entity: string;
    entity_id: string | null;
    patient_id: string | null;
    patient_name: string | null;
    device: string;
    detail: string | null;
  }>(
    `SELECT a.id::int AS id, a.at, s.username AS staff, s.full_name AS staff_name, a.action, a.entity, a.entity_id, a.patient_id,
            p.full_name AS patient_name, a.device, a.detail
       FROM audit_log a LEFT JOIN staff s ON s.id = a.staff_id LEFT JOIN patients p ON p.id = a.patient_id
      ${where.length ? 'WHERE ' + where.join(' AND ') : ''}
      ORDER BY a.id DESC LIMIT $${params.length - 1} OFFSET $${params.length}`,
    params,
  );
  return rows;
}
