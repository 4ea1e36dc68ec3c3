/**
 * Issue 17, the printed ticket for patients without phones, in Chromium on a production box (no
 * demo seed): the desk takes a number and gets a ticket with the number, poli, time and a QR code
 * (made on the box by a pure-JS encoder) that leads a phone to the ticket's live page later. Each
 * layout — A5 for an ordinary printer, 80 mm and 58 mm for receipt printers — renders to a
 * one-page PDF of its paper size. axe-core: no serious or critical violation. Screenshots and the
 * PDFs in test-artifacts/office/ticket/.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { officeArtifacts, seriousA11y, startOfficeBox, type OfficeBox } from './support/office-box.ts';

let o: OfficeBox;

beforeAll(async () => {
  o = await startOfficeBox('ticket');
  await o.account('ners.sari', 'Sari Wulandari', 'nurse');
}, 120_000);
afterAll(async () => {
  await o?.close();
}, 60_000);

/** Pages in a PDF: its page objects (`/Type /Page`, not `/Pages`). */
const pdfPages = (pdf: Buffer) => (pdf.toString('latin1').match(/\/Type\s*\/Page(?![s\w])/g) ?? []).length;
/** The first page's size in mm, from its MediaBox (points). */
const pdfSizeMm = (pdf: Buffer) => {
  const m = /\/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]/.exec(pdf.toString('latin1'))!;
  return [Math.round((Number(m[1]) * 25.4) / 72), Math.round((Number(m[2]) * 25.4) / 72)];
};

describe('the printed ticket', () => {
  it('the desk takes a number and prints it; A5, 80 mm and 58 mm each fit one page', async () => {
    const page = await o.login('ners.sari');
    await page.goto(`${o.box.url}/staff/karcis`);
    expect(await seriousA11y(page)).toEqual([]);
    await page.getByTestId('karcis-poli').selectOption('gigi');
    await page.getByTestId('karcis-take').click();
    await page.waitForURL(/\/staff\/karcis\/[A-Za-z0-9_-]{20,}\?layout=a5$/);
    expect(await page.getByTestId('karcis-label').innerText()).toBe('B-001');
    expect(await page.getByTestId('karcis-poli-name').innerText()).toBe('Poli Gigi');
    expect(await page.getByTestId('karcis-time').innerText()).toMatch(/^Diambil \d{1,2} \w+ \d{4}, pukul \d{2}[.:]\d{2}$/);
    expect(await page.getByTestId('karcis-ahead').innerText()).toBe('Di depan Anda: 0 orang');
    // The QR is an SVG drawn on the box; it leads to this ticket's own page.
    expect(await page.locator('[data-testid=karcis-qr] svg path').count()).toBeGreaterThan(0);
    const token = new URL(page.url()).pathname.split('/').pop()!;
    const phone = await o.newPage('phone');
    const res = await phone.goto(`${o.box.url}/t/${token}`);
    expect(res!.status()).toBe(200);
    expect(await phone.locator('body').innerText()).toContain('B-001');
    await o.shot(page, 'a5-screen');
    expect(await seriousA11y(page)).toEqual([]);

    const expected: Record<string, [number, number]> = { a5: [148, 210], r80: [80, 140], r58: [58, 150] };
    for (const layout of ['a5', 'r80', 'r58']) {
      await page.getByTestId(`layout-${layout}`).click();
      await page.waitForURL(new RegExp(`layout=${layout}$`));
      expect(await page.getByTestId('karcis').getAttribute('data-layout')).toBe(layout);
      await page.emulateMedia({ media: 'print' });
      expect(await page.getByTestId('karcis-print').isVisible()).toBe(false);
      const pdf = await page.pdf({ preferCSSPageSize: true, printBackground: true });
      writeFileSync(join(officeArtifacts, 'ticket', `karcis-${layout}.pdf`), pdf);
      expect(pdfPages(pdf), layout).toBe(1);
      expect(pdfSizeMm(pdf), layout).toEqual(expected[layout]);
      await page.emulateMedia({ media: 'screen' });
    }
    expect(o.problems).toEqual([]);
  }, 120_000);

  it('an unknown ticket says so and offers nothing to print', async () => {
    const page = await o.login('ners.sari');
    const res = await page.goto(`${o.box.url}/staff/karcis/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA`);
    expect(res!.status()).toBe(404);
    expect(await page.getByTestId('karcis-unknown').innerText()).toMatch(/Ambil nomor baru/);
  }, 60_000);
  it('a walk-in ticket made on the desk board links to its printed ticket, to print at once', async () => {
    // The unknown ticket's 404 above is expected; this test's own pages add no problem.
    const before = o.problems.length;
    const board = await o.login('ners.sari');
    await board.goto(`${o.box.url}/staff/antrean`);
    await board.getByTestId('walkin-poli').selectOption('kia');
    await board.getByTestId('walkin-submit').click();
    await board.getByTestId('walkin-result').waitFor();
    const label = await board.getByTestId('walkin-label').innerText();
    expect(label).toMatch(/^C-\d{3}$/);
    const print = board.getByTestId('walkin-print');
    expect(await print.innerText()).toBe('Cetak karcis');
    const href = (await print.getAttribute('href'))!;
    expect(href).toMatch(/^\/staff\/karcis\/[A-Za-z0-9_-]{20,}$/);
    // The same ticket as the phone link beside it.
    expect(href.split('/').pop()).toBe((await board.getByTestId('walkin-link').getAttribute('href'))!.split('/').pop());
    await o.shot(board, 'desk-walkin-print-link');
    expect(await seriousA11y(board)).toEqual([]);

    const [ticket] = await Promise.all([board.context().waitForEvent('page'), print.click()]);
    await ticket.getByTestId('karcis-label').waitFor();
    expect(await ticket.getByTestId('karcis-label').innerText()).toBe(label);
    expect(await ticket.getByTestId('karcis-poli-name').innerText()).toBe('Poli KIA');
    expect(await ticket.getByTestId('karcis-print').isVisible()).toBe(true);
    await o.shot(ticket, 'desk-walkin-printed-ticket');
    expect(o.problems.slice(before)).toEqual([]);
  }, 120_000);
});
