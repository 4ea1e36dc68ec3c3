// /staff/admin: outbox, audit log with filters, staff accounts. Lists page by 20.
var LIMIT = 20;
function pager(prefix, st, rows, reload) {
  $('#' + prefix + '-page').textContent = t('page', { n: st.offset / LIMIT + 1 });
  $('#' + prefix + '-prev').disabled = st.offset === 0;
  $('#' + prefix + '-next').disabled = rows < LIMIT;
  $('#' + prefix + '-prev').onclick = function () { st.offset = Math.max(0, st.offset - LIMIT); reload(); };
  $('#' + prefix + '-next').onclick = function () { st.offset += LIMIT; reload(); };
}
function bytes(n) { return n < 1024 ? n + ' B' : n < 1048576 ? (n / 1024).toFixed(1) + ' KB' : (n / 1048576).toFixed(1) + ' MB'; }
function none(cols) { return '<tr><td colspan="' + cols + '" class="muted">' + esc(t('none')) + '</td></tr>'; }

var ob = { offset: 0 };
function loadOutbox() {
  api('GET', '/api/v1/admin/outbox?limit=' + LIMIT + '&offset=' + ob.offset).then(function (r) {
    var s = r.summary || {};
    $('#ob-pending').textContent = s.pending;
    $('#ob-total').textContent = s.total;
    $('#ob-bytes').textContent = bytes(s.bytesPending || 0);
    $('#ob-oldest').textContent = s.oldestPendingAt ? clock(s.oldestPendingAt, true) : t('never');
    $('#ob-types').textContent = (s.byType || []).map(function (x) { return x.type + ': ' + x.pending; }).join(' · ');
    var rows = r.entries || [];
    $('#ob-rows').innerHTML = rows.length ? rows.map(function (e) {
      return '<tr><td>' + esc(e.seq) + '</td><td>' + esc(e.type) + '</td><td class="small">' + esc(e.entity_id) + ' v' + esc(e.entity_version) + '</td><td class="small">' + esc(clock(e.created_at, true)) +
        '</td><td>' + '<span class="pill ' + (e.status === 'delivered' ? 'st-serving' : e.status === 'parked' ? 'st-skipped' : 'st-called') + '">' + esc(t(e.status)) + '</span>' + '</td></tr>';
    }).join('') : none(5);
    pager('ob', ob, rows.length, loadOutbox);
  }, function (e) { $('#ob-rows').innerHTML = '<tr><td colspan="5" class="msg err">' + esc(e.message) + '</td></tr>'; });
}

function loadSync() {
  api('GET', '/api/v1/admin/sync').then(function (r) {
    var s = r.sync || {};
    $('#sy-state').textContent = !s.enabled ? t('notEnrolled') : s.connected ? t('connected') : t('offline');
    $('#sy-last').textContent = s.lastSyncAt ? clock(s.lastSyncAt, true) : t('never');
    $('#sy-parked').textContent = s.parked;
    $('#sy-error').textContent = s.lastError ? t('lastError') + ': ' + s.lastError + (s.lastErrorAt ? ' (' + clock(s.lastErrorAt, true) + ')' : '') : '';
    var rows = r.parked || [];
    $('#sy-rows').innerHTML = rows.length ? rows.map(function (p) {
      return '<tr><td>' + esc(p.seq) + '</td><td>' + esc(p.type) + '</td><td class="small">' + esc(p.reason) + '</td><td><button type="button" class="sec" data-unpark="' + esc(p.seq) + '">' + esc(t('resend')) + '</button></td></tr>';
    }).join('') : none(4);
    Array.prototype.forEach.call(document.querySelectorAll('[data-unpark]'), function (b) {
      b.onclick = function () { api('POST', '/api/v1/admin/sync/parked/' + b.getAttribute('data-unpark') + '/unpark').then(loadSync, function (e) { $('#sy-error').textContent = e.message; }); };
    });
  }, function (e) { $('#sy-error').textContent = e.message; });
}

var au = { offset: 0, filter: {} };
function nextDay(d) { var x = new Date(d + 'T00:00:00Z'); x.setUTCDate(x.getUTCDate() + 1); return x.toISOString().slice(0, 10); }
function loadAudit() {
  var q = 'limit=' + LIMIT + '&offset=' + au.offset;
  for (var k in au.filter) q += '&' + k + '=' + encodeURIComponent(au.filter[k]);
  msg($('#audit-error'), '');
  api('GET', '/api/v1/admin/audit?' + q).then(function (r) {
    var rows = r.entries || [];
    $('#audit-rows').innerHTML = rows.length ? rows.map(function (e) {
      return '<tr><td class="small">' + esc(clock(e.at, true)) + '</td><td>' + esc(e.staff || '') + '</td><td>' + esc(e.action) + '</td><td class="small">' + esc(e.entity) + (e.entity_id ? '<br>' + esc(e.entity_id) : '') +
        '</td><td class="small">' + esc(e.patient_id || '') + '</td><td class="small" title="' + esc(e.device) + '">' + esc(String(e.device || '').slice(0, 48)) + '</td></tr>';
    }).join('') : none(6);
    pager('audit', au, rows.length, loadAudit);
  }, function (e) {
    var issues = (e.details && e.details.issues) || [];
    msg($('#audit-error'), e.message + (issues.length ? ' ' + issues.map(function (i) { return i.path + ': ' + i.message; }).join('; ') : ''));
  });
}
$('#audit-form').addEventListener('submit', function (ev) {
  ev.preventDefault();
  var f = formJson($('#audit-form'));
  // "To" is inclusive on the form; the API's bound is exclusive.
  if (f.to) f.to = nextDay(f.to);
  au.filter = f; au.offset = 0;
  loadAudit();
});

function loadStaff() {
  api('GET', '/api/v1/admin/staff').then(function (r) {
    var list = r.staff || [];
    $('#staff-rows').innerHTML = list.length ? list.map(function (s) {
      return '<tr data-testid="staff-row-' + esc(s.username) + '"><td>' + esc(s.username) + '</td><td>' + esc(s.fullName) + '</td><td>' + esc(s.role) + '</td><td>' + esc(s.active ? t('active') : t('inactive')) + '</td></tr>';
    }).join('') : none(4);
    var sel = $('#a-staff'), cur = sel.value;
    sel.innerHTML = sel.options[0].outerHTML + list.map(function (s) { return '<option value="' + esc(s.id) + '">' + esc(s.username) + '</option>'; }).join('');
    sel.value = cur;
  }, function (e) { msg($('#staff-msg'), e.message); });
}
$('#staff-form').addEventListener('submit', function (ev) {
  ev.preventDefault();
  var form = $('#staff-form'), body = formJson(form);
  $$('.field-err', form).forEach(function (el) { el.textContent = ''; });
  api('POST', '/api/v1/admin/staff', body).then(function () {
    msg($('#staff-msg'), t('created', { u: body.username }), 'ok');
    form.reset();
    loadStaff();
  }, function (e) { fieldErrors(form, e); msg($('#staff-msg'), e.message); });
});

loadOutbox();
loadSync();
loadAudit();
loadStaff();
