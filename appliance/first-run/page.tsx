/**
 * The first-run page a technician sees on a new production box: the first admin account and the
 * box's enrolment (hub address and claim code). A plain HTML form that works without JavaScript;
 * Bahasa Indonesia first, English beside it in smaller type.
 */
import type { FC } from 'hono/jsx';
import { type WordKey, words } from '../words/index.ts';

const id = words('id');
const en = words('en');

export interface FirstRunView {
  facilityCode: string;
  /** What was typed (never the password), to fill the form again after a refusal. */
  values?: { username?: string; fullName?: string; hubUrl?: string; claimCode?: string };
  /** Why the last attempt was refused: [Indonesian, English]. */
  errors?: [string, string][];
  done?: boolean;
}

const Field: FC<{ name: string; word: WordKey; type?: string; value?: string; hint?: string }> = (p) => (
  <p>
    <label for={p.name}>
      {id[p.word]} <small lang="en">/ {en[p.word]}</small>
    </label>
    <br />
    <input id={p.name} name={p.name} type={p.type ?? 'text'} value={p.value ?? ''} required autocomplete="off" />
    {p.hint ? (
      <>
        <br />
        <small>{p.hint}</small>
      </>
    ) : null}
  </p>
);

export const FirstRunPage: FC<FirstRunView> = (v) => (
  <html lang="id">
    <head>
      <meta charset="utf-8" />
      <meta name="viewport" content="width=device-width, initial-scale=1" />
      <title>Simpul — penyiapan pertama</title>
      <style>
        {
          'body{font-family:sans-serif;max-width:36rem;margin:1rem auto;padding:0 1rem}input{width:100%;padding:.4rem;font-size:1rem}.err{color:#a00}button{font-size:1.1rem;padding:.5rem 1rem}'
        }
      </style>
    </head>
    <body>
      <h1>
        {id.fr_heading} <small lang="en">/ {en.fr_heading}</small>
      </h1>
      {v.done ? (
        <p id="done">
          {id.fr_done} <small lang="en">{en.fr_done}</small>
        </p>
      ) : (
        <form method="post" action="/">
          <p>
            {id.fr_facility} <small lang="en">/ {en.fr_facility}</small>: <strong id="facility">{v.facilityCode}</strong>
          </p>
          {v.errors?.length ? (
            <ul class="err" id="errors">
              {v.errors.map(([inId, inEn]) => (
                <li>
                  {inId} <small lang="en">{inEn}</small>
                </li>
              ))}
            </ul>
          ) : null}
          <h2>
            {id.fr_firstAdmin} <small lang="en">/ {en.fr_firstAdmin}</small>
          </h2>
          <Field name="username" word="username" value={v.values?.username} hint="huruf kecil, angka, . _ - (3–32)" />
          <Field name="fullName" word="fullName" value={v.values?.fullName} />
          <Field name="password" word="fr_passwordMin" type="password" />
          <h2>
            {id.fr_enrolment} <small lang="en">/ {en.fr_enrolment}</small>
          </h2>
          <Field name="hubUrl" word="fr_hubUrl" value={v.values?.hubUrl} hint="mis. https://simpul.dinkes.example" />
          <Field name="claimCode" word="fr_claimCode" value={v.values?.claimCode} hint="16 huruf/angka dari dinas kesehatan, mis. ABCD-EFGH-JKMN-PQRS" />
          <button type="submit">
            {id.fr_submit} <small lang="en">/ {en.fr_submit}</small>
          </button>
        </form>
      )}
    </body>
  </html>
);
