// /ambil: take a number with one tap; the form still posts without JavaScript.
import type { AmbilWord } from '../../../words/page-words.ts';
import type { TakeAnswer } from '../../schemas/queue.ts';
import { api, asApiError } from './api.ts';
import { $, $$, fill, h, msg, show } from './dom.ts';
import { pageWords } from './island.ts';
import { rememberTicket, savedTickets } from './saved-tickets.ts';

const t = pageWords<AmbilWord>();

const mine = savedTickets();
if (mine.length) {
  fill(
    $('#mine-list'),
    mine.map((x) =>
      h('p', { style: 'margin:6px 0' }, h('a', { class: 'btn sec', style: 'width:100%', 'data-testid': 'my-ticket', href: x.link }, x.label + ' · ' + x.poliName + ' ›')),
    ),
  );
  show($('#mine'), true);
}

let busy = false;
const buttons = $$<HTMLButtonElement>('[data-poli]');
for (const btn of buttons) {
  btn.addEventListener('click', (ev) => {
    ev.preventDefault();
    if (busy) return;
    busy = true;
    buttons.forEach((b) => (b.disabled = true));
    msg($('#err'), '');
    msg($('#busy'), t('taking'), 'info');
    api<TakeAnswer>('POST', '/api/v1/queue/take', { poli: btn.getAttribute('data-poli') }).then(
      (r) => {
        rememberTicket({ label: r.ticket.label, poliName: r.ticket.poliName, link: r.link, expiresAt: r.ticket.expiresAt });
        location.href = r.link;
      },
      (e: unknown) => {
        busy = false;
        buttons.forEach((b) => (b.disabled = false));
        show($('#busy'), false);
        msg($('#err'), asApiError(e).message);
      },
    );
  });
}
