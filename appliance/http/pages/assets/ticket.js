// /t/:token: the patient's ticket, updated live; a call vibrates and chimes where allowed.
var token = D.token, last = D.ticket, docsTimer = null, sound = false;

function setText(sel, v) { var el = $(sel); if (el) el.textContent = v; }

function render(tk) {
  setText('#label', tk.label);
  setText('#poli', tk.poliName);
  var st = $('#status');
  st.textContent = t('st_' + tk.status);
  st.className = 'pill st-' + tk.status;
  var hasPos = tk.position !== null && tk.position !== undefined;
  show($('#pos-box'), hasPos);
  if (hasPos) {
    setText('#position', tk.position);
    setText('#ahead', tk.position <= 1 ? t('aheadNone') : t('ahead', { n: tk.position - 1 }));
  }
  var hasWait = tk.estimatedWaitMinutes !== null && tk.estimatedWaitMinutes !== undefined;
  show($('#wait-box'), hasWait);
  if (hasWait) setText('#wait', tk.estimatedWaitMinutes < 1 ? t('minutesNone') : t('minutes', { n: tk.estimatedWaitMinutes }));
  var called = tk.status === 'called';
  show($('#called'), called);
  if (called) setText('#called-text', t('calledGo', { room: tk.room || '' }));
  var isNewCall = called && (!last || last.status !== 'called' || last.callCount !== tk.callCount || last.room !== tk.room);
  if (isNewCall) alertCalled(tk);
  document.title = (called ? '🔔 ' : '') + tk.label + ' · ' + tk.poliName;
  if (last && last.status !== tk.status) loadDocs();
  last = tk;
  remember(tk);
}

function alertCalled(tk) {
  var box = $('#called');
  box.className = 'called';
  void box.offsetWidth; // restart the flash
  box.className = 'called flash';
  try { if (navigator.vibrate) navigator.vibrate([500, 200, 500, 200, 900]); } catch (e) { /* not allowed */ }
  if (sound) { chime(); setTimeout(function () { chime(); }, 1600); }
}

function expired() {
  show($('#expired'), true);
  show($('#called'), false);
  setText('#conn', '');
  if (stream) stream.stop();
  if (call) { call.close(); call = null; }
}

function remember(tk) {
  try {
    var list = JSON.parse(localStorage.getItem('simpul.tickets') || '[]').filter(function (x) { return x.link !== location.pathname && Date.parse(x.expiresAt) > Date.now(); });
    list.push({ label: tk.label, poliName: tk.poliName, link: location.pathname, expiresAt: tk.expiresAt });
    localStorage.setItem('simpul.tickets', JSON.stringify(list.slice(-5)));
  } catch (e) { /* private mode */ }
}

// ---- documents: prescription, referral copy, consultation consent (shape tolerated loosely) ----
function arr(v) { return v ? (Array.isArray(v) ? v : [v]) : []; }
function renderDocs(d) {
  d = d || {};
  var pres = arr(d.prescriptions || d.prescription), refs = arr(d.referrals || d.referral), html = '';
  pres.forEach(function (p) {
    html += '<div class="doc" data-testid="doc-prescription"><b>' + esc(t('prescription')) + '</b> <span class="pill st-' + (p.status === 'issued' ? 'called' : 'serving') + '">' + esc(t('ps_' + p.status)) + '</span><ul>';
    arr(p.items).forEach(function (it) {
      var name = [it.name || it.drugName, it.strength, it.form].filter(Boolean).join(' ');
      var qty = [it.quantity, it.unit].filter(function (x) { return x !== undefined && x !== null; }).join(' ');
      html += '<li><b>' + esc(name) + '</b><br>' + esc(it.signa || '') + (qty ? ' · ' + esc(qty) : '') + (it.days ? ' · ' + esc(t('days', { n: it.days })) : '') + '</li>';
    });
    html += '</ul>' + (p.note ? '<div class="small">' + esc(p.note) + '</div>' : '') + '</div>';
  });
  refs.forEach(function (r) {
    var href = (r.letter && r.letter.indexOf('/t/') === 0) ? r.letter : ('/t/' + encodeURIComponent(token) + '/rujukan/' + encodeURIComponent(r.id));
    html += '<div class="doc" data-testid="doc-referral"><b>' + esc(t('referral')) + '</b>' + (r.status ? ' <span class="pill">' + esc(t('rs_' + r.status)) + '</span>' : '') +
      (r.emergency ? '<div class="msg err"><b>' + esc(t('emergency')) + '</b></div>' : '') +
      '<div>' + esc(r.hospitalName || r.hospital || '') + (r.specialty ? ' · ' + esc(r.specialty) : '') + '</div>' +
      (r.diagnosisCode ? '<div class="small">' + esc(r.diagnosisCode) + (r.diagnosisName ? ' ' + esc(r.diagnosisName) : '') + '</div>' : '') +
      (r.scheduledFor ? '<div class="small">' + esc(t('scheduled', { d: r.scheduledFor })) + '</div>' : '') +
      (r.validUntil ? '<div class="small muted">' + esc(t('validUntil', { d: r.validUntil })) + '</div>' : '') +
      '<p><a class="btn sec" data-testid="referral-link" href="' + esc(href) + '">' + esc(t('openLetter')) + '</a></p></div>';
  });
  $('#docs').innerHTML = html || '<span class="muted small" data-testid="no-documents">' + esc(t('noDocs')) + '</span>';
}
// ---- consent to a remote (audio-visual / audio-only) consultation, tapped on the patient's own phone ----
function renderConsent(c) {
  var remote = c && c.encounterOpen && (c.encounterMode === 'audio_visual' || c.encounterMode === 'audio_only');
  show($('#konsultasi'), !!(remote || (c && c.consent)));
  if (!c) return;
  var body = $('#konsultasi-body');
  if (c.consent) {
    body.innerHTML = '<p class="msg ok" data-testid="consent-given">' + esc(t('consentGiven', { time: clock(c.consent.givenAt) })) +
      (c.consent.recordedByName ? ' (' + esc(t('consentVerbal', { name: c.consent.recordedByName })) + ')' : '') + '</p>' +
      (c.encounterOpen ? '<button type="button" class="bad" id="consent-withdraw" data-testid="consent-withdraw">' + esc(t('consentWithdraw')) + '</button>' : '');
  } else if (remote) {
    body.innerHTML = '<p>' + esc(t(c.encounterMode === 'audio_only' ? 'consentAskAudio' : 'consentAsk')) + '</p><p class="small">' + esc(t('consentWhat')) + '</p>' +
      '<button type="button" class="big" id="consent-give" data-testid="consent-give">' + esc(t('consentYes')) + '</button>';
  }
  var give = $('#consent-give'), wd = $('#consent-withdraw');
  if (give) give.addEventListener('click', function () { consentCall('', give); });
  if (wd) wd.addEventListener('click', function () { consentCall('/withdraw', wd); });
  callFor(!!(remote && c.encounterOpen), c.encounterMode === 'audio_only');
}
// The call itself: the socket opens while a remote consultation is open (chat works at once); the
// box starts video and sound only with active consent, and stops them the moment it is withdrawn.
var call = null;
function callFor(open, audioOnly) {
  var root = $('[data-call=patient]');
  if (open && !call && root && window.WebSocket) {
    call = new Consultation(root, {
      role: 'patient',
      audioOnly: audioOnly,
      socket: '/api/v1/tickets/' + encodeURIComponent(token) + '/consultation/socket',
      onConsent: function () { loadConsent(); },
    });
  } else if (!open && call) {
    call.close(); call = null;
    if (root) { root.innerHTML = ''; root.hidden = true; }
  }
}
function consentCall(suffix, btn) {
  btn.disabled = true;
  api('POST', '/api/v1/tickets/' + encodeURIComponent(token) + '/consent' + suffix).then(renderConsent, function (e) {
    btn.disabled = false;
    $('#konsultasi-body').insertAdjacentHTML('beforeend', '<p class="msg err">' + esc(e.message) + '</p>');
  });
}
function loadConsent() {
  api('GET', '/api/v1/tickets/' + encodeURIComponent(token) + '/consent').then(renderConsent, function () { /* shown again on the next change */ });
}

function loadDocs() {
  clearTimeout(docsTimer);
  loadConsent();
  api('GET', '/api/v1/tickets/' + encodeURIComponent(token) + '/documents').then(renderDocs, function (e) {
    if (e.status === 410) expired();
    else if (e.status === 404) renderDocs(null); // nothing yet (or the route is not on this box yet)
    else $('#docs').innerHTML = '<span class="muted small">' + esc(t('docsError')) + '</span>';
  });
  docsTimer = setTimeout(loadDocs, 120000);
}

$('#sound').addEventListener('click', function () {
  sound = unlockAudio();
  chime([784]);
  try { if (navigator.vibrate) navigator.vibrate(150); } catch (e) { /* not allowed */ }
  this.textContent = '✓ ' + t('soundOn');
  this.disabled = true;
});

var stream = live('/api/v1/tickets/' + encodeURIComponent(token) + '/events', render, $('#conn'), function () {
  // The stream was refused: an expired or unknown ticket says so; anything else retries.
  api('GET', '/api/v1/tickets/' + encodeURIComponent(token)).then(render, function (e) { if (e.status === 410 || e.status === 404) expired(); });
});
if (last && last.expiresAt) {
  var ms = Date.parse(last.expiresAt) - Date.now();
  if (ms > 0 && ms < 86400000) setTimeout(expired, ms + 1000);
}
document.addEventListener('visibilitychange', function () { if (document.visibilityState === 'visible') loadDocs(); });
remember(last);
loadDocs();
