// /staff/laporan: the numbers taken and served per hour (a day) or per day (a range), drawn with
// uPlot (bundled here, served by the box). The tables are the server's; this only adds the chart
// and the print button.
import uPlot from 'uplot';
import type { ReportWord } from '../../../words/page-words.ts';
import type { ClinicReportAnswer } from '../../schemas/reports.ts';
import { $ } from './dom.ts';
import { pageData, pageWords } from './island.ts';
import { staffPage } from './staff.ts';

const t = pageWords<ReportWord>();
staffPage();

const printButton = $('#print');
if (printButton) printButton.addEventListener('click', () => window.print());

const series = pageData<{ series: ClinicReportAnswer['series'] | null }>().series;
const box = $('#chart');
if (series && box) {
  const labels = series.points.map((p) => (series.unit === 'hour' ? p.at + ':00' : p.at.slice(8) + '/' + p.at.slice(5, 7)));
  const xs = series.points.map((_, i) => i);
  const width = () => Math.max(280, box.clientWidth);
  const bars = uPlot.paths.bars ? uPlot.paths.bars({ size: [0.7, 40] }) : undefined;
  const plot = new uPlot(
    {
      width: width(),
      height: 220,
      scales: { x: { time: false }, y: { range: (_u, _min, max) => [0, Math.max(4, max)] } },
      axes: [
        { values: (_u, ticks) => ticks.map((i) => labels[i] ?? ''), incrs: [1, 2, 3, 4, 6, 7, 12] },
        { values: (_u, ticks) => ticks.map((v) => (Number.isInteger(v) ? String(v) : '')) },
      ],
      legend: { show: true },
      series: [
        { label: series.unit === 'hour' ? t('rep_hour') : t('rep_day'), value: (_u, i) => (i == null ? '' : (labels[i] ?? '')) },
        { label: t('rep_taken'), stroke: '#0a4f8f', fill: 'rgba(10,79,143,0.25)', paths: bars, points: { show: false } },
        { label: t('csv_served'), stroke: '#176b2c', width: 2 },
      ],
    },
    [xs, series.points.map((p) => p.taken), series.points.map((p) => p.served)],
    box,
  );
  box.setAttribute('data-ready', '1');
  window.addEventListener('resize', () => plot.setSize({ width: width(), height: 220 }));
  // The printed page is narrower than a tablet: redraw to the paper's width before printing.
  window.addEventListener('beforeprint', () => plot.setSize({ width: 640, height: 200 }));
  window.addEventListener('afterprint', () => plot.setSize({ width: width(), height: 220 }));
}
