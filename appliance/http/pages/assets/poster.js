var p = document.getElementById('print');
if (p) p.addEventListener('click', function () { window.print(); });
