/**
 * The waiting-room TV's spoken call in Bahasa Indonesia: "Nomor antrean A dua belas, silakan ke
 * Ruang dua". Numbers as they are said (dua belas, not "satu dua"): queue numbers and room numbers
 * up to 999, which a clinic day never passes (numbers start at 1 each day per poli).
 */
const ones = ['', 'satu', 'dua', 'tiga', 'empat', 'lima', 'enam', 'tujuh', 'delapan', 'sembilan'];

/** 0–999 in words: 12 → "dua belas", 111 → "seratus sebelas", 250 → "dua ratus lima puluh". */
export function indonesianNumber(n: number): string {
  if (!Number.isInteger(n) || n < 0 || n > 999) throw new RangeError('0–999 only: ' + n);
  if (n === 0) return 'nol';
  const words: string[] = [];
  const hundreds = Math.floor(n / 100);
  const rest = n % 100;
  if (hundreds) words.push(hundreds === 1 ? 'seratus' : ones[hundreds] + ' ratus');
  if (rest >= 20) words.push(ones[Math.floor(rest / 10)] + ' puluh' + (rest % 10 ? ' ' + ones[rest % 10] : ''));
  else if (rest >= 12) words.push(ones[rest - 10] + ' belas');
  else if (rest === 11) words.push('sebelas');
  else if (rest === 10) words.push('sepuluh');
  else if (rest) words.push(ones[rest]);
  return words.join(' ');
}

/** A queue label as said: "A-012" → "A dua belas"; a label of another shape is left as it is. */
export function spokenLabel(label: string): string {
  const m = /^([A-Za-z]{0,3})[-\s]?0*(\d{1,3})$/.exec(label.trim());
  if (!m) return label;
  const letters = m[1].toUpperCase().split('').join(' ');
  return (letters ? letters + ' ' : '') + indonesianNumber(Number(m[2]));
}

/** A room as said: its numbers in words ("Ruang 2" → "Ruang dua"). */
export function spokenRoom(room: string): string {
  return room.replace(/\d{1,3}/g, (d) => indonesianNumber(Number(d)));
}
