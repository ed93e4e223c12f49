// The record of decision's "Print" button: shown only where scripts run, since it needs one.
document.querySelectorAll("[data-print]").forEach((button) => {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
});
