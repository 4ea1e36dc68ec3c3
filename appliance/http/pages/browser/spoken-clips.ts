/**
 * The spoken call for a TV without an Indonesian voice: the same sentence as the browser's speech
 * ("Nomor antrean A dua belas, silakan ke Ruang dua") said by short clips shipped with the box
 * (made at build time by espeak-ng, voice-clips.ts), one clip per word, played one after another.
 * Numbers up to 999 need only the digits and nol, sepuluh, sebelas, belas, puluh, seratus, ratus.
 */
import { spokenLabel, spokenRoom } from './spoken-call.ts';

/** Letter names as said in Bahasa Indonesia (a, be, ce…): the clip for a queue prefix or "KIA". */
const letterNames = 'a be ce de e ef ge ha i je ka el em en o pe ki er es te u ve we eks ye zet'.split(' ');

/**
 * Clip name → what espeak-ng says for it. The name is the file (`/suara/<name>.wav`) and, for a
 * word, the word itself; room words beyond "ruang" are the rooms puskesmas commonly name.
 */
export const clipTexts: Record<string, string> = (() => {
  const texts: Record<string, string> = { 'nomor-antrean': 'nomor antrean', 'silakan-ke': 'silakan ke' };
  const words =
    'nol satu dua tiga empat lima enam tujuh delapan sembilan sepuluh sebelas belas puluh seratus ratus ' +
    'ruang poli umum gigi anak lansia gizi imunisasi tindakan laboratorium farmasi periksa';
  for (const w of words.split(' ')) texts[w] = w;
  letterNames.forEach((name, i) => (texts['huruf-' + String.fromCharCode(97 + i)] = name));
  return texts;
})();

/** The clips for a few words, or null when one of them has none (then that part is not said). */
function wordClips(words: string): string[] | null {
  const clips: string[] = [];
  for (const word of words.split(/\s+/).filter(Boolean)) {
    const lower = word.toLowerCase();
    if (/^[A-Z]{1,4}$/.test(word) && !(lower in clipTexts && word.length > 1)) {
      // A prefix ("A") or an abbreviation ("KIA"): spelt letter by letter, as people read it.
      for (const ch of lower) clips.push('huruf-' + ch);
    } else if (lower in clipTexts && !lower.startsWith('huruf-')) clips.push(lower);
    else return null;
  }
  return clips.length ? clips : null;
}

/**
 * A call as clip names in the order they are said: "A-012" to "Ruang 2" → nomor-antrean huruf-a
 * dua belas silakan-ke ruang dua. A room with a word the box has no clip for is left out (the
 * number alone is said); a label it cannot say gives no clips (the chime alone).
 */
export function callClips(label: string, room: string): string[] {
  const number = wordClips(spokenLabel(label));
  if (!number) return [];
  const where = room.trim() ? wordClips(spokenRoom(room)) : null;
  return ['nomor-antrean', ...number, ...(where ? ['silakan-ke', ...where] : [])];
}

/** Where the box serves a clip. */
export const clipUrl = (name: string) => '/suara/' + name + '.wav';
