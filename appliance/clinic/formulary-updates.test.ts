import { describe, expect, it } from 'vitest';
import { clinicError, useClinic } from './testing.ts';
import { applyFormularyUpdate, appliedFormularyVersion, type FormularyUpdateItem } from './formulary-updates.ts';

describe('the district formulary update', () => {
  const clinic = useClinic();

  const byCode = async (code: string) =>
    (await clinic.db.query<{ name: string; strength: string; active: boolean; stock: number }>(`SELECT name, strength, active, stock FROM formulary WHERE kfa_code = $1`, [code]))
      .rows;
  const list: FormularyUpdateItem[] = [
    // Known to the demo clinic (Parasetamol 500 mg, 500 in stock): renamed, stock untouched.
    { kfaCode: '93001234', name: 'Paracetamol', strength: '500 mg', form: 'tablet', unit: 'tablet', active: true },
    // Known: no longer prescribed.
    { kfaCode: '93003015', name: 'Kaptopril', strength: '25 mg', form: 'tablet', unit: 'tablet', active: false },
    // New to the clinic.
    { kfaCode: '93012001', name: 'Asam folat', strength: '1 mg', form: 'tablet', unit: 'tablet', active: true },
  ];

  it('adds new medicines without stock and updates known ones by KFA code, never their stock', async () => {
    const before = (await byCode('93001234'))[0];
    const r = await applyFormularyUpdate(clinic.db, 1, list);
    expect(r).toEqual({ version: 1, added: 1, changed: 2, repeated: false });
    expect(await byCode('93001234')).toEqual([{ ...before, name: 'Paracetamol' }]);
    expect((await byCode('93003015'))[0].active).toBe(false);
    expect(await byCode('93012001')).toEqual([{ name: 'Asam folat', strength: '1 mg', active: true, stock: 0 }]);
    expect(await appliedFormularyVersion(clinic.db)).toBe(1);
  });

  it('the same version again changes nothing; an older one is refused', async () => {
    const count = async () => (await clinic.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM formulary`)).rows[0].n;
    const n = await count();
    expect(await applyFormularyUpdate(clinic.db, 1, list)).toMatchObject({ repeated: true, added: 0 });
    expect(await applyFormularyUpdate(clinic.db, 3, [{ ...list[2], strength: '5 mg' }])).toMatchObject({ version: 3, changed: 1 });
    const e = await clinicError(applyFormularyUpdate(clinic.db, 2, list));
    expect(e.code).toBe('conflict');
    expect((await byCode('93012001'))[0].strength).toBe('5 mg');
    expect(await count()).toBe(n);
    expect(await appliedFormularyVersion(clinic.db)).toBe(3);
  });
});
