// /layar: the waiting-room TV. Newest call big, latest per poli, a chime on every new call.
var lastKey = null, sound = false;
function key(c) { return c ? c.label + '|' + c.calledAt + '|' + c.callCount : null; }

function render(data, first) {
  var calls = data.calls || [];
  var now = calls[0];
  $('#now-label').textContent = now ? now.label : '—';
  $('#now-where').textContent = now ? now.poliName + ' · ' + t('room', { room: now.room || '' }) : t('none');
  $$('[data-poli-name]').forEach(function (card) {
    var name = card.getAttribute('data-poli-name'), c = null;
    for (var i = 0; i < calls.length; i++) if (calls[i].poliName === name) { c = calls[i]; break; }
    card.querySelector('.l').textContent = c ? c.label : '—';
    card.querySelector('.r').textContent = c ? (c.room || '') : '';
  });
  $('#recent').innerHTML = calls.slice(1).map(function (c) { return '<span>' + esc(c.label) + ' → ' + esc(c.room || '') + '</span>'; }).join('');
  var k = key(now);
  if (!first && k && k !== lastKey) announce(now);
  lastKey = k;
}

function announce(c) {
  var box = $('#now');
  box.className = 'now'; void box.offsetWidth; box.className = 'now flash';
  if (!sound) return;
  chime();
  // Spoken call where the TV has an Indonesian (or English) voice; the chime alone otherwise.
  try {
    if (window.speechSynthesis) {
      var want = D.lang === 'en' ? 'en' : 'id';
      var voice = speechSynthesis.getVoices().filter(function (v) { return v.lang && v.lang.toLowerCase().indexOf(want) === 0; })[0];
      if (voice) {
        var u = new SpeechSynthesisUtterance(t('speak', { label: c.label.split('').join(' '), room: c.room || '' }));
        u.voice = voice; u.lang = voice.lang; u.rate = 0.9;
        setTimeout(function () { speechSynthesis.speak(u); }, 1400);
      }
    }
  } catch (e) { /* no speech */ }
}

$('#chime').addEventListener('click', function () {
  sound = unlockAudio();
  chime([784]);
  this.hidden = true;
});
function tick() { $('#clock').textContent = clock(new Date().toISOString()); }
tick(); setInterval(tick, 10000);
render({ calls: D.calls || [] }, true);
live('/api/v1/queue/display/events', function (d) { render(d, false); }, $('#conn'));
