// /staff/login: posts to the JSON API; the API's own message is shown on failure.
$('#login-form').addEventListener('submit', function (ev) {
  ev.preventDefault();
  var btn = $('[data-testid=login-submit]');
  btn.disabled = true;
  msg($('#login-error'), '');
  api('POST', '/api/v1/auth/login', { username: $('#username').value.trim(), password: $('#password').value }).then(function () {
    location.href = D.next || '/staff';
  }, function (e) {
    btn.disabled = false;
    var s = e.details && e.details.retryAfterSeconds;
    msg($('#login-error'), (e.status === 401 ? t('wrong') : e.message) + (s ? ' (' + s + ' s)' : ''));
    $('#password').select();
  });
});
$('#username').focus();
