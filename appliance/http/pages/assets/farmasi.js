// /staff/farmasi: prescriptions to dispense (oldest first), awaiting pick-up, collected; stock.
var LIMIT = 10;
var st = { status: 'issued', offset: 0, s: { q: '', offset: 0 } };

function load() {
  api('GET', '/api/v1/pharmacy/queue?status=' + st.status + '&limit=' + LIMIT + '&offset=' + st.offset).then(function (r) {
    var list = r.prescriptions || [];
    $('#rx-total').textContent = t('total', { n: r.total });
    $('#rx').innerHTML = list.length ? list.map(function (p) {
      var short = false;
      var items = (p.items || []).map(function (i) {
        var low = st.status === 'issued' && i.stock < i.quantity;
        if (low) short = true;
        return '<li>' + esc(i.name + ' ' + i.strength + ' (' + i.form + ')') + ' — <b>' + esc(i.quantity + ' ' + i.unit) + '</b> · ' + esc(i.signa) + ' · ' + esc(t('days', { n: i.days })) +
          ' <span class="small ' + (low ? 'low' : 'muted') + '">' + esc(t('stock', { n: i.stock })) + (low ? ' — ' + esc(t('short')) : '') + '</span></li>';
      }).join('');
      var btn = !D.canAct ? '' : st.status === 'issued'
        ? '<button type="button" data-do="dispense" data-id="' + esc(p.id) + '" data-label="' + esc(p.ticketLabel || p.patientName) + '" data-testid="rx-dispense"' + (short ? ' class="sec"' : '') + '>' + esc(t('dispense')) + '</button>'
        : st.status === 'dispensed' ? '<button type="button" data-do="pick-up" data-id="' + esc(p.id) + '" data-label="' + esc(p.ticketLabel || p.patientName) + '" data-testid="rx-pickup">' + esc(t('pickUp')) + '</button>' : '';
      return '<div class="rx" data-testid="rx-card-' + esc(p.ticketLabel || p.id) + '"><div class="row" style="justify-content:space-between"><div><span class="lbl">' + esc(p.ticketLabel || t('noTicket')) + '</span> ' +
        '<b>' + esc(p.patientName) + '</b> <span class="small muted">' + esc(clock(p.issuedAt)) + ' · ' + esc(t('by', { name: p.prescriberName })) + '</span></div>' + btn + '</div><ul>' + items + '</ul>' +
        (p.note ? '<div class="small">' + esc(p.note) + '</div>' : '') + '</div>';
    }).join('') : '<p class="muted">' + esc(t('none')) + '</p>';
    $('#pageno').textContent = t('page', { n: st.offset / LIMIT + 1 });
    $('#prev').disabled = st.offset === 0;
    $('#next').disabled = st.offset + LIMIT >= r.total;
  }, function (e) { msg($('#rx-msg'), e.message); });
}
$('#rx').addEventListener('click', function (ev) {
  var b = ev.target.closest ? ev.target.closest('[data-do]') : null;
  if (!b) return;
  b.disabled = true;
  var what = b.getAttribute('data-do'), label = b.getAttribute('data-label');
  api('POST', '/api/v1/prescriptions/' + encodeURIComponent(b.getAttribute('data-id')) + '/' + what).then(function () {
    msg($('#rx-msg'), t(what === 'dispense' ? 'dispensed' : 'pickedUp', { label: label }), 'ok');
    load(); loadStock();
  }, function (e) {
    b.disabled = false;
    var d = e.details || {};
    msg($('#rx-msg'), e.message + (d.medicine ? ' — ' + d.medicine + ': ' + d.needed + ' / ' + d.available + ' ' + (d.unit || '') : ''));
  });
});
$$('#tabs [data-status]').forEach(function (b) {
  b.addEventListener('click', function () {
    st.status = b.getAttribute('data-status'); st.offset = 0;
    $$('#tabs [data-status]').forEach(function (x) { x.setAttribute('aria-selected', x === b ? 'true' : 'false'); });
    load();
  });
});
$('#prev').addEventListener('click', function () { st.offset = Math.max(0, st.offset - LIMIT); load(); });
$('#next').addEventListener('click', function () { st.offset += LIMIT; load(); });

// ---- stock ----
var SL = 20;
function loadStock() {
  api('GET', '/api/v1/formulary?limit=' + SL + '&offset=' + st.s.offset + '&q=' + encodeURIComponent(st.s.q)).then(function (r) {
    var list = r.items || [];
    $('#stock-rows').innerHTML = list.length ? list.map(function (d) {
      return '<tr data-testid="stock-row"><td><b>' + esc(d.name) + '</b> ' + esc(d.strength + ' · ' + d.form) + '</td><td class="small">' + esc(d.kfaCode || '—') + '</td><td class="' + (d.stock < 20 ? 'low' : '') + '">' + esc(d.stock + ' ' + d.unit) + '</td><td>' +
        (D.canAct ? '<div class="row"><button type="button" class="sec" data-stock="receipt" data-id="' + esc(d.id) + '" data-name="' + esc(d.name) + '" data-testid="stock-receive">' + esc(t('receive')) + '</button>' +
          '<button type="button" class="sec" data-stock="adjust" data-id="' + esc(d.id) + '" data-name="' + esc(d.name) + '" data-testid="stock-adjust">' + esc(t('adjust')) + '</button></div><div class="sform"></div>' : '') + '</td></tr>';
    }).join('') : '<tr><td colspan="4" class="muted">' + esc(t('none')) + '</td></tr>';
    $('#s-pageno').textContent = t('page', { n: st.s.offset / SL + 1 });
    $('#s-prev').disabled = st.s.offset === 0;
    $('#s-next').disabled = list.length < SL;
  }, function (e) { msg($('#stock-msg'), e.message); });
}
$('#stock-rows').addEventListener('click', function (ev) {
  var b = ev.target.closest ? ev.target.closest('button') : null;
  if (!b) return;
  var cell = b.closest('td'), box = $('.sform', cell);
  if (b.hasAttribute('data-stock')) {
    var kind = b.getAttribute('data-stock');
    box.innerHTML = '<form class="row" style="margin-top:6px" data-kind="' + kind + '" data-id="' + esc(b.getAttribute('data-id')) + '" data-name="' + esc(b.getAttribute('data-name')) + '">' +
      '<input name="n" type="number" required style="width:110px" placeholder="' + esc(t(kind === 'receipt' ? 'qty' : 'delta')) + '" data-testid="stock-qty" />' +
      '<input name="reason" style="width:180px" placeholder="' + esc(t('reason')) + '" data-testid="stock-reason" />' +
      '<button type="submit" data-testid="stock-save">' + esc(t('save')) + '</button><button type="button" class="sec" data-cancel="1">' + esc(t('cancel')) + '</button></form>';
    return;
  }
  if (b.hasAttribute('data-cancel')) box.innerHTML = '';
});
$('#stock-rows').addEventListener('submit', function (ev) {
  ev.preventDefault();
  var f = ev.target, kind = f.getAttribute('data-kind'), n = Number(f.elements.n.value), reason = f.elements.reason.value.trim();
  var url = '/api/v1/formulary/' + encodeURIComponent(f.getAttribute('data-id')) + (kind === 'receipt' ? '/receipts' : '/adjustments');
  api('POST', url, kind === 'receipt' ? { quantity: n, reason: reason } : { delta: n, reason: reason }).then(function (item) {
    msg($('#stock-msg'), t('received', { name: f.getAttribute('data-name'), n: item.stock }), 'ok');
    loadStock(); load();
  }, function (e) {
    var issues = (e.details && e.details.issues) || [];
    msg($('#stock-msg'), e.message + (issues.length ? ' ' + issues.map(function (i) { return i.path + ': ' + i.message; }).join('; ') : '') + (e.details && e.details.reason ? ' (' + e.details.reason + ')' : ''));
  });
});
var stimer = null;
$('#stock-search').addEventListener('input', function () {
  var q = this.value.trim();
  clearTimeout(stimer);
  stimer = setTimeout(function () { st.s.q = q; st.s.offset = 0; loadStock(); }, 200);
});
$('#s-prev').addEventListener('click', function () { st.s.offset = Math.max(0, st.s.offset - SL); loadStock(); });
$('#s-next').addEventListener('click', function () { st.s.offset += SL; loadStock(); });

load();
loadStock();
// No event stream for prescriptions: the list refreshes every 15 s while the page is shown.
setInterval(function () { if (document.visibilityState === 'visible') load(); }, 15000);
