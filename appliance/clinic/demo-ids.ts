/** Fixed ids of the demo data, so that the API's documented examples work against `npm start`. */
export const demoIds = {
  patient: '0b6f1d1e-5a4e-4d8e-9a51-6f0c2b9d0001',
  ticketToken: 'demo-tiket-pasien-0001-aaaaaaaaaaaa',
  ticket: '0b6f1d1e-5a4e-4d8e-9a51-6f0c2b9d0101',
  encounter: '0b6f1d1e-5a4e-4d8e-9a51-6f0c2b9d0201',
  formularyParacetamol: '0b6f1d1e-5a4e-4d8e-9a51-6f0c2b9d0301',
  hospital: '0112R001',
  prescription: '0b6f1d1e-5a4e-4d8e-9a51-6f0c2b9d0401',
  referral: '0b6f1d1e-5a4e-4d8e-9a51-6f0c2b9d0501',
  /** The demo midwife's account: the staff-account examples act on it. */
  staffExample: '0b6f1d1e-5a4e-4d8e-9a51-6f0c2b9d0601',
  /** A second record of the demo patient's, made at the desk by mistake: the merge example. */
  patientDuplicate: '0b6f1d1e-5a4e-4d8e-9a51-6f0c2b9d0002',
  allergy: '0b6f1d1e-5a4e-4d8e-9a51-6f0c2b9d0701',
  /** Tickets in a state where each queue action's documented example works. */
  queueExamples: {
    skip: '0b6f1d1e-5a4e-4d8e-9a51-6f0c2b9d0111',
    noShow: '0b6f1d1e-5a4e-4d8e-9a51-6f0c2b9d0112',
    transfer: '0b6f1d1e-5a4e-4d8e-9a51-6f0c2b9d0113',
    finish: '0b6f1d1e-5a4e-4d8e-9a51-6f0c2b9d0114',
  },
} as const;
