import { tr, type Lang } from '../i18n.ts';
import type { ReferenceDataStatus } from '../../clinic/reference-data.ts';

/**
 * The admin page's card on the district's lists (helper refdata; a few lines in staff.tsx render
 * it). A production box starts with none: it says so in words a nurse understands, and says how
 * each arrives.
 */
export function ReferenceDataCard({ lang, s }: { lang: Lang; s: ReferenceDataStatus }) {
  const t = (id: string, en: string) => tr(lang, id, en);
  const fill = (text: string, v: Record<string, number>) => text.replace(/\{(\w+)\}/g, (_, k: string) => String(v[k]));
  return (
    <section class="card" data-testid="reference-data">
      <h2 style="margin-top:0">{t('Daftar dari dinas kesehatan', 'Lists from the district health office')}</h2>
      {s.hospitals === 0 ? (
        <div class="msg err" role="alert" data-testid="no-hospitals">
          {t('Daftar rumah sakit rujukan belum ada di kotak ini, jadi dokter belum bisa membuat rujukan. Daftar ini dikirim dinas kesehatan lewat pusat dan datang sendiri saat kotak tersambung ke pusat. Jika kotak sudah tersambung dan daftar belum datang, hubungi petugas dinas kesehatan.',
            'This box has no list of referral hospitals yet, so doctors cannot make referrals. The district health office sends the list through the centre; it arrives by itself when the box is connected. If the box is connected and the list has not come, call the district health office.')}
        </div>
      ) : (
        <p data-testid="hospitals-count">{fill(t('Rumah sakit rujukan: {n} (daftar versi {v}).', 'Referral hospitals: {n} (list version {v}).'), { n: s.hospitals, v: s.hospitalListVersion })}</p>
      )}
      <p data-testid="formulary-count">
        {fill(t('Obat dalam formularium: {n}, {k} di antaranya ada stoknya (formularium versi {v}).', 'Medicines in the formulary: {n}, {k} of them in stock (formulary version {v}).'), { n: s.medicines, k: s.medicinesInStock, v: s.formularyVersion })}
      </p>
      <p class="small muted">
        {t('Formularium (daftar obat dengan kode KFA) juga dikirim dinas kesehatan lewat pusat. Kotak baru mulai tanpa stok: apoteker mencatat stok awal di halaman Farmasi, tombol "Terima" pada tiap obat, dari kiriman obat pertama (LPLPO). Sebelum itu resep bisa ditulis tetapi obat belum bisa diserahkan.',
          'The formulary (medicines with KFA codes) also comes from the district health office through the centre. A new box starts with no stock: the pharmacist records the first stock on the Pharmacy page, "Receive" on each medicine, from the first delivery (LPLPO). Until then prescriptions can be written but not dispensed.')}
      </p>
    </section>
  );
}
