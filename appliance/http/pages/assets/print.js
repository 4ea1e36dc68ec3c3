// The referral letter's print button: a listener here, since the pages' CSP runs no inline script.
var printButton = document.querySelector('[data-print]');
if (printButton) printButton.addEventListener('click', function () { window.print(); });
