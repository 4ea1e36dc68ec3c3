import { describe, expect, it } from 'vitest';
import { weakPassword } from './passwords.ts';

const who = { username: 'bidan.ani', fullName: 'Bidan Ani Suryani, A.Md.Keb.' };

describe('weak staff passwords', () => {
  it('refuses the common, the repeated, the sequential and the personal', () => {
    const cases: [string, string][] = [
      ['aaaaaaaaaa', 'repetitive'],
      ['1234567890', 'common'],
      ['password123', 'common'],
      ['Indonesia2024!', 'common'],
      ['qwertyuiop', 'common'],
      ['ganti-kata-sandi-ini', 'common'],
      ['xx-bidan.ani-xx', 'contains_username'],
      ['BIDAN.ANI.2024', 'contains_username'],
      ['suryani-pagi-hari', 'contains_name'],
      ['AniAniAni123', 'contains_name'],
      ['zqzqzqzqzqzq', 'repetitive'],
      ['%$#%$#%$#%$#', 'repetitive'],
      ['9876543210', 'sequence'],
      ['mnopqrstuvwxyz', 'sequence'],
      ['xcvbnmzxcvbn', 'sequence'],
    ];
    for (const [password, reason] of cases) expect(weakPassword(password, who), password).toBe(reason);
  });

  it('accepts a few uncommon words', () => {
    for (const password of ['pohon-mangga-di-halaman', 'Kopi tubruk jam tujuh', 'genteng-biru-retak-3']) expect(weakPassword(password, who), password).toBeNull();
  });
});
