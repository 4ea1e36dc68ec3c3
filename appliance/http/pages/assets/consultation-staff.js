// The doctor's side of the call: the full screen (/staff/konsultasi/:id starts at once) or the panel
// beside the encounter form (pemeriksaan: starts on "Mulai konsultasi video" for the open encounter).
var doctorCall = null;
function startDoctorCall(root, encounterId) {
  if (!root || !encounterId) return;
  if (doctorCall) doctorCall.close();
  doctorCall = new Consultation(root, { role: 'doctor', socket: '/api/v1/consultations/' + encodeURIComponent(encounterId) + '/socket' });
}
var autoCall = $('[data-call=doctor][data-autostart]');
if (autoCall) startDoctorCall(autoCall, autoCall.getAttribute('data-encounter'));
var callStart = $('#call-start');
if (callStart) callStart.addEventListener('click', function () {
  var id = '';
  try { id = (sessionStorage.getItem('simpul.exam.enc') || '').split('|')[0]; } catch (e) { /* private mode */ }
  startDoctorCall($('#konsultasi-video [data-call]'), id);
});
