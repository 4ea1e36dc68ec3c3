/** Sound for calls: a generated chime (no audio files), allowed by browsers only after a tap. */

let audio: AudioContext | null = null;

type WithWebkit = Window & { webkitAudioContext?: typeof AudioContext };

/** Unlocks sound; call from a tap. */
export function unlockAudio(): boolean {
  try {
    const AC = window.AudioContext || (window as WithWebkit).webkitAudioContext;
    if (!AC) return false;
    if (!audio) audio = new AC();
    if (audio.state === 'suspended') void audio.resume();
    return true;
  } catch {
    return false;
  }
}

/** A few soft sine notes. */
export function chime(notes: number[] = [659, 523, 784]): void {
  if (!audio) return;
  const t0 = audio.currentTime + 0.05;
  for (let i = 0; i < notes.length; i++) {
    const o = audio.createOscillator();
    const g = audio.createGain();
    const s = t0 + i * 0.4;
    o.type = 'sine';
    o.frequency.value = notes[i];
    g.gain.setValueAtTime(0.0001, s);
    g.gain.exponentialRampToValueAtTime(0.6, s + 0.03);
    g.gain.exponentialRampToValueAtTime(0.0001, s + 1.1);
    o.connect(g);
    g.connect(audio.destination);
    o.start(s);
    o.stop(s + 1.2);
  }
}

const clipBuffers = new Map<string, Promise<AudioBuffer>>();

/** A clip fetched and decoded once (the TV says the same words all day); a failed one is tried again next time. */
function clipBuffer(ctx: AudioContext, url: string): Promise<AudioBuffer> {
  let found = clipBuffers.get(url);
  if (!found) {
    found = fetch(url)
      .then((res) => {
        if (!res.ok) throw new Error(url + ' ' + res.status);
        return res.arrayBuffer();
      })
      // The callback form: Safari 11 has no promise from decodeAudioData.
      .then((bytes) => new Promise<AudioBuffer>((resolve, reject) => ctx.decodeAudioData(bytes, resolve, reject)));
    found.catch(() => clipBuffers.delete(url));
    clipBuffers.set(url, found);
  }
  return found;
}

/**
 * Plays clips back to back, starting `afterSeconds` from now (after the chime) or as soon as they
 * have arrived: all of them or, when one is missing, none (half a sentence misleads).
 */
export function playClips(urls: string[], afterSeconds: number): void {
  const ctx = audio;
  if (!ctx || !urls.length) return;
  const due = ctx.currentTime + afterSeconds;
  Promise.all(urls.map((u) => clipBuffer(ctx, u)))
    .then((buffers) => {
      let at = Math.max(due, ctx.currentTime + 0.05);
      for (const b of buffers) {
        const source = ctx.createBufferSource();
        source.buffer = b;
        source.connect(ctx.destination);
        source.start(at);
        at += b.duration;
      }
    })
    .catch(() => {
      /* the chime alone */
    });
}
