// Who a patient is, in a queue row or a visit's header: name, age, sex, the NIK's last four
// digits and allergies (red), so that staff call people, not numbers.
import type { WhoWord } from '../../../words/page-words.ts';
import type { PatientSummaryAnswer } from '../../schemas/patients.ts';
import { h } from './dom.ts';
import { pageWords } from './island.ts';

const t = pageWords<WhoWord>();

/** "45 th · Laki-laki · NIK ••••0001". */
export function whoLine(p: PatientSummaryAnswer): string {
  return [t('whoAge', { n: p.ageYears }), t(p.sex === 'L' ? 'male' : 'female'), p.nikLast4 ? t('whoNik', { last4: p.nikLast4 }) : t('whoNoNik')].join(' · ');
}

export function whoAllergies(p: PatientSummaryAnswer) {
  return p.allergies.length ? h('div', { class: 'small low', 'data-testid': 'who-allergies' }, t('whoAllergies', { list: p.allergies.join(', ') })) : null;
}

/** A queue row's patient: name in bold, the line below, allergies below that. */
export function whoBlock(p: PatientSummaryAnswer) {
  return h(
    'div',
    { 'data-testid': 'who' },
    h('b', { 'data-testid': 'who-name' }, p.fullName),
    h('div', { class: 'small muted', 'data-testid': 'who-line' }, whoLine(p)),
    whoAllergies(p),
  );
}
