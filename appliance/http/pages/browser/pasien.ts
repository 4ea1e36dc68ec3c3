// /staff/pasien (find a patient) and /staff/pasien/:id (edit the details; merge a duplicate:
// find it, choose the record to keep, confirm). The record and its change trail are the server's.
import type { PatientDetailsWord, StaffWord } from '../../../words/page-words.ts';
import type { MergeAnswer, PatientAnswer, PatientsAnswer } from '../../schemas/patients.ts';
import { api, asApiError } from './api.ts';
import { $, $$, fill, h, msg, show } from './dom.ts';
import { pageData, pageWords } from './island.ts';
import { clearFieldErrors, fieldErrors, staffPage } from './staff.ts';

const t = pageWords<PatientDetailsWord | StaffWord>();
staffPage();
const current = pageData<{ patient: PatientAnswer | null }>().patient;

const who = (p: PatientAnswer) => p.fullName + ' · ' + t('born') + ' ' + p.birthDate + (p.nik ? ' · NIK ' + p.nik : '') + (p.jknNumber ? ' · JKN ' + p.jknNumber : '');

// The search: on /staff/pasien a list of links; on a patient's page the candidates for a merge.
const searchForm = $<HTMLFormElement>('#pat-search');
if (searchForm) {
  searchForm.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const q = $<HTMLInputElement>('#pat-q').value.trim();
    if (!q) return;
    api<PatientsAnswer>('GET', '/api/v1/patients?q=' + encodeURIComponent(q)).then(
      (r) => {
        const found = r.patients.filter((p) => !current || p.id !== current.id);
        fill(
          $('#pat-results'),
          found.length
            ? found.map((p) =>
                h(
                  'li',
                  { 'data-testid': 'result-' + p.id },
                  current
                    ? [h('span', null, who(p)), ' ', h('button', { type: 'button', class: 'sec', 'data-testid': 'choose-' + p.id, onclick: () => chooseDuplicate(p) }, t('choose'))]
                    : h('a', { href: '/staff/pasien/' + p.id }, who(p)),
                ),
              )
            : h('li', { class: 'muted' }, t('pat_none')),
        );
      },
      (e: unknown) => fill($('#pat-results'), h('li', { class: 'msg err' }, asApiError(e).message)),
    );
  });
  $('#pat-q').focus();
}

/** The merge's choice: which record stays, the question with both names, and the confirmation. */
function chooseDuplicate(other: PatientAnswer) {
  if (!current) return;
  const box = $('#merge-choice');
  msg($('#merge-msg'), '');
  const question = h('p', { 'data-testid': 'merge-question' });
  const option = (value: string, label: string, p: PatientAnswer, checked: boolean) =>
    h(
      'label',
      { class: 'inline', style: 'display:flex;margin:6px 0' },
      h('input', { type: 'radio', name: 'keep', value, checked, 'data-testid': 'keep-' + value }),
      h('span', null, h('b', null, label + ': '), who(p)),
    );
  const keepThis = () => ($<HTMLInputElement>('input[name=keep][value=this]', box) || { checked: true }).checked;
  const update = () => {
    const kept = keepThis() ? current : other;
    const gone = keepThis() ? other : current;
    question.textContent = t('pat_mergeConfirm', {
      kept: kept.fullName + (kept.nik ? ' (NIK ' + kept.nik + ')' : ''),
      gone: gone.fullName + (gone.nik ? ' (NIK ' + gone.nik + ')' : ''),
    });
  };
  const go = h('button', { type: 'button', class: 'bad', 'data-testid': 'merge-confirm' }, t('pat_mergeDo'));
  go.addEventListener('click', () => {
    const kept = keepThis() ? current : other;
    const gone = keepThis() ? other : current;
    go.disabled = true;
    api<MergeAnswer>('POST', '/api/v1/patients/' + kept.id + '/merge', { duplicateId: gone.id }).then(
      (r) => {
        location.href = '/staff/pasien/' + r.keptPatientId + '?merged=1';
      },
      (e: unknown) => {
        go.disabled = false;
        msg($('#merge-msg'), asApiError(e).message);
      },
    );
  });
  fill(
    box,
    h('fieldset', { onchange: update }, h('legend', null, t('pat_keepWhich')), option('this', t('pat_keepThis'), current, true), option('other', t('pat_keepOther'), other, false)),
    question,
    h(
      'div',
      { class: 'row' },
      go,
      h(
        'button',
        {
          type: 'button',
          class: 'sec',
          onclick: () => {
            fill(box);
            show(box, false);
          },
        },
        t('cancel'),
      ),
    ),
  );
  update();
  show(box, true);
  $<HTMLInputElement>('input[name=keep][value=this]', box).focus();
}

// The details: only the fields that changed are sent; an emptied optional field is cleared.
const form = $<HTMLFormElement>('#pat-form');
if (form && current) {
  const clearable = ['nik', 'jknNumber', 'phone', 'address'];
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    clearFieldErrors(form);
    const change: Record<string, string | null> = {};
    $$<HTMLInputElement>('input[name],select[name]', form).forEach((el) => {
      const initial = el.tagName === 'SELECT' ? current[el.name as keyof PatientAnswer] : el.getAttribute('data-initial');
      const value = el.value.trim();
      if (value === String(initial ?? '')) return;
      change[el.name] = value === '' && clearable.indexOf(el.name) >= 0 ? null : value;
    });
    if (!Object.keys(change).length) {
      msg($('#pat-msg'), t('pat_nothingChanged'), 'info');
      return;
    }
    api<PatientAnswer>('PATCH', '/api/v1/patients/' + current.id, change).then(
      (p) => {
        Object.assign(current, p);
        $$<HTMLInputElement>('input[name]', form).forEach((el) => {
          const v = p[el.name as keyof PatientAnswer];
          el.value = v == null ? '' : String(v);
          el.setAttribute('data-initial', el.value);
        });
        $('[data-testid=patient-name]').textContent = p.fullName;
        msg($('#pat-msg'), t('pat_saved'), 'ok');
      },
      (err: unknown) => {
        const e = asApiError(err);
        msg($('#pat-msg'), fieldErrors(form, e) ? '' : e.message);
      },
    );
  });
}
