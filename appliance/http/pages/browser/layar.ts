// /layar: the waiting-room TV. Newest call big, latest per poli, a chime on every new call.
import type { LayarWord } from '../../../words/page-words.ts';
import type { DisplayAnswer, DisplayCall } from '../../schemas/queue.ts';
import { $, $$, fill, h } from './dom.ts';
import { pageData, pageWords } from './island.ts';
import { live } from './live.ts';
import { chime, playClips, unlockAudio } from './sound.ts';
import { spokenLabel, spokenRoom } from './spoken-call.ts';
import { callClips, clipUrl } from './spoken-clips.ts';
import { clock } from './time.ts';

const t = pageWords<LayarWord>();

const data = pageData<{ calls?: DisplayCall[]; lang?: string }>();
let lastKey: string | null = null;
let sound = false;
const key = (c: DisplayCall | undefined) => (c ? c.label + '|' + c.calledAt + '|' + c.callCount : null);

function render(d: DisplayAnswer, first: boolean) {
  const calls = d.calls || [];
  const now = calls[0];
  $('#now-label').textContent = now ? now.label : '—';
  $('#now-where').textContent = now ? now.poliName + ' · ' + t('room', { room: now.room || '' }) : t('none');
  for (const card of $$('[data-poli-name]')) {
    const c = calls.find((x) => x.poliName === card.getAttribute('data-poli-name'));
    $('.l', card).textContent = c ? c.label : '—';
    $('.r', card).textContent = c ? c.room || '' : '';
  }
  fill(
    $('#recent'),
    calls.slice(1).map((c) => h('span', null, c.label + ' → ' + (c.room || ''))),
  );
  const k = key(now);
  if (!first && k && k !== lastKey && now) announce(now);
  lastKey = k;
}

function announce(c: DisplayCall) {
  const box = $('#now');
  box.className = 'now';
  void box.offsetWidth; // restart the flash
  box.className = 'now flash';
  if (!sound) return;
  chime();
  speak(c);
}

/**
 * The call said aloud after the chime, in the screen's language, by the browser's own voice (no
 * network): "Nomor antrean A dua belas, silakan ke Ruang dua" where the TV has an Indonesian voice
 * (`id`, or the old code `in`), the English sentence on an English screen. An Indonesian screen
 * without such a voice says it with the clips the box ships (spoken-clips.ts); an English one
 * without an English voice: the chime and the flashing number only.
 */
function speak(c: DisplayCall) {
  const en = data.lang === 'en';
  let voice: SpeechSynthesisVoice | undefined;
  try {
    const codes = en ? ['en'] : ['id', 'in'];
    if (window.speechSynthesis) voice = speechSynthesis.getVoices().filter((v) => v.lang && codes.indexOf(v.lang.toLowerCase().slice(0, 2)) >= 0)[0];
  } catch {
    /* no speech */
  }
  if (!voice) {
    if (!en) playClips(callClips(c.label, c.room || '').map(clipUrl), 1.4);
    return;
  }
  const text = en ? t('speak', { label: c.label.split('').join(' '), room: c.room || '' }) : t('sp_call', { label: spokenLabel(c.label), room: spokenRoom(c.room || '') });
  const u = new SpeechSynthesisUtterance(text);
  u.voice = voice;
  u.lang = voice.lang;
  u.rate = 0.9;
  window.setTimeout(() => speechSynthesis.speak(u), 1400);
}

const chimeButton = $<HTMLButtonElement>('#chime');
chimeButton.addEventListener('click', () => {
  sound = unlockAudio();
  chime([784]);
  chimeButton.hidden = true;
});
const tick = () => ($('#clock').textContent = clock(new Date().toISOString()));
tick();
window.setInterval(tick, 10000);
render({ calls: data.calls || [] }, true);
live<DisplayAnswer>('/api/v1/queue/display/events', (d) => render(d, false), $('#conn'));
