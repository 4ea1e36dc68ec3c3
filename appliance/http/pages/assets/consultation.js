// The consultation call (patient phone and doctor tablet): signaling WebSocket to the box, one
// RTCPeerConnection to the box's relay, mute / camera / audio-only / chat / hang-up, quality.
// Media starts only when the box says consent is active; the box enforces it too.
var CT = readIsland('t-konsultasi');
function ct(key, vars) {
  var s = CT[key] || T[key] || key;
  if (vars) for (var k in vars) s = s.split('{' + k + '}').join(vars[k] == null ? '' : vars[k]);
  return s;
}

function Consultation(root, opts) {
  var self = this;
  this.root = root; this.opts = opts; this.role = opts.role;
  this.ws = null; this.pc = null; this.local = null; this.consent = false; this.closed = false;
  this.want = { muted: false, cameraOff: false, audioOnly: !!opts.audioOnly };
  this.retry = 0; this.statsTimer = null; this.mediaState = 'idle'; this.ended = false;
  root.hidden = false;
  root.innerHTML =
    '<div class="call" data-testid="call">' +
    '<div class="row" style="justify-content:space-between"><span class="q" data-testid="call-quality"><i></i><span>' + esc(ct('c_q_none')) + '</span></span>' +
    '<span class="small muted" data-testid="call-state" aria-live="polite"></span></div>' +
    '<div class="stage"><video class="remote" data-testid="call-remote" autoplay playsinline></video>' +
    '<video class="self" data-testid="call-self" autoplay playsinline muted></video><div class="note" data-testid="call-note"></div></div>' +
    '<div class="msg warn" data-testid="call-suggest" hidden style="background:var(--warnbg);color:var(--warn)"><span>' + esc(ct('c_suggest')) + '</span> ' +
    '<button type="button" class="sec" data-act="suggest-yes" style="min-height:40px">' + esc(ct('c_suggestYes')) + '</button></div>' +
    '<div class="bar">' +
    '<button type="button" class="sec" data-act="mute" data-testid="call-mute" aria-pressed="false">' + esc(ct('c_mute')) + '</button>' +
    '<button type="button" class="sec" data-act="camera" data-testid="call-camera" aria-pressed="false">' + esc(ct('c_camOff')) + '</button>' +
    '<button type="button" class="sec" data-act="audio-only" data-testid="call-audio-only" aria-pressed="false">' + esc(ct('c_audioOnly')) + '</button>' +
    '<button type="button" class="bad" data-act="hangup" data-testid="call-hangup">' + esc(ct('c_hangupBtn')) + '</button>' +
    '<button type="button" data-act="restart" data-testid="call-restart" hidden>' + esc(ct('c_restart')) + '</button>' +
    '</div>' +
    '<div class="chat" data-testid="call-chat" aria-live="polite"></div>' +
    '<form data-testid="call-chat-form"><input type="text" maxlength="1000" autocomplete="off" placeholder="' + esc(ct('c_chat')) + '" data-testid="call-chat-input">' +
    '<button type="submit" class="sec" style="min-height:48px">' + esc(ct('c_send')) + '</button></form>' +
    '<p class="small muted" style="margin:0">' + esc(ct('c_noRecord')) + '</p>' +
    '</div>';
  this.el = function (sel) { return root.querySelector(sel); };
  root.addEventListener('click', function (ev) {
    var b = ev.target.closest ? ev.target.closest('button[data-act]') : null;
    if (b) self.act(b.getAttribute('data-act'));
  });
  this.el('form').addEventListener('submit', function (ev) {
    ev.preventDefault();
    var input = self.el('form input'), text = input.value.trim();
    if (!text) return;
    if (self.sendMsg({ type: 'chat', text: text })) input.value = '';
  });
  this.note(ct('c_connecting'));
  this.connect();
  window.simpulCall = this; // tests and technicians read getStats from here
}

Consultation.prototype.note = function (text) {
  this.el('[data-testid=call-note]').textContent = text || '';
};
Consultation.prototype.state = function (text) {
  this.el('[data-testid=call-state]').textContent = text || '';
};

Consultation.prototype.connect = function () {
  var self = this;
  if (this.closed) return;
  var url = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + this.opts.socket;
  var ws = new WebSocket(url);
  this.ws = ws;
  ws.onopen = function () { self.retry = 0; self.state(''); };
  ws.onmessage = function (ev) {
    var m = null;
    try { m = JSON.parse(ev.data); } catch (e) { return; }
    self.onMessage(m);
  };
  ws.onclose = function () {
    if (self.ws !== ws) return;
    self.ws = null;
    if (self.closed) return;
    self.state(ct('c_offline'));
    self.stopMedia();
    self.retry = Math.min(self.retry + 1, 6);
    setTimeout(function () { self.connect(); }, 500 * self.retry);
  };
};

Consultation.prototype.sendMsg = function (m) {
  if (!this.ws || this.ws.readyState !== 1) return false;
  this.ws.send(JSON.stringify(m));
  return true;
};

Consultation.prototype.onMessage = function (m) {
  var self = this;
  switch (m.type) {
    case 'hello':
      this.setConsent(m.consent);
      if (!m.peer) this.note(m.consent ? ct('c_waitingPeer_' + (this.role === 'doctor' ? 'patient' : 'doctor')) : ct('c_waitingConsent'));
      break;
    case 'consent':
      this.setConsent(m.active);
      if (this.opts.onConsent) this.opts.onConsent(m.active);
      break;
    case 'answer':
      if (this.pc) this.pc.setRemoteDescription({ type: 'answer', sdp: m.sdp }).catch(function (e) { self.state(e.message); });
      break;
    case 'media':
      if (m.state === 'connected') { this.mediaState = 'connected'; this.state(ct('c_connected')); this.note(this.peerMedia ? '' : ct('c_waitingPeer_' + (this.role === 'doctor' ? 'patient' : 'doctor'))); }
      if (m.state === 'stopped') {
        this.stopMedia();
        var why = m.reason === 'withdrawn' ? ct('c_withdrawn') : m.reason === 'hangup' ? (m.by && m.by !== this.role ? ct('c_hangupBy_' + m.by) : ct('c_hangup')) : m.reason === 'failed' ? ct('c_failed') : ct('c_stopped');
        this.note(why); this.state(why);
        if (m.reason === 'hangup') this.ended = true;
        this.showRestart(true);
        // The page around the call may show what the box kept of it (the doctor's encounter screen).
        if (window.CustomEvent) this.root.dispatchEvent(new CustomEvent('simpul-call-stopped', { bubbles: true, detail: { reason: m.reason } }));
      }
      break;
    case 'peer':
      if (m.role === this.role) break;
      this.peerMedia = !!m.media;
      if (m.media && this.mediaState === 'connected') this.note(m.audioOnly ? ct('c_peerAudioOnly_' + m.role) : m.cameraOff ? ct('c_peerCamOff') : '');
      else if (this.mediaState === 'connected') this.note(ct('c_waitingPeer_' + m.role));
      break;
    case 'chat':
      this.chat(m.from === this.role ? ct('c_you') : ct('c_from_' + m.from), m.text, m.from === this.role);
      break;
    case 'quality':
      var q = this.el('[data-testid=call-quality]');
      q.className = 'q ' + m.you.level;
      q.setAttribute('data-level', m.you.level);
      q.title = '↑ ' + m.you.up.kbps + ' kbit/s ' + m.you.up.lossPct + '% · ↓ ' + m.you.down.kbps + ' kbit/s ' + m.you.down.lossPct + '%' + (m.you.down.rttMs != null ? ' · ' + m.you.down.rttMs + ' ms' : '');
      q.querySelector('span').textContent = ct('c_q_' + m.you.level);
      break;
    case 'suggest-audio-only':
      if (!this.want.audioOnly) show(this.el('[data-testid=call-suggest]'), true);
      break;
    case 'error':
      if (m.code === 'consent_required') { this.setConsent(false); this.stopMedia(); }
      else this.state(m.message);
      break;
  }
};

Consultation.prototype.setConsent = function (active) {
  this.consent = !!active;
  if (!active) {
    this.stopMedia();
    this.note(ct('c_waitingConsent'));
  } else if (!this.pc && !this.ended) {
    this.startMedia();
  }
};

Consultation.prototype.chat = function (who, text, mine) {
  var box = this.el('[data-testid=call-chat]');
  var p = document.createElement('p');
  if (mine) p.className = 'me';
  p.innerHTML = '<b>' + esc(who) + ':</b> ' + esc(text);
  box.appendChild(p);
  box.scrollTop = box.scrollHeight;
};

Consultation.prototype.getLocal = function () {
  var self = this;
  if (!window.isSecureContext || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
    this.state(ct('c_insecure'));
    return Promise.resolve(null);
  }
  var video = this.want.audioOnly ? false : { width: { ideal: 640 }, height: { ideal: 480 }, frameRate: { ideal: 24, max: 30 }, facingMode: 'user' };
  return navigator.mediaDevices.getUserMedia({ audio: { echoCancellation: true, noiseSuppression: true }, video: video })
    .catch(function () { return video ? navigator.mediaDevices.getUserMedia({ audio: true, video: false }) : null; })
    .catch(function () { self.state(ct('c_noCamera')); return null; });
};

Consultation.prototype.startMedia = function () {
  var self = this;
  if (this.pc || this.closed || !this.consent) return;
  this.showRestart(false);
  this.mediaState = 'connecting';
  this.note(ct('c_connecting'));
  var pc = new RTCPeerConnection({ iceServers: [], bundlePolicy: 'max-bundle' });
  this.pc = pc;
  this.getLocal().then(function (stream) {
    if (self.pc !== pc) { if (stream) stream.getTracks().forEach(function (t) { t.stop(); }); return; }
    self.local = stream;
    var a = stream && stream.getAudioTracks()[0], v = stream && stream.getVideoTracks()[0];
    if (a) a.enabled = !self.want.muted;
    if (v) v.enabled = !self.want.cameraOff;
    pc.addTransceiver(a || 'audio', { direction: 'sendrecv', streams: stream ? [stream] : [] });
    pc.addTransceiver(v || 'video', { direction: 'sendrecv', streams: stream ? [stream] : [] });
    self.el('video.self').srcObject = stream && v ? new MediaStream([v]) : null;
    var remote = new MediaStream();
    self.el('video.remote').srcObject = remote;
    pc.ontrack = function (ev) { remote.addTrack(ev.track); };
    pc.onconnectionstatechange = function () {
      if (pc.connectionState === 'failed' && self.pc === pc) { self.stopMedia(); self.note(ct('c_failed')); self.showRestart(true); }
    };
    return pc.createOffer().then(function (o) { return pc.setLocalDescription(o); }).then(function () {
      return waitIce(pc, 2000);
    }).then(function () {
      if (self.pc === pc) self.sendMsg({ type: 'offer', sdp: pc.localDescription.sdp });
      if (self.want.audioOnly || self.want.muted || self.want.cameraOff) self.sendState();
    });
  }).catch(function (e) { self.state(e.message); });
  clearInterval(this.statsTimer);
  this.statsTimer = setInterval(function () { self.reportStats(); }, 2000);
};

function waitIce(pc, ms) {
  return new Promise(function (resolve) {
    if (pc.iceGatheringState === 'complete') return resolve();
    var t = setTimeout(resolve, ms);
    pc.addEventListener('icegatheringstatechange', function () { if (pc.iceGatheringState === 'complete') { clearTimeout(t); resolve(); } });
  });
}

Consultation.prototype.stopMedia = function () {
  clearInterval(this.statsTimer);
  this.statsTimer = null;
  if (this.pc) { try { this.pc.close(); } catch (e) { /* closed */ } }
  this.pc = null;
  if (this.local) this.local.getTracks().forEach(function (t) { t.stop(); });
  this.local = null;
  this.mediaState = 'idle';
  var r = this.el('video.remote'), s = this.el('video.self');
  if (r) r.srcObject = null;
  if (s) s.srcObject = null;
  var q = this.el('[data-testid=call-quality]');
  if (q) { q.className = 'q'; q.removeAttribute('data-level'); q.querySelector('span').textContent = ct('c_q_none'); }
};

Consultation.prototype.showRestart = function (on) {
  show(this.el('[data-act=restart]'), on);
  show(this.el('[data-act=hangup]'), !on);
};

Consultation.prototype.sendState = function () {
  this.sendMsg({ type: 'state', muted: this.want.muted, cameraOff: this.want.cameraOff, audioOnly: this.want.audioOnly });
};

Consultation.prototype.press = function (act, on, label) {
  var b = this.el('[data-act=' + act + ']');
  b.setAttribute('aria-pressed', on ? 'true' : 'false');
  b.textContent = label;
};

Consultation.prototype.act = function (act) {
  var self = this;
  var a = this.local && this.local.getAudioTracks()[0], v = this.local && this.local.getVideoTracks()[0];
  if (act === 'mute') {
    this.want.muted = !this.want.muted;
    if (a) a.enabled = !this.want.muted;
    this.press('mute', this.want.muted, ct(this.want.muted ? 'c_unmute' : 'c_mute'));
    this.sendState();
  } else if (act === 'camera') {
    this.want.cameraOff = !this.want.cameraOff;
    if (v) v.enabled = !this.want.cameraOff;
    this.press('camera', this.want.cameraOff, ct(this.want.cameraOff ? 'c_camOn' : 'c_camOff'));
    this.sendState();
  } else if (act === 'audio-only' || act === 'suggest-yes') {
    this.want.audioOnly = act === 'suggest-yes' ? true : !this.want.audioOnly;
    show(this.el('[data-testid=call-suggest]'), false);
    this.press('audio-only', this.want.audioOnly, ct(this.want.audioOnly ? 'c_video' : 'c_audioOnly'));
    this.el('.stage').style.aspectRatio = this.want.audioOnly ? '4/1' : '';
    var sender = this.pc && this.pc.getSenders().filter(function (s) { return s.track && s.track.kind === 'video'; })[0];
    if (this.want.audioOnly) {
      // Stop sending video at once (the box stops sending it to us too).
      if (sender) sender.replaceTrack(null);
      if (v) { v.stop(); this.local.removeTrack(v); }
      this.el('video.self').srcObject = null;
    } else if (this.pc && this.local && navigator.mediaDevices) {
      navigator.mediaDevices.getUserMedia({ video: { width: { ideal: 640 }, height: { ideal: 480 }, facingMode: 'user' } }).then(function (s) {
        var nv = s.getVideoTracks()[0];
        self.local.addTrack(nv);
        nv.enabled = !self.want.cameraOff;
        self.el('video.self').srcObject = new MediaStream([nv]);
        var vs = self.pc && self.pc.getTransceivers().filter(function (t) { return t.receiver.track && t.receiver.track.kind === 'video'; })[0];
        if (vs) vs.sender.replaceTrack(nv);
      }, function () { /* stays audio-only */ });
    }
    this.sendState();
  } else if (act === 'hangup') {
    this.sendMsg({ type: 'hangup' });
    this.ended = true;
    this.stopMedia();
    this.note(ct('c_hangup'));
    this.showRestart(true);
  } else if (act === 'restart') {
    this.ended = false;
    if (this.consent) this.startMedia(); else this.note(ct('c_waitingConsent'));
  }
};

/** Tells the box what this side decodes (kept with the call's quality record). */
Consultation.prototype.reportStats = function () {
  var self = this, pc = this.pc;
  if (!pc) return;
  pc.getStats().then(function (r) {
    var frames = 0, audio = 0, fps = 0;
    r.forEach(function (s) {
      if (s.type === 'inbound-rtp' && s.kind === 'video') { frames += s.framesDecoded || 0; fps = s.framesPerSecond || fps; }
      if (s.type === 'inbound-rtp' && s.kind === 'audio') audio += s.packetsReceived || 0;
    });
    self.sendMsg({ type: 'stats', framesDecoded: frames, audioPacketsReceived: audio, fps: fps });
  }, function () { /* closed */ });
};

Consultation.prototype.close = function () {
  this.closed = true;
  this.stopMedia();
  if (this.ws) this.ws.close();
  this.ws = null;
};
