/**
 * Which words each page hands its script (the `#t` JSON island): the contract between a page's
 * JSX, which must supply them (`satisfies`/return types there), and its browser code, which may ask
 * for nothing else (`pageWords<…>()` in browser/island.ts). Names are the island's, values come
 * from the catalog (id.ts / en.ts). Types only: nothing here reaches a bundle.
 */

/** Every staff page (staff/layout.tsx `staffWords`; clinical.tsx the same): api.ts, live.ts and pagers. */
export type StaffWord = 'offline' | 'netError' | 'connOn' | 'connOff' | 'page' | 'none' | 'saved';

/** /ambil (patient.tsx `AmbilPage`) → browser/ambil.ts. */
export type AmbilWord = 'taking' | 'mine';

/** /layar (display.tsx) → browser/layar.ts. */
export type LayarWord = 'room' | 'none' | 'speak' | 'connOn' | 'connOff' | 'soundOn' | 'sp_call';

/** /staff/login (staff/login.tsx) → browser/login.ts, with StaffWord. */
export type LoginWord = 'wrong';

/** /staff/antrean (staff/antrean.tsx) → browser/antrean.ts, with StaffWord. */
export type AntreanWord =
  | 'st_waiting'
  | 'st_called'
  | 'st_serving'
  | 'st_done'
  | 'st_skipped'
  | 'st_no_show'
  | 'call'
  | 'recall'
  | 'skip'
  | 'noShow'
  | 'finish'
  | 'transfer'
  | 'attach'
  | 'attached'
  | 'anon'
  | 'phone'
  | 'desk'
  | 'calledTo'
  | 'nobody'
  | 'done'
  | 'transferTo'
  | 'cancel'
  | 'confirmNoShow'
  | 'pickFor'
  | 'pickWalkin'
  | 'choose'
  | 'noResults'
  | 'nikBad'
  | 'jknBad'
  | 'idNeeded'
  | 'registered'
  | 'exists'
  | 'useExisting'
  | 'walkinDone'
  | 'selected'
  | 'clear'
  | 'waitingN'
  | 'calledN'
  | 'doneN'
  | 'born'
  | 'nik_not_16_digits'
  | 'nik_unknown_province'
  | 'nik_invalid_region'
  | 'nik_invalid_birth_date'
  | 'nik_invalid_serial'
  | 'nik_sex_mismatch'
  | 'nik_birth_date_mismatch'
  | 'birth_future';

/** /staff/admin (staff/admin.tsx) → browser/admin.ts, with StaffWord (`syncOffline`: the link's state; `offline` stays the network error). */
export type AdminWord = 'syncOffline' | 'created' | 'active' | 'inactive' | 'never' | 'delivered' | 'pending' | 'parked' | 'connected' | 'notEnrolled' | 'resend' | 'lastError';

/** /staff/farmasi (clinical.tsx) → browser/farmasi.ts, with StaffWord. */
export type FarmasiWord =
  | 'dispense'
  | 'pickUp'
  | 'dispensed'
  | 'pickedUp'
  | 'by'
  | 'stock'
  | 'short'
  | 'total'
  | 'noTicket'
  | 'receive'
  | 'adjust'
  | 'received'
  | 'qty'
  | 'delta'
  | 'reason'
  | 'cancel'
  | 'save'
  | 'days'
  | 'owed'
  | 'dispensePartial'
  | 'dispensedPartly'
  | 'dispenseOwed'
  | 'dispensedOwed';

/** The saved call quality (call-quality.tsx `callQualityStrings`) → browser/call-quality.ts. */
export type CallQualityWord =
  | 'cq_quality'
  | 'cq_good'
  | 'cq_fair'
  | 'cq_poor'
  | 'cq_none'
  | 'cq_ended'
  | 'cq_end_hangup'
  | 'cq_end_withdrawn'
  | 'cq_end_left'
  | 'cq_end_encounter_closed'
  | 'cq_end_failed'
  | 'cq_end_shutdown'
  | 'cq_end_replaced'
  | 'cq_dur_ms'
  | 'cq_dur_s'
  | 'cq_patient'
  | 'cq_doctor'
  | 'cq_up'
  | 'cq_down'
  | 'cq_loss'
  | 'cq_lossMax'
  | 'cq_cap'
  | 'cq_video'
  | 'cq_audioOnly'
  | 'cq_connected'
  | 'cq_chart'
  | 'cq_figures'
  | 'cq_f_upKbps'
  | 'cq_f_downKbps'
  | 'cq_f_upLoss'
  | 'cq_f_downLoss'
  | 'cq_f_jitter'
  | 'cq_f_rtt'
  | 'cq_f_samples'
  | 'cq_f_packets'
  | 'cq_f_frames'
  | 'cq_f_decoded'
  | 'cq_f_audio'
  | 'cq_keyframes'
  | 'cq_events'
  | 'cq_ev_connected'
  | 'cq_ev_video'
  | 'cq_ev_audio-only'
  | 'cq_ev_closed';

/** The call, both sides (consultation.tsx `consultationStrings`) → browser/call.ts. */
export type ConsultationWord =
  | 'c_waitingConsent'
  | 'c_connecting'
  | 'c_connected'
  | 'c_waitingPeer_patient'
  | 'c_waitingPeer_doctor'
  | 'c_stopped'
  | 'c_withdrawn'
  | 'c_hangup'
  | 'c_hangupBy_patient'
  | 'c_hangupBy_doctor'
  | 'c_failed'
  | 'c_mute'
  | 'c_unmute'
  | 'c_camOff'
  | 'c_camOn'
  | 'c_audioOnly'
  | 'c_video'
  | 'c_hangupBtn'
  | 'c_restart'
  | 'c_chat'
  | 'c_send'
  | 'c_you'
  | 'c_from_patient'
  | 'c_from_doctor'
  | 'c_q_good'
  | 'c_q_fair'
  | 'c_q_poor'
  | 'c_q_none'
  | 'c_suggest'
  | 'c_suggestYes'
  | 'c_peerAudioOnly_patient'
  | 'c_peerAudioOnly_doctor'
  | 'c_peerCamOff'
  | 'c_noCamera'
  | 'c_insecure'
  | 'c_offline'
  | 'c_noRecord';

/** /staff/pemeriksaan (clinical.tsx) → browser/pemeriksaan.ts, with StaffWord and CallQualityWord. */
export type PemeriksaanWord =
  | 'noHospitals'
  | 'st_waiting'
  | 'st_called'
  | 'st_serving'
  | 'st_skipped'
  | 'open'
  | 'resume'
  | 'noPatient'
  | 'primary'
  | 'secondary'
  | 'remove'
  | 'makePrimary'
  | 'add'
  | 'stock'
  | 'outOfStock'
  | 'savedAt'
  | 'conflict'
  | 'closed'
  | 'issuedRx'
  | 'issuedRef'
  | 'rxEmpty'
  | 'printLetter'
  | 'consentNone'
  | 'consentOk'
  | 'viaPhone'
  | 'viaVerbal'
  | 'confirmClose'
  | 'nobody'
  | 'chooseHospital'
  | 'm_in_person'
  | 'm_audio_visual'
  | 'm_audio_only'
  | 'm_chat'
  | 'days'
  | 'ps_issued'
  | 'ps_dispensed'
  | 'ps_picked_up'
  | 'rs_draft'
  | 'rs_issued'
  | 'rs_sent'
  | 'rs_accepted'
  | 'rs_scheduled'
  | 'rs_rejected'
  | 'rs_used'
  | 'rs_expired'
  | 'emergency'
  | 'calledTo'
  | 'rxOverStock'
  | 'owed'
  | WhoWord
  | HistoryWord;

/** Who a patient is, in a queue row or a visit header (browser/who.ts): the examination page and the nurse's board. */
export type WhoWord = 'whoAge' | 'whoNik' | 'whoNoNik' | 'whoAllergies' | 'male' | 'female';

/** The nurse's triage form on /staff/antrean (staff/antrean.tsx) → browser/antrean.ts. */
export type TriageWord = 'vitals' | 'triageFor' | 'triageSaved';

/** The patient's history and triage vitals in the visit (clinical.tsx `historyStrings`) → browser/history.ts. */
export type HistoryWord =
  | 'histNone'
  | 'histVisitLine'
  | 'histNoRefs'
  | 'histNoAllergies'
  | 'histAllergy'
  | 'histScheduled'
  | 'histAnswer'
  | 'histNoChart'
  | 'histBp'
  | 'histDate'
  | 'triageBy'
  | 'systolic'
  | 'diastolic'
  | 'weight'
  | 'pulse'
  | 'respiratoryRate'
  | 'temperature'
  | 'spo2'
  | 'height';

/** /t/:token (patient.tsx `ticketStrings`) → browser/ticket.ts, with ConsultationWord. */
export type TicketWord =
  | 'st_waiting'
  | 'st_called'
  | 'st_serving'
  | 'st_done'
  | 'st_skipped'
  | 'st_no_show'
  | 'calledGo'
  | 'ahead'
  | 'aheadNone'
  | 'minutes'
  | 'minutesNone'
  | 'connOn'
  | 'connOff'
  | 'expired'
  | 'soundOn'
  | 'noDocs'
  | 'docsError'
  | 'prescription'
  | 'ps_issued'
  | 'ps_dispensed'
  | 'ps_picked_up'
  | 'days'
  | 'referral'
  | 'emergency'
  | 'validUntil'
  | 'openLetter'
  | 'rs_draft'
  | 'rs_issued'
  | 'rs_sent'
  | 'rs_accepted'
  | 'rs_scheduled'
  | 'rs_rejected'
  | 'rs_used'
  | 'rs_expired'
  | 'consentAsk'
  | 'consentAskAudio'
  | 'consentWhat'
  | 'consentYes'
  | 'consentGiven'
  | 'consentVerbal'
  | 'consentWithdraw'
  | 'scheduled';

/** A page's words: every key its script may read. */
export type PageWords<K extends string> = Record<K, string>;

/** /staff/laporan (office/report.tsx) → browser/laporan.ts. */
export type ReportWord = 'rep_taken' | 'csv_served' | 'rep_hour' | 'rep_day';

/** /staff/akun (office/accounts.tsx) → browser/akun.ts, with StaffWord. */
export type AccountsWord =
  | 'created'
  | 'active'
  | 'inactive'
  | 'doctor'
  | 'nurse'
  | 'pharmacist'
  | 'acc_midwife'
  | 'acc_deactivate'
  | 'acc_activate'
  | 'acc_confirmDeactivate'
  | 'acc_yesDeactivate'
  | 'acc_resetPassword'
  | 'acc_confirmReset'
  | 'acc_yesReset'
  | 'acc_tempShown'
  | 'acc_tempOnce'
  | 'acc_deactivated'
  | 'acc_activated'
  | 'acc_mustChange'
  | 'acc_you'
  | 'cancel';

/** /staff/kata-sandi (office/password.tsx) → browser/katasandi.ts, with StaffWord. */
export type PasswordWord = 'pw_mismatch' | 'pw_done';

/** /staff/pasien and /staff/pasien/:id (office/patient-details.tsx) → browser/pasien.ts, with StaffWord. */
export type PatientDetailsWord =
  | 'pat_none'
  | 'pat_saved'
  | 'pat_nothingChanged'
  | 'choose'
  | 'pat_keepWhich'
  | 'pat_keepThis'
  | 'pat_keepOther'
  | 'pat_mergeConfirm'
  | 'pat_mergeDo'
  | 'pat_open'
  | 'born'
  | 'cancel';

/** /staff/audit (office/audit.tsx) → browser/audit.ts, with StaffWord. */
export type AuditWord = 'auditRangeReversed' | 'aud_patientShort';

/** /staff/karcis (office/printed-ticket.tsx) → browser/karcis.ts, with StaffWord. */
export type PrintedTicketWord = 'kar_take';
