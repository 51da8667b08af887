// Deelwijzer pages: the only script. The pages work without it; it adds "open all / close all" to
// the explanation trees, a print button, and opens every <details> while printing in browsers that
// lack the print stylesheet's ::details-content rule.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const setAll = (open) => document.querySelectorAll("main details").forEach((d) => { d.open = open; });

  document.querySelectorAll(".tree-tools").forEach((tools) => {
    tools.hidden = false;
    tools.querySelector(".expand-all").addEventListener("click", () => setAll(true));
    tools.querySelector(".collapse-all").addEventListener("click", () => setAll(false));
  });

  document.querySelectorAll(".print-button").forEach((button) => {
    button.hidden = false;
    button.addEventListener("click", () => window.print());
  });

  // Remember which were closed, open all for printing, and restore afterwards.
  let closed = [];
  window.addEventListener("beforeprint", () => {
    closed = Array.from(document.querySelectorAll("details:not([open])"));
    closed.forEach((d) => { d.open = true; });
  });
  window.addEventListener("afterprint", () => {
    closed.forEach((d) => { d.open = false; });
    closed = [];
  });
});
