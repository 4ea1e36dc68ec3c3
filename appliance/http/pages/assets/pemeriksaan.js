// /staff/pemeriksaan: the doctor's screen. Queue of a poli → open an encounter → SOAP, vitals,
// ICD-10 diagnoses, prescription, referral → close.
var polis = D.polis || [];
var st = { poli: null, enc: null, label: '', dx: [], items: [], hospitals: [], loadedVitals: {} };

function note(el, text, kind) { msg($(el), text, kind || 'ok'); }
function issuesText(e) {
  var issues = (e.details && e.details.issues) || [];
  return e.message + (issues.length ? ' ' + issues.map(function (i) { return (i.path ? i.path + ': ' : '') + i.message; }).join('; ') : '') +
    (e.details && e.details.reason && !issues.length ? ' (' + e.details.reason + ')' : '');
}

// ---- queue ----
function selectPoli(code) {
  st.poli = code;
  try { localStorage.setItem('simpul.exam.poli', code); } catch (e) { /* ignore */ }
  $$('#tabs [data-poli]').forEach(function (b) { b.setAttribute('aria-selected', b.getAttribute('data-poli') === code ? 'true' : 'false'); });
  loadQueue();
}
var shown = { waiting: 1, called: 1, serving: 1 };
function loadQueue() {
  var code = st.poli;
  api('GET', '/api/v1/queue/' + encodeURIComponent(code)).then(function (r) {
    if (code !== st.poli) return;
    var list = (r.tickets || []).filter(function (x) { return shown[x.status]; });
    $('#queue').innerHTML = list.length ? list.map(function (x) {
      return '<div class="qrow" data-testid="exam-row-' + esc(x.label) + '"><div><span class="lbl">' + esc(x.label) + '</span> <span class="pill st-' + esc(x.status) + '">' + esc(t('st_' + x.status)) + '</span>' +
        (x.patientId ? '' : '<div class="small muted">' + esc(t('noPatient')) + '</div>') + '</div>' +
        (x.patientId ? '<button type="button" data-open="' + esc(x.id) + '" data-label="' + esc(x.label) + '" data-testid="exam-open">' + esc(t(x.status === 'serving' ? 'resume' : 'open')) + '</button>' : '') + '</div>';
    }).join('') : '<p class="muted">' + esc(t('nobody')) + '</p>';
  }, function (e) { note('#queue-msg', e.message, 'err'); });
}
$('#queue').addEventListener('click', function (ev) {
  var b = ev.target.closest ? ev.target.closest('[data-open]') : null;
  if (!b) return;
  b.disabled = true;
  api('POST', '/api/v1/encounters', { ticketId: b.getAttribute('data-open'), mode: $('#mode-new').value }).then(function (enc) {
    st.label = b.getAttribute('data-label');
    loadEncounter(enc.id);
    loadQueue();
  }, function (e) { b.disabled = false; note('#queue-msg', issuesText(e), 'err'); });
});
$$('#tabs [data-poli]').forEach(function (b) { b.addEventListener('click', function () { selectPoli(b.getAttribute('data-poli')); }); });

// ---- encounter ----
function loadEncounter(id) {
  return api('GET', '/api/v1/encounters/' + encodeURIComponent(id)).then(fill, function (e) { note('#enc-msg', e.message, 'err'); });
}
function fill(enc) {
  st.enc = enc;
  try { sessionStorage.setItem('simpul.exam.enc', enc.id + '|' + st.label); } catch (e) { /* ignore */ }
  show($('#enc'), true); show($('#enc-empty'), false);
  $('#enc-ticket').textContent = st.label;
  $('#enc-patient').textContent = enc.patientName;
  $('#enc-meta').textContent = enc.doctorName + ' · ' + clock(enc.openedAt) + (enc.status === 'closed' ? ' · ' + t('closed') : '');
  $('#enc-mode').value = enc.mode;
  st.loadedVitals = enc.vitals || {};
  $$('[data-vital]').forEach(function (i) { var v = st.loadedVitals[i.getAttribute('data-vital')]; i.value = v === undefined || v === null ? '' : v; });
  $$('[data-soap]').forEach(function (i) { i.value = enc[i.getAttribute('data-soap')] || ''; });
  st.dx = (enc.diagnoses || []).map(function (d) { return { code: d.code, name: d.name, kind: d.kind }; });
  drawDx(); drawRx(enc.prescriptions || []); drawRefs(enc.referrals || []); drawConsent();
  if (calls.encounterId !== enc.id) {
    calls.encounterId = enc.id; calls.count = 0;
    $('#calls-list').innerHTML = ''; show($('#calls'), false);
    loadCalls(enc.id);
  }
  var closed = enc.status === 'closed';
  $$('#enc input, #enc textarea, #enc select, #enc button').forEach(function (el) { el.disabled = closed; });
}
function drawConsent() {
  var enc = st.enc, remote = $('#enc-mode').value !== 'in_person';
  show($('#consent'), remote);
  if (!remote) return;
  var c = enc.consent;
  $('#consent-text').textContent = c ? t('consentOk', { how: c.method === 'verbal' ? t('viaVerbal', { name: c.recordedByName || '' }) : t('viaPhone'), time: clock(c.givenAt) }) : t('consentNone');
  show($('#consent-verbal'), !c);
}
$('#enc-mode').addEventListener('change', drawConsent);
$('#consent-verbal').addEventListener('click', function () {
  api('POST', '/api/v1/encounters/' + st.enc.id + '/consent').then(function () { loadEncounter(st.enc.id); }, function (e) { note('#enc-msg', e.message, 'err'); });
});

function body() {
  var vitals = {}, any = false;
  $$('[data-vital]').forEach(function (i) {
    var k = i.getAttribute('data-vital'), v = i.value.trim();
    if (v !== '') { vitals[k] = Number(v.replace(',', '.')); any = true; }
    else if (st.loadedVitals[k] !== undefined && st.loadedVitals[k] !== null) { vitals[k] = null; any = true; }
  });
  var b = { version: st.enc.version, mode: $('#enc-mode').value, diagnoses: st.dx.map(function (d) { return { code: d.code, kind: d.kind }; }) };
  $$('[data-soap]').forEach(function (i) { b[i.getAttribute('data-soap')] = i.value; });
  if (any) b.vitals = vitals;
  return b;
}
function save() {
  return api('PATCH', '/api/v1/encounters/' + st.enc.id, body()).then(function (enc) {
    st.enc.version = enc.version; st.enc.mode = enc.mode; st.loadedVitals = enc.vitals || {};
    note('#enc-msg', t('savedAt', { time: clock(new Date().toISOString()) }));
    return enc;
  }, function (e) {
    note('#enc-msg', e.status === 409 && e.code !== 'invalid_state' ? t('conflict') : issuesText(e), 'err');
    throw e;
  });
}
$('#enc-save').addEventListener('click', function () { save(); });
$('#enc-close').addEventListener('click', function () {
  if (!confirm(t('confirmClose'))) return;
  save().then(function () {
    return api('POST', '/api/v1/encounters/' + st.enc.id + '/close').then(function (enc) {
      note('#enc-msg', t('closed'));
      try { sessionStorage.removeItem('simpul.exam.enc'); } catch (e) { /* ignore */ }
      fill(Object.assign(st.enc, { status: enc.status || 'closed' }));
      loadQueue();
    }, function (e) { note('#enc-msg', issuesText(e), 'err'); });
  });
});

// ---- video calls: what the box kept of each (figures only) ----
var calls = { encounterId: null, count: 0, seq: 0 };
function loadCalls(id) {
  var n = ++calls.seq;
  return api('GET', '/api/v1/encounters/' + encodeURIComponent(id) + '/calls').then(function (r) {
    if (n !== calls.seq || calls.encounterId !== id) return calls.count;
    var list = (r && r.calls) || [];
    calls.count = list.length;
    $('#calls-list').innerHTML = callHistoryHtml(list, document.documentElement.lang);
    msg($('#calls-msg'), '');
    show($('#calls'), list.length > 0);
    return list.length;
  }, function (e) {
    if (n === calls.seq && calls.encounterId === id) { note('#calls-msg', e.message, 'err'); show($('#calls'), true); }
    return calls.count;
  });
}
// The box saves a call's summary as it tells the pages that the call stopped: look until it is there.
document.addEventListener('simpul-call-stopped', function () {
  var id = calls.encounterId, before = calls.count, tries = 0;
  if (!id) return;
  (function next() {
    setTimeout(function () {
      if (calls.encounterId !== id) return;
      loadCalls(id).then(function (n) { if (n <= before && ++tries < 5) next(); });
    }, 700 * (tries + 1));
  })();
});

// ---- diagnoses ----
function drawDx() {
  $('#dx').innerHTML = st.dx.map(function (d, i) {
    return '<span class="chip" data-testid="dx-' + esc(d.code) + '"><b>' + esc(d.code) + '</b> ' + esc(d.name || '') + ' <span class="pill ' + (d.kind === 'primary' ? 'st-serving' : '') + '">' + esc(t(d.kind)) + '</span>' +
      (d.kind === 'primary' ? '' : '<button type="button" class="sec" data-dx-primary="' + i + '">' + esc(t('makePrimary')) + '</button>') +
      '<button type="button" class="bad" data-dx-remove="' + i + '">' + esc(t('remove')) + '</button></span>';
  }).join('');
  var sel = $('#ref-dx'), cur = sel.value;
  sel.innerHTML = st.dx.map(function (d) { return '<option value="' + esc(d.code) + '">' + esc(d.code + ' ' + (d.name || '')) + '</option>'; }).join('');
  if (cur) sel.value = cur;
}
function addDx(entry, kind) {
  st.dx = st.dx.filter(function (d) { return d.code !== entry.code; });
  if (kind === 'primary') st.dx.forEach(function (d) { d.kind = 'secondary'; });
  else if (!st.dx.length) kind = 'primary';
  st.dx.push({ code: entry.code, name: entry.name, kind: kind });
  st.dx.sort(function (a, b) { return a.kind === b.kind ? 0 : a.kind === 'primary' ? -1 : 1; });
  drawDx();
}
$('#dx').addEventListener('click', function (ev) {
  var b = ev.target.closest ? ev.target.closest('button') : null;
  if (!b) return;
  if (b.hasAttribute('data-dx-remove')) {
    var gone = st.dx.splice(Number(b.getAttribute('data-dx-remove')), 1)[0];
    if (gone && gone.kind === 'primary' && st.dx.length) st.dx[0].kind = 'primary';
  } else if (b.hasAttribute('data-dx-primary')) {
    var i = Number(b.getAttribute('data-dx-primary'));
    st.dx.forEach(function (d, j) { d.kind = j === i ? 'primary' : 'secondary'; });
  }
  drawDx();
});

function typeahead(input, url, draw) {
  var timer = null, seq = 0;
  $(input).addEventListener('input', function () {
    clearTimeout(timer);
    var q = this.value.trim();
    timer = setTimeout(function () {
      var n = ++seq;
      if (!q && url.indexOf('formulary') < 0) { draw([]); return; }
      api('GET', url + encodeURIComponent(q)).then(function (r) { if (n === seq) draw(r); }, function () { /* keep typing */ });
    }, 200);
  });
}
var icdFound = [];
typeahead('#icd-search', '/api/v1/icd10?limit=10&q=', function (r) {
  icdFound = (r && r.codes) || [];
  $('#icd-results').innerHTML = icdFound.map(function (c, i) {
    return '<div class="res" data-testid="icd10-result"><div><b>' + esc(c.code) + '</b> ' + esc(c.name) + (c.nameEn && document.documentElement.lang === 'en' ? ' <span class="small muted">' + esc(c.nameEn) + '</span>' : '') + '</div><div class="row">' +
      '<button type="button" data-icd="' + i + '" data-kind="primary" data-testid="icd10-add-primary">' + esc(t('primary')) + '</button>' +
      '<button type="button" class="sec" data-icd="' + i + '" data-kind="secondary" data-testid="icd10-add-secondary">' + esc(t('secondary')) + '</button></div></div>';
  }).join('');
});
$('#icd-results').addEventListener('click', function (ev) {
  var b = ev.target.closest ? ev.target.closest('[data-icd]') : null;
  if (!b) return;
  addDx(icdFound[Number(b.getAttribute('data-icd'))], b.getAttribute('data-kind'));
  $('#icd-results').innerHTML = ''; $('#icd-search').value = '';
});

// ---- prescription ----
function drawRx(list) {
  $('#rx-list').innerHTML = list.map(function (p) {
    return '<div class="rx" data-testid="rx-issued"><span class="pill">' + esc(t('ps_' + p.status)) + '</span> ' + esc(clock(p.issuedAt)) + '<ul>' + (p.items || []).map(function (i) {
      return '<li>' + esc(i.name + ' ' + i.strength) + ' — ' + esc(i.signa) + ' · ' + esc(i.quantity + ' ' + (i.unit || '')) + ' · ' + esc(t('days', { n: i.days })) + '</li>';
    }).join('') + '</ul></div>';
  }).join('');
}
var drugFound = [];
typeahead('#drug-search', '/api/v1/formulary?limit=10&q=', function (r) {
  drugFound = (r && r.items) || [];
  $('#drug-results').innerHTML = drugFound.map(function (d, i) {
    return '<div class="res" data-testid="formulary-result"><div><b>' + esc(d.name) + '</b> ' + esc(d.strength + ' · ' + d.form) + ' <span class="small ' + (d.stock > 0 ? 'muted' : 'low') + '">' +
      esc(d.stock > 0 ? t('stock', { n: d.stock + ' ' + d.unit }) : t('outOfStock')) + '</span></div><button type="button" class="sec" data-drug="' + i + '" data-testid="formulary-add">' + esc(t('add')) + '</button></div>';
  }).join('');
});
$('#drug-results').addEventListener('click', function (ev) {
  var b = ev.target.closest ? ev.target.closest('[data-drug]') : null;
  if (!b) return;
  var d = drugFound[Number(b.getAttribute('data-drug'))];
  if (!st.items.some(function (x) { return x.formularyId === d.id; })) st.items.push({ formularyId: d.id, label: d.name + ' ' + d.strength, unit: d.unit, stock: d.stock, signa: '', quantity: '', days: '' });
  drawItems();
  $('#drug-results').innerHTML = ''; $('#drug-search').value = '';
});
function drawItems() {
  $('#rx-items').innerHTML = st.items.map(function (x, i) {
    return '<tr data-testid="rx-item"><td>' + esc(x.label) + '<div class="small muted">' + esc(t('stock', { n: x.stock + ' ' + x.unit })) + '</div></td>' +
      '<td><input data-i="' + i + '" data-f="signa" value="' + esc(x.signa) + '" placeholder="3 x 1" data-testid="rx-signa" /></td>' +
      '<td><input data-i="' + i + '" data-f="quantity" type="number" min="1" value="' + esc(x.quantity) + '" data-testid="rx-quantity" /></td>' +
      '<td><input data-i="' + i + '" data-f="days" type="number" min="1" value="' + esc(x.days) + '" data-testid="rx-days" /></td>' +
      '<td><button type="button" class="bad" data-rm="' + i + '" style="min-height:40px">' + esc(t('remove')) + '</button></td></tr>';
  }).join('');
}
$('#rx-items').addEventListener('input', function (ev) {
  var el = ev.target, i = el.getAttribute('data-i');
  if (i !== null) st.items[Number(i)][el.getAttribute('data-f')] = el.value;
});
$('#rx-items').addEventListener('click', function (ev) {
  var b = ev.target.closest ? ev.target.closest('[data-rm]') : null;
  if (b) { st.items.splice(Number(b.getAttribute('data-rm')), 1); drawItems(); }
});
$('#rx-issue').addEventListener('click', function () {
  if (!st.items.length) { note('#rx-msg', t('rxEmpty'), 'err'); return; }
  var b = { encounterId: st.enc.id, note: $('#rx-note').value.trim(), items: st.items.map(function (x) { return { formularyId: x.formularyId, signa: x.signa.trim(), quantity: Number(x.quantity), days: Number(x.days) }; }) };
  api('POST', '/api/v1/prescriptions', b).then(function () {
    st.items = []; drawItems(); $('#rx-note').value = '';
    note('#rx-msg', t('issuedRx'));
    loadEncounter(st.enc.id);
  }, function (e) { note('#rx-msg', issuesText(e), 'err'); });
});

// ---- referral ----
function drawRefs(list) {
  $('#ref-list').innerHTML = list.map(function (r) {
    return '<div class="rx" data-testid="referral-issued"><b>' + esc(r.hospitalName) + '</b> · ' + esc(r.specialty) + ' · ' + esc(r.diagnosisCode) + ' <span class="pill">' + esc(t('rs_' + r.status)) + '</span>' +
      (r.emergency ? ' <span class="pill st-no_show">' + esc(t('emergency')) + '</span>' : '') + ' <a class="btn sec" style="min-height:36px" target="_blank" href="/staff/rujukan/' + encodeURIComponent(r.id) + '/cetak" data-testid="referral-print">' + esc(t('printLetter')) + '</a></div>';
  }).join('');
}
function drawSpecialties() {
  var h = null, code = $('#ref-hospital').value;
  for (var i = 0; i < st.hospitals.length; i++) if (st.hospitals[i].code === code) h = st.hospitals[i];
  $('#ref-specialty').innerHTML = (h ? h.specialties : []).map(function (s) { return '<option>' + esc(s) + '</option>'; }).join('');
}
api('GET', '/api/v1/hospitals').then(function (r) {
  st.hospitals = r.hospitals || [];
  // A production box before the centre's list arrives: say so instead of an empty choice.
  if (!st.hospitals.length) $('#ref-hospital').insertAdjacentHTML('afterend', '<div class="msg err" role="alert" data-testid="referral-no-hospitals">' + esc(t('noHospitals')) + '</div>');
  $('#ref-hospital').innerHTML = '<option value="">' + esc(t('chooseHospital')) + '</option>' + st.hospitals.map(function (h) { return '<option value="' + esc(h.code) + '">' + esc(h.name + ' (' + h.code + ')') + '</option>'; }).join('');
  drawSpecialties();
}, function () { /* shown when the form is sent */ });
$('#ref-hospital').addEventListener('change', drawSpecialties);
$('#ref-form').addEventListener('submit', function (ev) {
  ev.preventDefault();
  var form = $('#ref-form'), b = formJson(form);
  b.encounterId = st.enc.id; b.issue = true; b.emergency = !!b.emergency;
  $$('.field-err', form).forEach(function (el) { el.textContent = ''; });
  api('POST', '/api/v1/referrals', b).then(function () {
    note('#ref-msg', t('issuedRef'));
    $('#ref-reason').value = '';
    loadEncounter(st.enc.id);
  }, function (e) { fieldErrors(form, e); note('#ref-msg', issuesText(e), 'err'); });
});

// ---- start ----
live('/api/v1/queue/display/events', function () { clearTimeout(st.q); st.q = setTimeout(loadQueue, 300); }, $('#conn'));
var savedPoli = null;
try { savedPoli = localStorage.getItem('simpul.exam.poli'); } catch (e) { savedPoli = null; }
selectPoli(polis.some(function (p) { return p.code === savedPoli; }) ? savedPoli : polis[0].code);
try {
  var resume = (sessionStorage.getItem('simpul.exam.enc') || '').split('|');
  if (resume[0]) { st.label = resume[1] || ''; loadEncounter(resume[0]); }
} catch (e) { /* ignore */ }
