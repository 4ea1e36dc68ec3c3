// Print buttons (the entrance poster's #print, the referral letter's [data-print]): a listener
// here, since the pages' CSP runs no inline script.
for (const b of [document.getElementById('print'), document.querySelector('[data-print]')]) {
  if (b) b.addEventListener('click', () => window.print());
}
