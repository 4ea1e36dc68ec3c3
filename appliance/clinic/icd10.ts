/**
 * ICD-10 diagnosis list for the doctor's picker (encounter primary/secondary diagnoses, referrals).
 *
 * Indonesia codes diagnoses in WHO ICD-10 (2010 edition, the one JKN/BPJS coding uses), not the US ICD-10-CM.
 * The list ships with the box in icd10-data.json: a curated primary-care subset (FKTP), each code with
 * a Bahasa Indonesia name, an English name and search keywords (lay terms and abbreviations such as
 * "ispa", "dbd", "maag", "darah tinggi"). It is read lazily on first use, from disk, never the network.
 *
 * Codes are stored in their canonical form ("J06.9", "I10"). Lookups accept any case and an optional
 * dot ("j069"); isIcd10Code only accepts the canonical form, so validated input can be stored as given.
 */
import { readFileSync } from 'node:fs';

export type Icd10Entry = { code: string; name: string; nameEn?: string };

type Row = [code: string, name: string, nameEn: string, keywords?: string];

interface Index {
  entries: readonly Icd10Entry[]; // sorted by code
  compactCodes: string[]; // lowercase code without the dot, same order (sorts the same way as the codes)
  byCompact: Map<string, number>;
  byCode: Set<string>;
  words: string[]; // sorted unique search words
  postings: number[][]; // per word: entry indexes
  titleWords: Set<string>[]; // per entry: words of the Indonesian and English names
  keywordWords: Set<string>[]; // per entry: keyword words
  contentWords: number[]; // per entry: words of the Indonesian name, less filler ("tidak spesifik", "dan")
  common: Uint8Array; // per entry: 1 for the most frequent puskesmas diagnoses
}

const DATA_URL = new URL('./icd10-data.json', import.meta.url);
let index: Index | undefined;

function load(): Index {
  if (index) return index;
  const raw = JSON.parse(readFileSync(DATA_URL, 'utf8')) as { entries: Row[]; common?: string[] };
  index = buildIndex(raw.entries, raw.common ?? []);
  return index;
}

/** Lowercase, strip diacritics ("Schönlein" -> "schonlein"). */
function fold(text: string): string {
  const ascii = /^[\x00-\x7f]*$/.test(text);
  return (ascii ? text : text.normalize('NFD').replace(/[\u0300-\u036f]/g, '')).toLowerCase();
}

function wordsOf(text: string): string[] {
  return fold(text)
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

function compactCode(code: string): string {
  return code.replace(/[\s.]/g, '').toLowerCase();
}

const FILLER = new Set(['tidak', 'spesifik', 'dan', 'atau', 'lain', 'lainnya', 'yang', 'dengan', 'tanpa', 'pada', 'di']);

function buildIndex(rows: Row[], commonCodes: string[]): Index {
  const sorted = [...rows].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const commonSet = new Set(commonCodes);
  const entries: Icd10Entry[] = [];
  const compactCodes: string[] = [];
  const byCompact = new Map<string, number>();
  const byCode = new Set<string>();
  const titleWords: Set<string>[] = [];
  const keywordWords: Set<string>[] = [];
  const contentWords: number[] = [];
  const common = new Uint8Array(sorted.length);
  const postingMap = new Map<string, number[]>();

  sorted.forEach(([code, name, nameEn, keywords], i) => {
    entries.push(Object.freeze({ code, name, nameEn }));
    const compact = compactCode(code);
    compactCodes.push(compact);
    byCompact.set(compact, i);
    byCode.add(code);
    if (commonSet.has(code)) common[i] = 1;
    const nameWords = wordsOf(name);
    const title = new Set([...nameWords, ...wordsOf(nameEn)]);
    const kw = new Set(wordsOf(keywords ?? ''));
    titleWords.push(title);
    keywordWords.push(kw);
    contentWords.push(nameWords.filter((w) => !FILLER.has(w)).length);
    for (const w of new Set([...title, ...kw])) {
      let list = postingMap.get(w);
      if (!list) postingMap.set(w, (list = []));
      list.push(i);
    }
  });

  const words = [...postingMap.keys()].sort();
  return {
    entries,
    compactCodes,
    byCompact,
    byCode,
    words,
    postings: words.map((w) => postingMap.get(w)!),
    titleWords,
    keywordWords,
    contentWords,
    common,
  };
}

/** First index in a sorted array whose value is >= key. */
function lowerBound(sorted: string[], key: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const CODE_LIKE = /^[a-z]\d{0,2}$|^[a-z]\d\d\.?[0-9]$/;

/** Query tokens: code-looking pieces keep their dot ("j06.9" -> "j069"), the rest splits into words. */
function tokenize(query: string): string[] {
  const tokens: string[] = [];
  for (const piece of fold(query).split(/\s+/)) {
    if (!piece) continue;
    if (CODE_LIKE.test(piece)) tokens.push(piece.replace('.', ''));
    else tokens.push(...piece.split(/[^a-z0-9]+/).filter(Boolean));
  }
  return tokens;
}

/** Entries whose code starts with the token or that have a word starting with it. */
function matchToken(idx: Index, token: string, into: Uint8Array): void {
  const codes = idx.compactCodes;
  for (let i = lowerBound(codes, token); i < codes.length && codes[i].startsWith(token); i++) into[i] = 1;
  const words = idx.words;
  for (let w = lowerBound(words, token); w < words.length && words[w].startsWith(token); w++) {
    for (const i of idx.postings[w]) into[i] = 1;
  }
}

function hasPrefix(words: Set<string>, token: string): boolean {
  for (const w of words) if (w.startsWith(token)) return true;
  return false;
}

/** Per query word: 4 for a whole word of a name, 3 of a keyword, 2 for the start of a name word, 1 otherwise. */
function score(idx: Index, i: number, tokens: string[]): number {
  let s = 0;
  for (const t of tokens) {
    if (idx.titleWords[i].has(t)) s += 4;
    else if (idx.keywordWords[i].has(t)) s += 3;
    else if (hasPrefix(idx.titleWords[i], t)) s += 2;
    else s += 1; // start of a keyword, or of the code
  }
  return s;
}

/**
 * Search by code prefix ("j06", "J06.9", "j069") and by words of the Indonesian/English names and
 * keywords (every query word must match the start of a word, in any order). Code-prefix matches come
 * first in code order, then word matches: whole words of the name, then of the keywords, then word
 * starts; among equals the most frequent puskesmas diagnoses, then the shortest names.
 */
export function searchIcd10(query: string, limit = 20): Icd10Entry[] {
  const max = Math.floor(limit);
  if (!(max > 0) || typeof query !== 'string') return [];
  const tokens = tokenize(query);
  if (tokens.length === 0) return [];
  const idx = load();
  const n = idx.entries.length;
  const result: Icd10Entry[] = [];
  const taken = new Uint8Array(n);

  // 1. The whole query as a code prefix.
  const whole = compactCode(fold(query));
  if (CODE_LIKE.test(whole)) {
    const codes = idx.compactCodes;
    for (let i = lowerBound(codes, whole); i < n && codes[i].startsWith(whole) && result.length < max; i++) {
      result.push(idx.entries[i]);
      taken[i] = 1;
    }
    if (result.length >= max) return result;
  }

  // 2. All tokens must match (code prefix or word prefix).
  let candidates: Uint8Array | undefined;
  for (const token of tokens) {
    const hits = new Uint8Array(n);
    matchToken(idx, token, hits);
    if (candidates) for (let i = 0; i < n; i++) candidates[i] &= hits[i];
    else candidates = hits;
  }
  const ranked: { i: number; s: number }[] = [];
  for (let i = 0; i < n; i++) if (candidates![i] && !taken[i]) ranked.push({ i, s: score(idx, i, tokens) });
  // Best score, then the most frequent diagnoses, then the shortest (most general) name, then code order.
  ranked.sort((a, b) => b.s - a.s || idx.common[b.i] - idx.common[a.i] || idx.contentWords[a.i] - idx.contentWords[b.i] || a.i - b.i);
  for (const { i } of ranked) {
    if (result.length >= max) break;
    result.push(idx.entries[i]);
  }
  return result;
}

/** Canonical form of a code in the list ("j069" -> "J06.9"), or undefined if it is not in the list. */
export function normalizeIcd10Code(code: string): string | undefined {
  return getIcd10(code)?.code;
}

/** Look a code up, ignoring case, surrounding spaces and the dot. */
export function getIcd10(code: string): Icd10Entry | undefined {
  if (typeof code !== 'string') return undefined;
  const idx = load();
  const i = idx.byCompact.get(compactCode(code.trim()));
  return i === undefined ? undefined : idx.entries[i];
}

/** True when the code is in the list in its canonical form ("J06.9", not "j069"); use to validate stored codes. */
export function isIcd10Code(code: string): boolean {
  return typeof code === 'string' && load().byCode.has(code);
}

/** Load and index the list now (e.g. once the server is listening) rather than on the first search; returns the number of codes. */
export function preloadIcd10(): number {
  return load().entries.length;
}
