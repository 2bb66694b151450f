// The print page's "Print" button (no inline handlers: the CSP allows only these files).
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) window.print();
});
