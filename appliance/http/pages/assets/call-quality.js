// The saved quality of an encounter's video calls, for the doctor's encounter screen. The relay keeps
// one summary per call (appliance/relay/quality.ts: averages and maxima per side and direction, the
// count of good/fair/poor samples, and timed events), never a series of samples: so the charts show
// when each side was connected (from the events) and the average bitrate and loss per direction.
// Functions of their arguments and of t/esc/clock only, so a unit test runs them without a browser.

var cqRoles = ['patient', 'doctor'];
var cqRank = { good: 0, fair: 1, poor: 2 };

/** One side's level from the relay's own 2-second verdicts, so the saved level agrees with the dot the
 *  call screen showed: poor when a quarter of the samples were poor, fair when a quarter were at least fair. */
function legLevel(leg) {
  var l = leg && leg.levels;
  var n = l ? (l.good || 0) + (l.fair || 0) + (l.poor || 0) : 0;
  if (!n) return null;
  if ((l.poor || 0) / n >= 0.25) return 'poor';
  if (((l.poor || 0) + (l.fair || 0)) / n >= 0.25) return 'fair';
  return 'good';
}

/** A call is as good as its worse side: a clear doctor does not help if the patient's picture froze. */
function callLevel(call) {
  var worst = null;
  cqRoles.forEach(function (role) {
    var l = legLevel(call.legs && call.legs[role]);
    if (l && (worst === null || cqRank[l] > cqRank[worst])) worst = l;
  });
  return worst;
}

/** The relay's own loss thresholds (3 % fair, 10 % poor). */
function lossLevel(pct) { return pct >= 10 ? 'poor' : pct >= 3 ? 'fair' : 'good'; }

function cqNum(n, lang) {
  var s = String(Math.round(n * 10) / 10);
  return lang === 'en' ? s : s.replace('.', ',');
}
function cqDuration(seconds) {
  var total = Math.round(seconds || 0), m = Math.floor(total / 60), s = total % 60;
  return m ? t('cq_dur_ms', { m: m, s: (s < 10 ? '0' : '') + s }) : t('cq_dur_s', { s: s });
}
function cqClock(seconds) {
  var total = Math.round(seconds), s = total % 60;
  return Math.floor(total / 60) + ':' + (s < 10 ? '0' : '') + s;
}

/** When one side had media, from events like "patient:connected", "patient:audio-only",
 *  "patient:video" and "patient:closed:hangup" (seconds from the call's start). */
function legSpans(call, role) {
  var spans = [], open = null, audioOnly = false;
  function cut(at) { if (open && at > open.from) spans.push({ from: open.from, to: at, audioOnly: open.audioOnly }); }
  (call.events || []).forEach(function (e) {
    var p = String(e.what).split(':');
    if (p[0] !== role) return;
    if (p[1] === 'connected') {
      cut(e.at);
      open = { from: e.at, audioOnly: audioOnly };
    } else if (p[1] === 'audio-only' || p[1] === 'video') {
      audioOnly = p[1] === 'audio-only';
      if (open && open.audioOnly !== audioOnly) { cut(e.at); open = { from: e.at, audioOnly: audioOnly }; }
    } else if (p[1] === 'closed') {
      cut(e.at);
      open = null;
      audioOnly = false; // a new connection starts with video unless it says otherwise
    }
  });
  cut(call.seconds || 0);
  return spans;
}

/** Two small charts in one SVG: when each side was connected (video or sound only), and each
 *  direction's average bitrate against the call's cap, with its packet loss beside it. */
function callChartSvg(call, lang) {
  var W = 560, L = 104, R = 552, barR = 380, out = [], y = 0;
  var secs = Math.max(call.seconds || 0, 1);
  var x = function (at) { return L + ((R - L) * Math.min(Math.max(at, 0), secs)) / secs; };
  out.push('<text x="0" y="12" class="mut">' + esc(t('cq_connected')) + '</text><text x="' + L + '" y="12" class="mut">0:00</text><text x="' + R + '" y="12" class="mut" text-anchor="end">' + esc(cqClock(secs)) + '</text>');
  y = 18;
  cqRoles.forEach(function (role) {
    out.push('<text x="0" y="' + (y + 11) + '">' + esc(t('cq_' + role)) + '</text><rect class="track" x="' + L + '" y="' + (y + 1) + '" width="' + (R - L) + '" height="12" rx="2"/>');
    legSpans(call, role).forEach(function (s) {
      var w = Math.max(x(s.to) - x(s.from), 1);
      out.push('<rect class="' + (s.audioOnly ? 'aud' : 'vid') + '" x="' + x(s.from).toFixed(1) + '" y="' + (y + 1) + '" width="' + w.toFixed(1) + '" height="12" rx="2"><title>' +
        esc(t('cq_' + role) + ' · ' + t(s.audioOnly ? 'cq_audioOnly' : 'cq_video') + ' · ' + cqClock(s.from) + '–' + cqClock(s.to)) + '</title></rect>');
    });
    y += 20;
  });

  var legs = call.legs || {}, cap = call.bitrateCapKbps || 0, max = cap;
  cqRoles.forEach(function (role) {
    var l = legs[role] || {};
    max = Math.max(max, l.upKbpsAvg || 0, l.downKbpsAvg || 0);
  });
  max = max || 1;
  var bx = function (kbps) { return L + ((barR - L) * kbps) / max; };
  y += 10;
  var top = y;
  cqRoles.forEach(function (role) {
    var l = legs[role] || {};
    [['up', l.upKbpsAvg, l.upLossPctAvg, l.upLossPctMax], ['down', l.downKbpsAvg, l.downLossPctAvg, l.downLossPctMax]].forEach(function (d) {
      var kbps = d[1], loss = d[2], lossMax = d[3] || 0, has = kbps !== null && kbps !== undefined;
      out.push('<text x="0" y="' + (y + 12) + '">' + esc(t('cq_' + role) + ' ' + t('cq_' + d[0])) + '</text>');
      out.push('<rect class="track" x="' + L + '" y="' + (y + 2) + '" width="' + (barR - L) + '" height="12" rx="2"/>');
      if (has && kbps > 0) out.push('<rect class="bar" x="' + L + '" y="' + (y + 2) + '" width="' + Math.max(bx(kbps) - L, 1).toFixed(1) + '" height="12" rx="2"/>');
      var lossText = loss === null || loss === undefined ? '' : t('cq_loss', { n: cqNum(loss, lang) }) + (lossMax >= 3 && lossMax > loss ? ' (' + t('cq_lossMax', { n: cqNum(lossMax, lang) }) + ')' : '');
      out.push('<text x="' + (barR + 6) + '" y="' + (y + 12) + '">' + (has ? esc(cqNum(kbps, lang)) + ' kbit/s' : '—') +
        (lossText ? ' <tspan class="' + lossLevel(loss) + '">· ' + esc(lossText) + '</tspan>' : '') + '</text>');
      y += 20;
    });
  });
  if (cap) {
    out.push('<line class="cap" x1="' + bx(cap).toFixed(1) + '" y1="' + (top - 2) + '" x2="' + bx(cap).toFixed(1) + '" y2="' + y + '"/>' +
      '<text x="' + bx(cap).toFixed(1) + '" y="' + (y + 12) + '" class="mut" text-anchor="end">' + esc(t('cq_cap', { n: cap })) + '</text>');
    y += 16;
  }
  return '<svg viewBox="0 0 ' + W + ' ' + (y + 2) + '" role="img" aria-label="' + esc(t('cq_chart')) + '" data-testid="call-record-chart">' + out.join('') + '</svg>';
}

/** The raw figures, for a technician or a second look; folded away by default. */
function callFiguresHtml(call, lang) {
  var legs = call.legs || {};
  var v = function (n) { return n === null || n === undefined ? '—' : esc(cqNum(n, lang)); };
  var rows = [
    ['cq_f_upKbps', function (l) { return v(l.upKbpsAvg); }],
    ['cq_f_downKbps', function (l) { return v(l.downKbpsAvg); }],
    ['cq_f_upLoss', function (l) { return v(l.upLossPctAvg) + ' / ' + v(l.upLossPctMax); }],
    ['cq_f_downLoss', function (l) { return v(l.downLossPctAvg) + ' / ' + v(l.downLossPctMax); }],
    ['cq_f_jitter', function (l) { return v(l.jitterMsAvg); }],
    // Without a round trip measured the relay's maximum stays at its starting 0: show neither.
    ['cq_f_rtt', function (l) { return l.rttMsAvg == null ? '—' : v(l.rttMsAvg) + ' / ' + v(l.rttMsMax); }],
    ['cq_f_samples', function (l) { var s = l.levels || {}; return v(l.samples) + ' (' + v(s.good || 0) + ' / ' + v(s.fair || 0) + ' / ' + v(s.poor || 0) + ')'; }],
    ['cq_f_packets', function (l) { return v(l.packetsIn) + ' / ' + v(l.packetsOut); }],
    ['cq_f_frames', function (l) { return v(l.framesIn) + ' / ' + v(l.framesOut); }],
    ['cq_f_decoded', function (l) { return v(l.clientFramesDecoded); }],
    ['cq_f_audio', function (l) { return v(l.clientAudioPackets); }],
  ];
  var keyframes = call.keyframeRequests || {};
  var events = (call.events || []).map(function (e) {
    var p = String(e.what).split(':');
    var what = p[1] === 'closed' ? t('cq_ev_closed', { why: t('cq_end_' + p[2]) }) : t('cq_ev_' + p[1]);
    return '<li>' + esc(cqClock(e.at) + ' ' + t('cq_' + p[0]) + ': ' + what) + '</li>';
  });
  return '<details data-testid="call-record-figures"><summary>' + esc(t('cq_figures')) + '</summary><div class="tbl-wrap"><table><thead><tr><th></th>' +
    cqRoles.map(function (r) { return '<th>' + esc(t('cq_' + r)) + '</th>'; }).join('') + '</tr></thead><tbody>' +
    rows.map(function (row) {
      return '<tr><td>' + esc(t(row[0])) + '</td>' + cqRoles.map(function (r) { return '<td>' + row[1](legs[r] || {}) + '</td>'; }).join('') + '</tr>';
    }).join('') + '</tbody></table></div>' +
    '<p class="small">' + esc(t('cq_cap', { n: call.bitrateCapKbps })) + ' · ' + esc(t('cq_keyframes')) + ': ' +
    (Object.keys(keyframes).length ? Object.keys(keyframes).map(function (k) { return esc(k + ' ' + keyframes[k]); }).join(', ') : '0') + '</p>' +
    (events.length ? '<p class="small" style="margin-bottom:0">' + esc(t('cq_events')) + ':</p><ul class="small">' + events.join('') + '</ul>' : '') + '</details>';
}

/** One call: when and how long, how it ended, its level, the charts, the figures. */
function callRecordHtml(call, lang) {
  var level = callLevel(call) || 'none';
  return '<div class="cq" data-testid="call-record" data-level="' + level + '" data-end="' + esc(call.endReason) + '">' +
    '<div class="cq-head"><b>' + esc(clock(call.startedAt) + '–' + clock(call.endedAt)) + '</b><span>' + esc(cqDuration(call.seconds)) + '</span>' +
    '<span>' + esc(t('cq_quality')) + ' <span class="pill lv-' + level + '" data-testid="call-record-level">' + esc(t('cq_' + level)) + '</span></span></div>' +
    '<div class="small" data-testid="call-record-end">' + esc(t('cq_ended', { why: t('cq_end_' + call.endReason) })) + '</div>' +
    callChartSvg(call, lang) +
    '<div class="small muted"><span class="key vid"></span>' + esc(t('cq_video')) + ' <span class="key aud"></span>' + esc(t('cq_audioOnly')) + '</div>' +
    callFiguresHtml(call, lang) + '</div>';
}

/** All calls, newest first: the one that just ended is the one the doctor looks for. */
function callHistoryHtml(calls, lang) {
  return calls.slice().reverse().map(function (c) { return callRecordHtml(c, lang); }).join('');
}
