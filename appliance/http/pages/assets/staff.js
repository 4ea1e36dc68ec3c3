// Staff pages: log out, and paging helpers.
var logout = $('#logout');
if (logout) logout.addEventListener('click', function () {
  api('POST', '/api/v1/auth/logout').then(function () { location.href = '/staff/login'; }, function () { location.href = '/staff/login'; });
});
/** Shows a 422/400 answer's field problems next to the fields (data-for=name) of a form. */
function fieldErrors(form, e) {
  $$('.field-err', form).forEach(function (el) { el.textContent = ''; });
  var d = e.details || {}, any = false;
  (d.issues || []).forEach(function (i) {
    var f = String(i.path || '').split('.')[0], el = $('.field-err[data-for="' + f + '"]', form);
    if (el) { el.textContent = i.message; any = true; }
  });
  if (d.field) {
    var el2 = $('.field-err[data-for="' + d.field + '"]', form);
    if (el2) { el2.textContent = d.reason || d.problem || e.message; any = true; }
  }
  return any;
}
function formJson(form) {
  var out = {};
  $$('input,select,textarea', form).forEach(function (el) {
    if (!el.name) return;
    if (el.type === 'checkbox') out[el.name] = el.checked;
    else if (el.type === 'radio') { if (el.checked) out[el.name] = el.value; }
    else if (el.value.trim() !== '') out[el.name] = el.value.trim();
  });
  return out;
}
