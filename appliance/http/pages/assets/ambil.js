// /ambil: take a number with one tap; the form still posts without JavaScript.
var KEY = 'simpul.tickets';
function saved() {
  var list = [];
  try { list = JSON.parse(localStorage.getItem(KEY) || '[]'); } catch (e) { list = []; }
  var now = Date.now();
  return list.filter(function (x) { return x && x.link && Date.parse(x.expiresAt) > now; });
}
(function showMine() {
  var list = saved();
  if (!list.length) return;
  $('#mine-list').innerHTML = list.map(function (x) {
    return '<p style="margin:6px 0"><a class="btn sec" style="width:100%" data-testid="my-ticket" href="' + esc(x.link) + '">' + esc(x.label) + ' · ' + esc(x.poliName) + ' ›</a></p>';
  }).join('');
  show($('#mine'), true);
})();

var busy = false;
$$('[data-poli]').forEach(function (btn) {
  btn.addEventListener('click', function (ev) {
    ev.preventDefault();
    if (busy) return;
    busy = true;
    $$('[data-poli]').forEach(function (b) { b.disabled = true; });
    msg($('#err'), '');
    msg($('#busy'), t('taking'), 'info');
    api('POST', '/api/v1/queue/take', { poli: btn.getAttribute('data-poli') }).then(function (r) {
      try {
        var list = saved();
        list.push({ label: r.ticket.label, poliName: r.ticket.poliName, link: r.link, expiresAt: r.ticket.expiresAt });
        localStorage.setItem(KEY, JSON.stringify(list.slice(-5)));
      } catch (e) { /* private mode: the page link still works */ }
      location.href = r.link;
    }, function (e) {
      busy = false;
      $$('[data-poli]').forEach(function (b) { b.disabled = false; });
      show($('#busy'), false);
      msg($('#err'), e.message);
    });
  });
});
