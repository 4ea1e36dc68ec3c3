/**
 * The consultation call (patient phone and doctor tablet): signaling WebSocket to the box, one
 * RTCPeerConnection to the box's relay, mute / camera / audio-only / chat / hang-up, quality.
 * Media starts only when the box says consent is active; the box enforces it too. The messages
 * are the relay's own types (appliance/relay/protocol.ts).
 */
import type { ClientMessage, Party, ServerMessage } from '../../../relay/protocol.ts';
import { $, add, h, show } from './dom.ts';
import { fillIn, readIsland, t, type Words } from './island.ts';
import type { ConsultationWord } from '../../../words/page-words.ts';

// The examination page carries the call's words in their own island beside the page's.
const callWords = readIsland<Words>('t-konsultasi');
const ct = (key: ConsultationWord) => (callWords[key] ? fillIn(callWords[key]) : t(key));

export interface CallOptions {
  role: Party;
  audioOnly?: boolean;
  /** The signaling socket's path on the box. */
  socket: string;
  onConsent?: (active: boolean) => void;
}

type Act = 'mute' | 'camera' | 'audio-only' | 'suggest-yes' | 'hangup' | 'restart';

const other = (role: Party): Party => (role === 'doctor' ? 'patient' : 'doctor');
const videoConstraints: MediaTrackConstraints = { width: { ideal: 640 }, height: { ideal: 480 }, frameRate: { ideal: 24, max: 30 }, facingMode: 'user' };

function waitIce(pc: RTCPeerConnection, ms: number): Promise<void> {
  return new Promise((resolve) => {
    if (pc.iceGatheringState === 'complete') return resolve();
    const timer = window.setTimeout(resolve, ms);
    pc.addEventListener('icegatheringstatechange', () => {
      if (pc.iceGatheringState === 'complete') {
        window.clearTimeout(timer);
        resolve();
      }
    });
  });
}

export class Consultation {
  readonly role: Party;
  ws: WebSocket | null = null;
  /** Read by tests and technicians (window.simpulCall.pc.getStats()). */
  pc: RTCPeerConnection | null = null;
  private local: MediaStream | null = null;
  private consent = false;
  private closed = false;
  private want: { muted: boolean; cameraOff: boolean; audioOnly: boolean };
  private retry = 0;
  private statsTimer: number | undefined;
  private mediaState: 'idle' | 'connecting' | 'connected' = 'idle';
  private peerMedia = false;
  private ended = false;
  private readonly quality: HTMLElement;
  private readonly qualityText: HTMLElement;
  private readonly stateEl: HTMLElement;
  private readonly noteEl: HTMLElement;
  private readonly remoteVideo: HTMLVideoElement;
  private readonly selfVideo: HTMLVideoElement;
  private readonly stage: HTMLElement;
  private readonly suggest: HTMLElement;
  private readonly chatBox: HTMLElement;
  private readonly buttons: Record<'mute' | 'camera' | 'audio-only' | 'hangup' | 'restart', HTMLButtonElement>;

  constructor(
    readonly root: HTMLElement,
    readonly opts: CallOptions,
  ) {
    this.role = opts.role;
    this.want = { muted: false, cameraOff: false, audioOnly: !!opts.audioOnly };
    const button = (act: Act, cls: string, testid: string | null, label: string, extra: Record<string, string> = {}) =>
      h('button', { type: 'button', class: cls, 'data-act': act, 'data-testid': testid, ...extra }, label);
    this.qualityText = h('span', null, ct('c_q_none'));
    this.quality = h('span', { class: 'q', 'data-testid': 'call-quality' }, h('i'), this.qualityText);
    this.stateEl = h('span', { class: 'small muted', 'data-testid': 'call-state', 'aria-live': 'polite' });
    this.remoteVideo = h('video', { class: 'remote', 'data-testid': 'call-remote', autoplay: true, playsinline: true });
    this.selfVideo = h('video', { class: 'self', 'data-testid': 'call-self', autoplay: true, playsinline: true, muted: true });
    this.selfVideo.muted = true;
    this.noteEl = h('div', { class: 'note', 'data-testid': 'call-note' });
    this.stage = h('div', { class: 'stage' }, this.remoteVideo, this.selfVideo, this.noteEl);
    this.suggest = h(
      'div',
      { class: 'msg warn', 'data-testid': 'call-suggest', hidden: true, style: 'background:var(--warnbg);color:var(--warn)' },
      h('span', null, ct('c_suggest')),
      ' ',
      button('suggest-yes', 'sec', null, ct('c_suggestYes'), { style: 'min-height:40px' }),
    );
    this.buttons = {
      mute: button('mute', 'sec', 'call-mute', ct('c_mute'), { 'aria-pressed': 'false' }),
      camera: button('camera', 'sec', 'call-camera', ct('c_camOff'), { 'aria-pressed': 'false' }),
      'audio-only': button('audio-only', 'sec', 'call-audio-only', ct('c_audioOnly'), { 'aria-pressed': 'false' }),
      hangup: button('hangup', 'bad', 'call-hangup', ct('c_hangupBtn')),
      restart: button('restart', '', 'call-restart', ct('c_restart')),
    };
    this.buttons.restart.hidden = true;
    this.chatBox = h('div', { class: 'chat', 'data-testid': 'call-chat', 'aria-live': 'polite' });
    const input = h('input', { type: 'text', maxlength: 1000, autocomplete: 'off', placeholder: ct('c_chat'), 'data-testid': 'call-chat-input' });
    const form = h('form', { 'data-testid': 'call-chat-form' }, input, h('button', { type: 'submit', class: 'sec', style: 'min-height:48px' }, ct('c_send')));
    root.hidden = false;
    add(
      root,
      h(
        'div',
        { class: 'call', 'data-testid': 'call' },
        h('div', { class: 'row', style: 'justify-content:space-between' }, this.quality, this.stateEl),
        this.stage,
        this.suggest,
        h('div', { class: 'bar' }, this.buttons.mute, this.buttons.camera, this.buttons['audio-only'], this.buttons.hangup, this.buttons.restart),
        this.chatBox,
        form,
        h('p', { class: 'small muted', style: 'margin:0' }, ct('c_noRecord')),
      ),
    );
    root.addEventListener('click', (ev) => {
      const target = ev.target as Element | null;
      const b = target && target.closest ? target.closest('button[data-act]') : null;
      if (b) this.act(b.getAttribute('data-act') as Act);
    });
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const text = input.value.trim();
      if (!text) return;
      if (this.send({ type: 'chat', text })) input.value = '';
    });
    this.note(ct('c_connecting'));
    this.connect();
    (window as unknown as { simpulCall: Consultation }).simpulCall = this;
  }

  private note(text: string) {
    this.noteEl.textContent = text || '';
  }

  private state(text: string) {
    this.stateEl.textContent = text || '';
  }

  private connect() {
    if (this.closed) return;
    const ws = new WebSocket((location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + this.opts.socket);
    this.ws = ws;
    ws.onopen = () => {
      this.retry = 0;
      this.state('');
    };
    ws.onmessage = (ev: MessageEvent<string>) => {
      let m: ServerMessage;
      try {
        m = JSON.parse(ev.data) as ServerMessage;
      } catch {
        return;
      }
      this.onMessage(m);
    };
    ws.onclose = () => {
      if (this.ws !== ws) return;
      this.ws = null;
      if (this.closed) return;
      this.state(ct('c_offline'));
      this.stopMedia();
      this.retry = Math.min(this.retry + 1, 6);
      window.setTimeout(() => this.connect(), 500 * this.retry);
    };
  }

  private send(m: ClientMessage): boolean {
    if (!this.ws || this.ws.readyState !== 1) return false;
    this.ws.send(JSON.stringify(m));
    return true;
  }

  private onMessage(m: ServerMessage) {
    switch (m.type) {
      case 'hello':
        this.setConsent(m.consent);
        if (!m.peer) this.note(m.consent ? ct(`c_waitingPeer_${other(this.role)}`) : ct('c_waitingConsent'));
        break;
      case 'consent':
        this.setConsent(m.active);
        if (this.opts.onConsent) this.opts.onConsent(m.active);
        break;
      case 'answer':
        if (this.pc) this.pc.setRemoteDescription({ type: 'answer', sdp: m.sdp }).catch((e: Error) => this.state(e.message));
        break;
      case 'media':
        if (m.state === 'connected') {
          this.mediaState = 'connected';
          this.state(ct('c_connected'));
          this.note(this.peerMedia ? '' : ct(`c_waitingPeer_${other(this.role)}`));
        }
        if (m.state === 'stopped') {
          this.stopMedia();
          const why =
            m.reason === 'withdrawn'
              ? ct('c_withdrawn')
              : m.reason === 'hangup'
                ? m.by && m.by !== this.role
                  ? ct(`c_hangupBy_${m.by}`)
                  : ct('c_hangup')
                : m.reason === 'failed'
                  ? ct('c_failed')
                  : ct('c_stopped');
          // Said once, in the call's state line: the note under it would repeat it ("Konsultasi diakhiri." twice).
          this.note('');
          this.state(why);
          if (m.reason === 'hangup') this.ended = true;
          this.showRestart(true);
          // The page around the call may show what the box kept of it (the doctor's encounter screen).
          if (window.CustomEvent) this.root.dispatchEvent(new CustomEvent('simpul-call-stopped', { bubbles: true, detail: { reason: m.reason } }));
        }
        break;
      case 'peer':
        if (m.role === this.role) break;
        this.peerMedia = !!m.media;
        if (m.media && this.mediaState === 'connected') this.note(m.audioOnly ? ct(`c_peerAudioOnly_${m.role}`) : m.cameraOff ? ct('c_peerCamOff') : '');
        else if (this.mediaState === 'connected') this.note(ct(`c_waitingPeer_${m.role}`));
        break;
      case 'chat':
        this.chat(m.from === this.role ? ct('c_you') : ct(`c_from_${m.from}`), m.text, m.from === this.role);
        break;
      case 'quality': {
        const you = m.you;
        this.quality.className = 'q ' + you.level;
        this.quality.setAttribute('data-level', you.level);
        this.quality.title =
          '↑ ' +
          you.up.kbps +
          ' kbit/s ' +
          you.up.lossPct +
          '% · ↓ ' +
          you.down.kbps +
          ' kbit/s ' +
          you.down.lossPct +
          '%' +
          (you.down.rttMs != null ? ' · ' + you.down.rttMs + ' ms' : '');
        this.qualityText.textContent = ct(`c_q_${you.level}`);
        break;
      }
      case 'suggest-audio-only':
        if (!this.want.audioOnly) show(this.suggest, true);
        break;
      case 'error':
        if (m.code === 'consent_required') {
          this.setConsent(false);
          this.stopMedia();
        } else this.state(m.message);
        break;
    }
  }

  private setConsent(active: boolean) {
    this.consent = !!active;
    if (!active) {
      this.stopMedia();
      this.note(ct('c_waitingConsent'));
    } else if (!this.pc && !this.ended) {
      this.startMedia();
    }
  }

  private chat(who: string, text: string, mine: boolean) {
    this.chatBox.appendChild(h('p', { class: mine ? 'me' : null }, h('b', null, who + ':'), ' ' + text));
    this.chatBox.scrollTop = this.chatBox.scrollHeight;
  }

  private getLocal(): Promise<MediaStream | null> {
    if (!window.isSecureContext || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      this.state(ct('c_insecure'));
      return Promise.resolve(null);
    }
    const video = this.want.audioOnly ? false : videoConstraints;
    return navigator.mediaDevices
      .getUserMedia({ audio: { echoCancellation: true, noiseSuppression: true }, video })
      .catch(() => (video ? navigator.mediaDevices.getUserMedia({ audio: true, video: false }) : null))
      .catch(() => {
        this.state(ct('c_noCamera'));
        return null;
      });
  }

  private startMedia() {
    if (this.pc || this.closed || !this.consent) return;
    this.showRestart(false);
    this.mediaState = 'connecting';
    this.note(ct('c_connecting'));
    const pc = new RTCPeerConnection({ iceServers: [], bundlePolicy: 'max-bundle' });
    this.pc = pc;
    this.getLocal()
      .then((stream) => {
        if (this.pc !== pc) {
          if (stream) stream.getTracks().forEach((tr) => tr.stop());
          return;
        }
        this.local = stream;
        const a = stream && stream.getAudioTracks()[0];
        const v = stream && stream.getVideoTracks()[0];
        if (a) a.enabled = !this.want.muted;
        if (v) v.enabled = !this.want.cameraOff;
        pc.addTransceiver(a || 'audio', { direction: 'sendrecv', streams: stream ? [stream] : [] });
        pc.addTransceiver(v || 'video', { direction: 'sendrecv', streams: stream ? [stream] : [] });
        this.selfVideo.srcObject = stream && v ? new MediaStream([v]) : null;
        const remote = new MediaStream();
        this.remoteVideo.srcObject = remote;
        pc.ontrack = (ev) => remote.addTrack(ev.track);
        pc.onconnectionstatechange = () => {
          if (pc.connectionState === 'failed' && this.pc === pc) {
            this.stopMedia();
            this.note(ct('c_failed'));
            this.showRestart(true);
          }
        };
        return pc
          .createOffer()
          .then((o) => pc.setLocalDescription(o))
          .then(() => waitIce(pc, 2000))
          .then(() => {
            if (this.pc === pc && pc.localDescription) this.send({ type: 'offer', sdp: pc.localDescription.sdp });
            if (this.want.audioOnly || this.want.muted || this.want.cameraOff) this.sendState();
          });
      })
      .catch((e: Error) => this.state(e.message));
    window.clearInterval(this.statsTimer);
    this.statsTimer = window.setInterval(() => this.reportStats(), 2000);
  }

  private stopMedia() {
    window.clearInterval(this.statsTimer);
    this.statsTimer = undefined;
    if (this.pc) {
      try {
        this.pc.close();
      } catch {
        /* closed */
      }
    }
    this.pc = null;
    if (this.local) this.local.getTracks().forEach((tr) => tr.stop());
    this.local = null;
    this.mediaState = 'idle';
    this.remoteVideo.srcObject = null;
    this.selfVideo.srcObject = null;
    this.quality.className = 'q';
    this.quality.removeAttribute('data-level');
    this.qualityText.textContent = ct('c_q_none');
  }

  private showRestart(on: boolean) {
    show(this.buttons.restart, on);
    show(this.buttons.hangup, !on);
  }

  private sendState() {
    this.send({ type: 'state', muted: this.want.muted, cameraOff: this.want.cameraOff, audioOnly: this.want.audioOnly });
  }

  private press(act: 'mute' | 'camera' | 'audio-only', on: boolean, label: string) {
    const b = this.buttons[act];
    b.setAttribute('aria-pressed', on ? 'true' : 'false');
    b.textContent = label;
  }

  private act(act: Act) {
    const a = this.local && this.local.getAudioTracks()[0];
    const v = this.local && this.local.getVideoTracks()[0];
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
      show(this.suggest, false);
      this.press('audio-only', this.want.audioOnly, ct(this.want.audioOnly ? 'c_video' : 'c_audioOnly'));
      this.stage.style.aspectRatio = this.want.audioOnly ? '4/1' : '';
      const sender = this.pc && this.pc.getSenders().filter((s) => s.track && s.track.kind === 'video')[0];
      if (this.want.audioOnly) {
        // Stop sending video at once (the box stops sending it to us too).
        if (sender) void sender.replaceTrack(null);
        if (v && this.local) {
          v.stop();
          this.local.removeTrack(v);
        }
        this.selfVideo.srcObject = null;
      } else if (this.pc && this.local && navigator.mediaDevices) {
        navigator.mediaDevices.getUserMedia({ video: { width: { ideal: 640 }, height: { ideal: 480 }, facingMode: 'user' } }).then(
          (s) => {
            const nv = s.getVideoTracks()[0];
            if (!this.local) return;
            this.local.addTrack(nv);
            nv.enabled = !this.want.cameraOff;
            this.selfVideo.srcObject = new MediaStream([nv]);
            const vs = this.pc && this.pc.getTransceivers().filter((tr) => tr.receiver.track && tr.receiver.track.kind === 'video')[0];
            if (vs) void vs.sender.replaceTrack(nv);
          },
          () => {
            /* stays audio-only */
          },
        );
      }
      this.sendState();
    } else if (act === 'hangup') {
      this.send({ type: 'hangup' });
      this.ended = true;
      this.stopMedia();
      this.note('');
      this.state(ct('c_hangup'));
      this.showRestart(true);
    } else if (act === 'restart') {
      this.ended = false;
      if (this.consent) this.startMedia();
      else this.note(ct('c_waitingConsent'));
    }
  }

  /** Tells the box what this side decodes (kept with the call's quality record). */
  private reportStats() {
    const pc = this.pc;
    if (!pc) return;
    pc.getStats().then(
      (r) => {
        let frames = 0;
        let audio = 0;
        let fps = 0;
        r.forEach((s: { type: string; kind?: string; framesDecoded?: number; framesPerSecond?: number; packetsReceived?: number }) => {
          if (s.type === 'inbound-rtp' && s.kind === 'video') {
            frames += s.framesDecoded || 0;
            fps = s.framesPerSecond || fps;
          }
          if (s.type === 'inbound-rtp' && s.kind === 'audio') audio += s.packetsReceived || 0;
        });
        this.send({ type: 'stats', framesDecoded: frames, audioPacketsReceived: audio, fps });
      },
      () => {
        /* closed */
      },
    );
  }

  close() {
    this.closed = true;
    this.stopMedia();
    if (this.ws) this.ws.close();
    this.ws = null;
  }
}

/** The doctor's side: the full screen (/staff/konsultasi/:id starts at once) or the panel beside the encounter form. */
let doctorCall: Consultation | null = null;
export function startDoctorCall(root: HTMLElement | null, encounterId: string | null) {
  if (!root || !encounterId) return;
  if (doctorCall) doctorCall.close();
  doctorCall = new Consultation(root, { role: 'doctor', socket: '/api/v1/consultations/' + encodeURIComponent(encounterId) + '/socket' });
}

/** Wires the doctor's call on a page: a full-screen call starts itself; the panel starts on its button. */
export function doctorCallPage() {
  const auto = $('[data-call=doctor][data-autostart]');
  if (auto) startDoctorCall(auto, auto.getAttribute('data-encounter'));
  const start = $('#call-start');
  if (start) {
    start.addEventListener('click', () => {
      let id = '';
      try {
        id = (sessionStorage.getItem('simpul.exam.enc') || '').split('|')[0];
      } catch {
        /* private mode */
      }
      startDoctorCall($('#konsultasi-video [data-call]'), id);
    });
  }
}
