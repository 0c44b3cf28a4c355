// Progress and protection against double submits: a form that is being sent
// disables its submit buttons and says so. No inline script (the CSP forbids it).
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || form.dataset.noBusy !== undefined) {
      return;
    }
    if (form.dataset.submitting === "true") {
      event.preventDefault();
      return;
    }
    form.dataset.submitting = "true";
    var buttons = form.querySelectorAll("button[type=submit], input[type=submit]");
    buttons.forEach(function (button) {
      button.setAttribute("aria-busy", "true");
      if (button.tagName === "BUTTON" && button.dataset.busyText) {
        button.textContent = button.dataset.busyText;
      }
    });
    // Buttons are disabled after the browser has read the clicked button's value.
    window.setTimeout(function () {
      buttons.forEach(function (button) { button.disabled = true; });
    }, 0);
  });
  // Coming back with the browser's back button shows a usable form again.
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) {
      document.querySelectorAll("form[data-submitting]").forEach(function (form) {
        delete form.dataset.submitting;
        form.querySelectorAll("[aria-busy]").forEach(function (button) {
          button.disabled = false;
          button.removeAttribute("aria-busy");
        });
      });
    }
  });
})();

// A print button on the print page.
document.addEventListener("click", function (event) {
  var target = event.target instanceof Element ? event.target.closest("[data-print]") : null;
  if (target) {
    window.print();
  }
});

// Protected identity: hide the identifying fields, which are not stored anyway.
(function () {
  "use strict";
  var toggle = document.querySelector("input[name$='protected_identity']");
  if (!toggle) {
    return;
  }
  var pseudonym = document.querySelector("input[name$='pseudonym']");
  function wrapper(input) {
    return input.closest(".mb-3") || input.parentElement;
  }
  function update() {
    var isProtected = toggle.checked;
    document.querySelectorAll("[data-identifying]").forEach(function (input) {
      wrapper(input).hidden = isProtected;
    });
    if (pseudonym) {
      wrapper(pseudonym).hidden = !isProtected;
    }
  }
  toggle.addEventListener("change", update);
  update();
})();

// Consent rows: a party's fields show once its "register" box is ticked. They
// follow the box, so Tab goes from the box into them. Without script all show.
(function () {
  "use strict";
  document.querySelectorAll("[data-consent-row]").forEach(function (row) {
    var box = row.querySelector("input[type=checkbox][name$='-include']");
    var fields = row.querySelector("[data-consent-fields]");
    if (!box || !fields) {
      return;
    }
    function update() {
      fields.hidden = !box.checked;
    }
    box.addEventListener("change", update);
    update();
  });
})();

// After a refused submit, move focus to the summary of what needs fixing, or to
// the question that must be answered before saving.
(function () {
  "use strict";
  var summary = document.querySelector("[data-error-summary], [data-confirm-step]");
  if (summary) {
    summary.focus();
  }
})();

// Tables shown as cards on a phone (.table-cards) are no longer displayed as
// tables, and some browsers then drop their table semantics: the explicit
// roles keep rows, column headers and cells for screen readers.
(function () {
  "use strict";
  document.querySelectorAll("table.table-cards").forEach(function (table) {
    table.setAttribute("role", "table");
    table.querySelectorAll(":scope > thead, :scope > tbody").forEach(function (group) {
      group.setAttribute("role", "rowgroup");
    });
    table.querySelectorAll(":scope > thead > tr, :scope > tbody > tr").forEach(function (row) {
      row.setAttribute("role", "row");
      Array.prototype.forEach.call(row.children, function (cell) {
        if (cell.tagName === "TD") {
          cell.setAttribute("role", "cell");
        } else if (cell.tagName === "TH") {
          cell.setAttribute("role", cell.getAttribute("scope") === "row" ? "rowheader" : "columnheader");
        }
      });
    });
  });
})();
