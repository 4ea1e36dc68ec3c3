// /staff/karcis: the desk takes a number for a patient without a phone and opens its printed ticket.
import type { PrintedTicketWord, StaffWord } from '../../../words/page-words.ts';
import type { DeskAnswer } from '../../schemas/queue.ts';
import { api, asApiError } from './api.ts';
import { $, msg } from './dom.ts';
import { pageWords } from './island.ts';
import { staffPage } from './staff.ts';

pageWords<PrintedTicketWord | StaffWord>();
staffPage();
const form = $<HTMLFormElement>('#karcis-form');
form.addEventListener('submit', (ev) => {
  ev.preventDefault();
  const button = $<HTMLButtonElement>('[data-testid=karcis-take]');
  button.disabled = true;
  api<DeskAnswer>('POST', '/api/v1/queue/desk', { poli: $<HTMLSelectElement>('#k-poli').value }).then(
    (r) => {
      location.href = '/staff/karcis/' + encodeURIComponent(r.token) + '?layout=' + encodeURIComponent($<HTMLSelectElement>('#k-layout').value);
    },
    (e: unknown) => {
      button.disabled = false;
      msg($('#karcis-msg'), asApiError(e).message);
    },
  );
});
