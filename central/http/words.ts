/**
 * Every word the hub shows or answers with, one catalog per language: Bahasa Indonesia first
 * (a district office's operator reads it), English second. `en` is typed from `id`, so a word
 * missing from either fails `tsc`; test/hub-words.test.ts checks the same at run time.
 * The language is chosen as on the box: `?lang=`, then the `lang` cookie, then Accept-Language.
 */
export type HubLang = 'id' | 'en';

export const hubLangs: readonly HubLang[] = ['id', 'en'];

const id = {
  // Status page per box
  boxesTitle: 'Simpul Pusat',
  answerReferralsLink: 'Jawab rujukan',
  metricsLink: 'metrik',
  colBox: 'kotak',
  colFacility: 'fasilitas',
  colLastSeen: 'terakhir terlihat',
  colRecordsHeld: 'rekaman tersimpan',
  colBacklog: 'antrean kirim menurut kotak',
  colWaitingForBox: 'menunggu diambil kotak',
  revoked: '(dicabut)',
  never: 'belum pernah',
  backlog: (pending: number, parked: number) => `${pending} menunggu, ${parked} diparkir`,
  oldest: (seconds: number) => `tertua ${seconds} dtk`,
  noBoxYet: 'belum ada kotak terdaftar',
  // Referrals to answer
  referralsTitle: 'Rujukan di hub',
  backToBoxes: '← kotak',
  colPatient: 'pasien',
  colTo: 'tujuan',
  colStatus: 'status',
  colAnswer: 'jawab sebagai rumah sakit',
  emergency: 'GAWAT DARURAT',
  answerWaiting: 'jawaban menunggu diambil kotak',
  scheduledForLabel: 'tanggal jadwal',
  notePlaceholder: 'catatan / alasan',
  answerButton: 'Jawab',
  noReferralYet: 'belum ada rujukan diterima',
  referralStatus: {
    draft: 'draf', issued: 'diterbitkan', sent: 'terkirim', accepted: 'diterima', scheduled: 'dijadwalkan',
    rejected: 'ditolak', used: 'sudah dipakai', expired: 'kedaluwarsa',
  },
  // The same page in the other language: named in that language.
  otherLanguage: 'English',
  // Error messages (the code stays English: it is for programs)
  err_unauthenticated: 'Perlu token admin hub (Authorization: Bearer <token>, atau Basic dengan token sebagai kata sandi).',
  err_malformed: 'Header Authorization tidak valid.',
  err_no_admin_token: 'Hub ini belum punya token admin: setel SIMPUL_HUB_ADMIN_TOKEN.',
  err_forbidden: 'Peran Anda tidak diizinkan untuk ini.',
  err_csrf: 'Permintaan dari situs lain ditolak.',
  err_route_not_found: 'Alamat tidak ditemukan.',
  err_validation_failed: 'Permintaan tidak sesuai format.',
  err_invalid: 'Data tidak valid.',
  err_not_found: 'Data tidak ditemukan.',
  err_internal: 'Terjadi kesalahan pada hub. Coba lagi.',
  // Enrolment of a box with a claim code (the technician reads these on the box's first-run page)
  err_claim_unknown: 'Kode klaim tidak dikenal. Periksa kembali kode dari dinas kesehatan.',
  err_claim_used: 'Kode klaim ini sudah dipakai. Minta kode baru ke dinas kesehatan.',
  err_claim_expired: 'Kode klaim ini sudah kedaluwarsa. Minta kode baru ke dinas kesehatan.',
  err_claim_wrong_facility: 'Kode klaim ini untuk fasilitas lain. Periksa kode faskes atau minta kode yang benar.',
  err_csr_invalid: 'Permintaan sertifikat dari kotak tidak valid.',
  err_throttled: 'Terlalu banyak percobaan. Tunggu sebentar lalu coba lagi.',
};

/** The shape every language's catalog has: the same keys; a word with arguments takes the same arguments. */
export type HubWords = { [K in keyof typeof id]: (typeof id)[K] extends (...a: infer A) => string ? (...a: A) => string : (typeof id)[K] extends string ? string : { [S in keyof (typeof id)[K]]: string } };

const en: HubWords = {
  boxesTitle: 'Simpul central',
  answerReferralsLink: 'Answer referrals',
  metricsLink: 'metrics',
  colBox: 'box',
  colFacility: 'facility',
  colLastSeen: 'last seen',
  colRecordsHeld: 'records held',
  colBacklog: 'backlog the box reports',
  colWaitingForBox: 'waiting for the box',
  revoked: '(revoked)',
  never: 'never',
  backlog: (pending, parked) => `${pending} pending, ${parked} parked`,
  oldest: (seconds) => `oldest ${seconds} s`,
  noBoxYet: 'no box enrolled yet',
  referralsTitle: 'Referrals at the hub',
  backToBoxes: '← boxes',
  colPatient: 'patient',
  colTo: 'to',
  colStatus: 'status',
  colAnswer: 'answer as the hospital',
  emergency: 'EMERGENCY',
  answerWaiting: 'answer waiting for the box',
  scheduledForLabel: 'date scheduled',
  notePlaceholder: 'note / reason',
  answerButton: 'Answer',
  noReferralYet: 'no referral received yet',
  referralStatus: {
    draft: 'draft', issued: 'issued', sent: 'sent', accepted: 'accepted', scheduled: 'scheduled',
    rejected: 'rejected', used: 'used', expired: 'expired',
  },
  otherLanguage: 'Indonesia',
  err_unauthenticated: 'The hub admin token is required (Authorization: Bearer <token>, or Basic with the token as password).',
  err_malformed: 'The Authorization header is malformed.',
  err_no_admin_token: 'This hub has no admin token: set SIMPUL_HUB_ADMIN_TOKEN.',
  err_forbidden: 'Your role is not allowed to do this.',
  err_csrf: 'A cross-site request is refused.',
  err_route_not_found: 'No such address.',
  err_validation_failed: 'The request is malformed.',
  err_invalid: 'Invalid data.',
  err_not_found: 'Not found.',
  err_internal: 'The hub hit an error. Try again.',
  err_claim_unknown: 'Unknown claim code. Check the code from the health office.',
  err_claim_used: 'This claim code has already been used. Ask the health office for a new one.',
  err_claim_expired: 'This claim code has expired. Ask the health office for a new one.',
  err_claim_wrong_facility: 'This claim code is for another facility. Check the facility code or ask for the right code.',
  err_csr_invalid: 'The box\'s certificate request is invalid.',
  err_throttled: 'Too many attempts. Wait a little and try again.',
};

export const hubWords: Record<HubLang, HubWords> = { id, en };

/** `?lang=` first, then the `lang` cookie, then Accept-Language (English only if it comes first); Indonesian by default. */
export function pickHubLang(query: string | undefined, cookie: string | undefined, acceptLanguage: string | undefined): HubLang {
  for (const v of [query, cookie]) if (v === 'id' || v === 'en') return v;
  if (acceptLanguage && /^en\b/i.test(acceptLanguage.trim())) return 'en';
  return 'id';
}
