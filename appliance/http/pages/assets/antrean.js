// /staff/antrean: the desk and nurse board. Live via the queue's event stream, polling as a fallback.
var PAGE = 20;
var polis = D.polis || [];
var state = { poli: null, page: 0, tickets: [], showAll: false, pick: null, walkinPatient: null, names: {} };
try { state.names = JSON.parse(sessionStorage.getItem('simpul.names') || '{}'); } catch (e) { state.names = {}; }

function poliOf(code) { for (var i = 0; i < polis.length; i++) if (polis[i].code === code) return polis[i]; return polis[0]; }
function boardMsg(text, kind) { msg($('#board-msg'), text, kind || 'ok'); }

function selectPoli(code) {
  state.poli = code; state.page = 0;
  try { localStorage.setItem('simpul.poli', code); } catch (e) { /* ignore */ }
  $$('#tabs [data-poli]').forEach(function (b) { b.setAttribute('aria-selected', b.getAttribute('data-poli') === code ? 'true' : 'false'); });
  var room = $('#room');
  if (room) {
    var saved = null;
    try { saved = localStorage.getItem('simpul.room.' + code); } catch (e) { saved = null; }
    room.innerHTML = poliOf(code).rooms.map(function (r) { return '<option' + (r === saved ? ' selected' : '') + '>' + esc(r) + '</option>'; }).join('');
  }
  var wp = $('#walkin-poli');
  if (wp) wp.value = code;
  load();
}

var loading = null, again = false;
function load() {
  if (loading) { again = true; return loading; }
  var code = state.poli;
  loading = api('GET', '/api/v1/queue/' + encodeURIComponent(code)).then(function (r) {
    if (code === state.poli) { state.tickets = r.tickets || []; draw(); }
  }, function (e) { boardMsg(e.message, 'err'); }).then(function () {
    loading = null;
    if (again) { again = false; load(); }
  });
  return loading;
}

var open = { waiting: 1, called: 1, serving: 1, skipped: 1 };
function actionsFor(tk) {
  if (!D.canCall) return [];
  switch (tk.status) {
    case 'waiting': return ['call', 'skip', 'noShow', 'transfer', 'attach'];
    case 'called': return ['recall', 'finish', 'skip', 'noShow', 'transfer', 'attach'];
    case 'serving': return ['finish', 'transfer', 'attach'];
    case 'skipped': return ['call', 'noShow', 'transfer', 'attach'];
    default: return [];
  }
}
var testids = { call: 'act-call', recall: 'act-recall', skip: 'act-skip', noShow: 'act-no-show', finish: 'act-finish', transfer: 'act-transfer', attach: 'act-attach' };

function draw() {
  var all = state.tickets, n = { waiting: 0, called: 0, done: 0 };
  all.forEach(function (x) { if (x.status === 'waiting') n.waiting++; else if (x.status === 'called' || x.status === 'serving') n.called++; else if (x.status === 'done') n.done++; });
  $('#counts').innerHTML = '<span data-testid="count-waiting">' + esc(t('waitingN', { n: n.waiting })) + '</span><span data-testid="count-called">' + esc(t('calledN', { n: n.called })) +
    '</span><span data-testid="count-done">' + esc(t('doneN', { n: n.done })) + '</span>';
  var list = state.showAll ? all : all.filter(function (x) { return open[x.status]; });
  var pages = Math.max(1, Math.ceil(list.length / PAGE));
  if (state.page >= pages) state.page = pages - 1;
  var rows = list.slice(state.page * PAGE, state.page * PAGE + PAGE);
  $('#tickets').innerHTML = rows.length ? rows.map(function (x) {
    var who = x.patientId ? (state.names[x.patientId] ? esc(state.names[x.patientId]) : '✓ ' + esc(t('attached'))) : '<span class="muted">' + esc(t('anon')) + '</span>';
    return '<tr data-testid="ticket-row-' + esc(x.label) + '" data-id="' + esc(x.id) + '" data-label="' + esc(x.label) + '" data-status="' + esc(x.status) + '">' +
      '<td class="lbl">' + esc(x.label) + '</td>' +
      '<td><span class="pill st-' + esc(x.status) + '" data-testid="row-status">' + esc(t('st_' + x.status)) + '</span>' + (x.room ? '<div class="small">' + esc(x.room) + (x.callCount > 1 ? ' ×' + x.callCount : '') + '</div>' : '') + '</td>' +
      '<td>' + who + '</td>' +
      '<td class="small">' + esc(clock(x.takenAt)) + ' · ' + esc(t(x.source)) + '</td>' +
      '<td><div class="acts">' + actionsFor(x).map(function (a) {
        return '<button type="button" class="' + (a === 'noShow' ? 'bad' : (a === 'call' || a === 'recall' || a === 'finish') ? '' : 'sec') + '" data-act="' + a + '" data-testid="' + testids[a] + '">' + esc(t(a)) + '</button>';
      }).join('') + '</div><div class="xfer"></div></td></tr>';
  }).join('') : '<tr><td colspan="5" class="muted">' + esc(t('none')) + '</td></tr>';
  $('#pageno').textContent = t('page', { n: (state.page + 1) + '/' + pages });
  $('#prev').disabled = state.page === 0;
  $('#next').disabled = state.page >= pages - 1;
}

function act(row, a) {
  var id = row.getAttribute('data-id'), label = row.getAttribute('data-label');
  var base = '/api/v1/queue/tickets/' + encodeURIComponent(id) + '/';
  var done = function (r) { boardMsg(t('done', { label: (r && r.ticket && r.ticket.label) || label, action: t(a) })); load(); };
  var fail = function (e) { boardMsg(label + ': ' + e.message, 'err'); load(); };
  if (a === 'call') return api('POST', base + 'call', { room: $('#room').value }).then(function () { boardMsg(t('calledTo', { label: label, room: $('#room').value })); load(); }, fail);
  if (a === 'recall') return api('POST', base + 'recall').then(done, fail);
  if (a === 'skip') return api('POST', base + 'skip').then(done, fail);
  if (a === 'finish') return api('POST', base + 'finish').then(done, fail);
  if (a === 'noShow') { if (!confirm(t('confirmNoShow', { label: label }))) return; return api('POST', base + 'no-show').then(done, fail); }
  if (a === 'transfer') {
    var box = $('.xfer', row);
    box.innerHTML = '<div class="row" style="margin-top:6px"><span class="small">' + esc(t('transferTo', { label: label })) + '</span>' +
      polis.filter(function (p) { return p.code !== state.poli; }).map(function (p) {
        return '<button type="button" class="sec" data-xfer="' + esc(p.code) + '" data-testid="transfer-to-' + esc(p.code) + '">' + esc(p.name) + '</button>';
      }).join('') + '<button type="button" class="sec" data-xfer="">' + esc(t('cancel')) + '</button></div>';
    return;
  }
  if (a === 'attach') { startPick({ kind: 'attach', id: id, label: label }); }
}

$('#tickets').addEventListener('click', function (ev) {
  var b = ev.target.closest ? ev.target.closest('button') : null;
  if (!b) return;
  var row = b.closest('tr');
  if (b.hasAttribute('data-xfer')) {
    var to = b.getAttribute('data-xfer');
    if (!to) { $('.xfer', row).innerHTML = ''; return; }
    api('POST', '/api/v1/queue/tickets/' + encodeURIComponent(row.getAttribute('data-id')) + '/transfer', { poli: to }).then(function (r) {
      boardMsg(t('done', { label: row.getAttribute('data-label') + ' → ' + r.ticket.label, action: t('transfer') })); load();
    }, function (e) { boardMsg(e.message, 'err'); });
    return;
  }
  act(row, b.getAttribute('data-act'));
});

$$('#tabs [data-poli]').forEach(function (b) { b.addEventListener('click', function () { selectPoli(b.getAttribute('data-poli')); }); });
$('#prev').addEventListener('click', function () { state.page--; draw(); });
$('#next').addEventListener('click', function () { state.page++; draw(); });
$('#show-all').addEventListener('change', function () { state.showAll = this.checked; state.page = 0; draw(); });

var room = $('#room');
if (room) room.addEventListener('change', function () { try { localStorage.setItem('simpul.room.' + state.poli, room.value); } catch (e) { /* ignore */ } });
var callNext = $('#call-next');
if (callNext) callNext.addEventListener('click', function () {
  callNext.disabled = true;
  var r = room.value;
  api('POST', '/api/v1/queue/' + encodeURIComponent(state.poli) + '/call-next', { room: r }).then(function (res) {
    if (res.ticket) boardMsg(t('calledTo', { label: res.ticket.label, room: r })); else boardMsg(t('nobody'), 'info');
    load();
  }, function (e) { boardMsg(e.message, 'err'); }).then(function () { callNext.disabled = false; });
});

// ---- patients: search as you type, register, choose for a walk-in or to attach to a ticket ----
function startPick(mode) {
  state.pick = mode;
  show($('#pick-mode'), mode.kind === 'attach');
  $('#pick-mode-text').textContent = mode.kind === 'attach' ? t('pickFor', { label: mode.label }) : '';
  var s = $('#patient-search');
  if (s) { s.focus(); if (s.scrollIntoView) s.scrollIntoView({ block: 'center' }); }
}
var cancel = $('#pick-cancel');
if (cancel) cancel.addEventListener('click', function () { startPick({ kind: 'walkin' }); });

function describe(p) {
  return esc(p.fullName) + ' <span class="small muted">' + esc(p.nik || '') + (p.jknNumber ? ' · JKN ' + esc(p.jknNumber) : '') + ' · ' + esc(t('born')) + ' ' + esc(p.birthDate) + '</span>';
}
function choose(p) {
  state.names[p.id] = p.fullName;
  try { sessionStorage.setItem('simpul.names', JSON.stringify(state.names)); } catch (e) { /* ignore */ }
  var mode = state.pick || { kind: 'walkin' };
  if (mode.kind === 'attach') {
    api('POST', '/api/v1/queue/tickets/' + encodeURIComponent(mode.id) + '/attach', { patientId: p.id }).then(function () {
      boardMsg(t('done', { label: mode.label, action: t('attach') + ': ' + p.fullName })); startPick({ kind: 'walkin' }); load();
    }, function (e) { boardMsg(e.message, 'err'); });
  } else if (D.canDesk) {
    state.walkinPatient = p;
    drawWalkinPatient();
  }
}
function drawWalkinPatient() {
  var el = $('#walkin-patient');
  if (!el) return;
  var p = state.walkinPatient;
  el.innerHTML = p ? esc(t('selected', { name: p.fullName })) + ' <button type="button" class="sec" id="walkin-clear" style="min-height:36px">' + esc(t('clear')) + '</button>' : '<span class="muted">' + esc(t('pickWalkin')) + '</span>';
  var c = $('#walkin-clear');
  if (c) c.addEventListener('click', function () { state.walkinPatient = null; drawWalkinPatient(); });
}

var found = {};
function drawResults(list) {
  found = {};
  list.forEach(function (p) { found[p.id] = p; });
  $('#patient-results').innerHTML = list.length ? list.map(function (p) {
    return '<div class="res" data-testid="patient-result"><div>' + describe(p) + '</div><button type="button" class="sec" data-pick="' + esc(p.id) + '" data-testid="patient-choose">' + esc(t('choose')) + '</button></div>';
  }).join('') : '<p class="muted small" data-testid="patient-none">' + esc(t('noResults')) + '</p>';
}
var search = $('#patient-search'), searchTimer = null, searchSeq = 0;
if (search) {
  search.addEventListener('input', function () {
    clearTimeout(searchTimer);
    var q = search.value.trim();
    if (!q) { $('#patient-results').innerHTML = ''; return; }
    searchTimer = setTimeout(function () {
      var seq = ++searchSeq;
      api('GET', '/api/v1/patients?limit=10&q=' + encodeURIComponent(q)).then(function (r) {
        if (seq === searchSeq) drawResults(r.patients || []);
      }, function (e) { if (seq === searchSeq) $('#patient-results').innerHTML = '<p class="msg err">' + esc(e.message) + '</p>'; });
    }, 250);
  });
  $('#patient-results').addEventListener('click', function (ev) {
    var b = ev.target.closest ? ev.target.closest('[data-pick]') : null;
    if (b && found[b.getAttribute('data-pick')]) choose(found[b.getAttribute('data-pick')]);
  });
}

var reg = $('#register-form');
if (reg) reg.addEventListener('submit', function (ev) {
  ev.preventDefault();
  var body = formJson(reg), err = $('#register-error'), local = [];
  $$('.field-err', reg).forEach(function (el) { el.textContent = ''; });
  msg(err, '');
  if (body.nik && !/^\d{16}$/.test(body.nik)) local.push(['nik', t('nikBad')]);
  if (body.jknNumber && !/^\d{13}$/.test(body.jknNumber)) local.push(['jknNumber', t('jknBad')]);
  if (!body.nik && !body.jknNumber) local.push(['nik', t('idNeeded')]);
  if (local.length) {
    local.forEach(function (x) { $('.field-err[data-for="' + x[0] + '"]', reg).textContent = x[1]; });
    return;
  }
  api('POST', '/api/v1/patients', body).then(function (p) {
    msg(err, t('registered', { name: p.fullName }), 'ok');
    reg.reset();
    drawResults([p]);
    choose(p);
  }, function (e) {
    fieldErrors(reg, e);
    var d = e.details || {};
    if (d.field === 'nik' && d.problem && T['nik_' + d.problem]) $('.field-err[data-for="nik"]', reg).textContent = t('nik_' + d.problem);
    if (d.field === 'birthDate' && d.problem === 'future') $('.field-err[data-for="birthDate"]', reg).textContent = t('birth_future');
    msg(err, e.message);
    if (e.code === 'conflict' && e.details && e.details.patientId) {
      err.innerHTML = esc(t('exists')) + ' <button type="button" class="sec" id="use-existing">' + esc(t('useExisting')) + '</button>';
      $('#use-existing').addEventListener('click', function () {
        api('GET', '/api/v1/patients/' + encodeURIComponent(e.details.patientId)).then(function (p) { drawResults([p]); choose(p); }, function (e2) { msg(err, e2.message); });
      });
    }
  });
});

var walkin = $('#walkin-submit');
if (walkin) walkin.addEventListener('click', function () {
  walkin.disabled = true;
  var body = { poli: $('#walkin-poli').value };
  if (state.walkinPatient) body.patientId = state.walkinPatient.id;
  api('POST', '/api/v1/queue/desk', body).then(function (r) {
    var url = location.origin + r.link;
    $('#walkin-label').textContent = r.label;
    $('#walkin-qr').src = '/staff/qr/' + encodeURIComponent(r.token);
    var a = $('#walkin-link'); a.href = r.link; a.textContent = url;
    show($('#walkin-result'), true);
    boardMsg(t('walkinDone', { label: r.label }));
    state.walkinPatient = null; drawWalkinPatient();
    if (body.poli === state.poli) load();
  }, function (e) { boardMsg(e.message, 'err'); }).then(function () { walkin.disabled = false; });
});

// ---- live ----
var pending = null;
function soon() { clearTimeout(pending); pending = setTimeout(load, 250); }
var connected = false;
live('/api/v1/queue/display/events', function () { connected = true; soon(); }, $('#conn'), function () { connected = false; });
setInterval(function () { if (!connected || document.visibilityState === 'visible') load(); }, 15000);

var first = polis[0] && polis[0].code, savedPoli = null;
try { savedPoli = localStorage.getItem('simpul.poli'); } catch (e) { savedPoli = null; }
if (/^#[a-z]/.test(location.hash)) savedPoli = location.hash.slice(1);
selectPoli(polis.some(function (p) { return p.code === savedPoli; }) ? savedPoli : first);
drawWalkinPatient();
