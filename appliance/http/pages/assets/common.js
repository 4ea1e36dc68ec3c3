// Shared helpers for the pages' scripts. Plain ES2015 (no ?. or ??): cheap Android phones.
var $ = function (s, r) { return (r || document).querySelector(s); };
var $$ = function (s, r) { return Array.prototype.slice.call((r || document).querySelectorAll(s)); };
var readIsland = function (id) { var el = document.getElementById(id); try { return el ? JSON.parse(el.textContent) : {}; } catch (e) { return {}; } };
var T = readIsland('t');
var D = readIsland('d');

function t(key, vars) {
  var s = T[key] || key;
  if (vars) for (var k in vars) s = s.split('{' + k + '}').join(vars[k] == null ? '' : vars[k]);
  return s;
}
function esc(s) {
  return String(s == null ? '' : s).replace(/[&<>"']/g, function (ch) { return '&#' + ch.charCodeAt(0) + ';'; });
}
function show(el, on) { if (el) el.hidden = !on; }
function msg(el, text, kind) {
  if (!el) return;
  el.textContent = text || '';
  el.className = 'msg ' + (kind || 'err');
  el.hidden = !text;
}
function csrf() { var m = document.querySelector('meta[name=csrf-token]'); return m ? m.getAttribute('content') : ''; }

/** JSON API call; rejects with an Error carrying the API's message, status, code and details. */
function api(method, path, body) {
  var headers = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET') headers['x-csrf-token'] = csrf();
  return fetch(path, { method: method, headers: headers, credentials: 'same-origin', body: body === undefined ? undefined : JSON.stringify(body) })
    .then(function (r) {
      return r.text().then(function (txt) {
        var j = null;
        try { j = txt ? JSON.parse(txt) : null; } catch (e) { j = null; }
        if (!r.ok) {
          var e2 = j && j.error ? j.error : {};
          var err = new Error(e2.message || ((T.netError || 'Error') + ' (' + r.status + ')'));
          err.status = r.status; err.code = e2.code; err.details = e2.details || {};
          if (r.status === 401 && D.staff) location.href = '/staff/login?next=' + encodeURIComponent(location.pathname + location.search);
          throw err;
        }
        return j;
      });
    }, function () { var e = new Error(T.offline || 'Offline'); e.status = 0; throw e; });
}

function clock(iso, withDate) {
  if (!iso) return '';
  var d = new Date(iso);
  var o = { hour: '2-digit', minute: '2-digit' };
  if (withDate) { o.day = '2-digit'; o.month = 'short'; o.year = 'numeric'; }
  try { if (D.tz) o.timeZone = D.tz; return d.toLocaleString(document.documentElement.lang === 'en' ? 'en-GB' : 'id-ID', o); }
  catch (e) { return d.toISOString().slice(withDate ? 0 : 11, 16).replace('T', ' '); }
}

var audio = null;
/** Unlocks sound: browsers only allow it after a tap. */
function unlockAudio() {
  try {
    var AC = window.AudioContext || window.webkitAudioContext;
    if (!AC) return false;
    if (!audio) audio = new AC();
    if (audio.state === 'suspended') audio.resume();
    return true;
  } catch (e) { return false; }
}
/** A generated chime (no audio files): a few soft sine notes. */
function chime(notes) {
  if (!audio) return;
  notes = notes || [659, 523, 784];
  var t0 = audio.currentTime + 0.05;
  for (var i = 0; i < notes.length; i++) {
    var o = audio.createOscillator(), g = audio.createGain(), s = t0 + i * 0.4;
    o.type = 'sine'; o.frequency.value = notes[i];
    g.gain.setValueAtTime(0.0001, s);
    g.gain.exponentialRampToValueAtTime(0.6, s + 0.03);
    g.gain.exponentialRampToValueAtTime(0.0001, s + 1.1);
    o.connect(g); g.connect(audio.destination);
    o.start(s); o.stop(s + 1.2);
  }
}

/** Server-sent events with a visible connection state; EventSource reconnects by itself. */
function live(url, onData, connEl, onGone) {
  var es = null, timer = null;
  function state(on) {
    if (!connEl) return;
    connEl.textContent = on ? (T.connOn || 'on') : (T.connOff || '…');
    connEl.className = connEl.className.replace(/\s*\bon\b/g, '') + (on ? ' on' : '');
  }
  function open() {
    if (!window.EventSource) { state(false); if (onGone) onGone(true); return; }
    es = new EventSource(url);
    es.onopen = function () { state(true); };
    es.addEventListener('update', function (ev) {
      state(true);
      var data = null;
      try { data = JSON.parse(ev.data); } catch (e) { return; }
      onData(data);
    });
    es.onerror = function () {
      state(false);
      // CLOSED means the browser gave up (an error answer, e.g. an expired ticket): look, then retry.
      if (es.readyState === 2) {
        es.close(); es = null;
        if (onGone) onGone(false);
        clearTimeout(timer); timer = setTimeout(open, 5000);
      }
    };
  }
  document.addEventListener('visibilitychange', function () {
    if (document.visibilityState === 'visible' && (!es || es.readyState === 2)) { clearTimeout(timer); open(); }
  });
  open();
  return { stop: function () { clearTimeout(timer); if (es) es.close(); es = null; } };
}
