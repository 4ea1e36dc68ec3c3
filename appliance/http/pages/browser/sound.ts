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
