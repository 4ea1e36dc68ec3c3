import { format, words, type Lang } from '../../words/index.ts';
import type { ReferenceDataStatus } from '../../clinic/reference-data.ts';

/**
 * The admin page's card on the district's lists. A production box starts with none: it says so in
 * words a nurse understands, and says how each arrives.
 */
export function ReferenceDataCard({ lang, s }: { lang: Lang; s: ReferenceDataStatus }) {
  const w = words(lang);
  return (
    <section class="card" data-testid="reference-data">
      <h2 style="margin-top:0">{w.rd_title}</h2>
      {s.hospitals === 0 ? (
        <div class="msg err" role="alert" data-testid="no-hospitals">
          {w.rd_noHospitals}
        </div>
      ) : (
        <p data-testid="hospitals-count">{format(w.rd_hospitals, { n: s.hospitals, v: s.hospitalListVersion })}</p>
      )}
      <p data-testid="formulary-count">{format(w.rd_formulary, { n: s.medicines, k: s.medicinesInStock, v: s.formularyVersion })}</p>
      <p class="small muted">{w.rd_howArrive}</p>
    </section>
  );
}
