/**
 * The first-run page a technician sees on a new production box: the first admin account and the
 * box's enrolment (hub address and claim code). A plain HTML form that works without JavaScript;
 * Bahasa Indonesia first, English beside it in smaller type.
 */
import type { FC } from 'hono/jsx';

export interface FirstRunView {
  facilityCode: string;
  /** What was typed (never the password), to fill the form again after a refusal. */
  values?: { username?: string; fullName?: string; hubUrl?: string; claimCode?: string };
  /** Why the last attempt was refused: [Indonesian, English]. */
  errors?: [string, string][];
  done?: boolean;
}

const Field: FC<{ name: string; label: string; en: string; type?: string; value?: string; hint?: string }> = (p) => (
  <p>
    <label for={p.name}>{p.label} <small lang="en">/ {p.en}</small></label>
    <br />
    <input id={p.name} name={p.name} type={p.type ?? 'text'} value={p.value ?? ''} required autocomplete="off" />
    {p.hint ? <><br /><small>{p.hint}</small></> : null}
  </p>
);

export const FirstRunPage: FC<FirstRunView> = (v) => (
  <html lang="id">
    <head>
      <meta charset="utf-8" />
      <meta name="viewport" content="width=device-width, initial-scale=1" />
      <title>Simpul — penyiapan pertama</title>
      <style>{'body{font-family:sans-serif;max-width:36rem;margin:1rem auto;padding:0 1rem}input{width:100%;padding:.4rem;font-size:1rem}.err{color:#a00}button{font-size:1.1rem;padding:.5rem 1rem}'}</style>
    </head>
    <body>
      <h1>Penyiapan pertama kotak Simpul <small lang="en">/ First start</small></h1>
      {v.done ? (
        <p id="done">Selesai. Kotak sudah terdaftar dan akun admin sudah dibuat; kotak kini dimulai. Buka kembali alamat ini sebentar lagi lalu masuk sebagai admin. <small lang="en">Done: the box is enrolled and the admin account exists; the box is starting. Open this address again in a moment and sign in as the admin.</small></p>
      ) : (
        <form method="post" action="/">
          <p>Fasilitas <small lang="en">/ facility</small>: <strong id="facility">{v.facilityCode}</strong></p>
          {v.errors?.length ? (
            <ul class="err" id="errors">{v.errors.map(([id, en]) => <li>{id} <small lang="en">{en}</small></li>)}</ul>
          ) : null}
          <h2>Akun admin pertama <small lang="en">/ First admin</small></h2>
          <Field name="username" label="Nama pengguna" en="Username" value={v.values?.username} hint="huruf kecil, angka, . _ - (3–32)" />
          <Field name="fullName" label="Nama lengkap" en="Full name" value={v.values?.fullName} />
          <Field name="password" label="Kata sandi (min. 10 karakter)" en="Password (at least 10 characters)" type="password" />
          <h2>Pendaftaran ke pusat <small lang="en">/ Enrolment with the hub</small></h2>
          <Field name="hubUrl" label="Alamat hub" en="Hub address" value={v.values?.hubUrl} hint="mis. https://simpul.dinkes.example" />
          <Field name="claimCode" label="Kode klaim" en="Claim code" value={v.values?.claimCode} hint="16 huruf/angka dari dinas kesehatan, mis. ABCD-EFGH-JKMN-PQRS" />
          <button type="submit">Simpan dan daftarkan <small lang="en">/ Save and enrol</small></button>
        </form>
      )}
    </body>
  </html>
);
