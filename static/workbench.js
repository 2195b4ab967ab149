// Keyboard review and small conveniences. Everything also works without JavaScript.
(function () {
  "use strict";

  function typing(event) {
    const el = event.target;
    return el.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(el.tagName);
  }

  function items() { return Array.from(document.querySelectorAll("#claim-items .claim-item")); }

  // Say something to screen readers (the visually hidden live region in base.html).
  function announce(text) {
    const region = document.getElementById("announce");
    if (region) region.textContent = text;
  }

  function select(item, how) {
    if (!item) return;
    const list = items();
    list.forEach((li) => li.classList.toggle("selected", li === item));
    item.scrollIntoView({ block: "nearest" });
    const link = item.querySelector("a");
    if (link) link.click();
    highlight(item.dataset.claim);
    if (how === "keyboard") {
      const text = item.querySelector(".claim-text");
      announce(`Claim ${list.indexOf(item) + 1} of ${list.length}: ${text ? text.textContent : ""}`);
    }
  }

  // A claim picked in the text (a highlight, or a faded repeat of an earlier sentence):
  // its list row if it is listed, else its panel on its own.
  function open(id) {
    const item = document.getElementById(`claim-${id}`);
    if (item && item.classList.contains("claim-item")) return select(item);
    const url = new URL(window.location.href);
    url.searchParams.set("claim", id);
    htmx.ajax("GET", `/claims/${id}/`, { target: "#panel", swap: "outerHTML" }).then(() => {
      window.history.pushState({}, "", url);
      highlight(String(id));
    });
  }

  function highlight(id) {
    document.querySelectorAll("mark.hl").forEach((m) => m.classList.toggle("active", m.dataset.claim === id));
    const first = document.querySelector(`mark.hl[data-claim="${id}"]`);
    if (first) first.scrollIntoView({ block: "nearest" });
  }

  function move(step) {
    const list = items();
    if (!list.length) return;
    const current = list.findIndex((li) => li.classList.contains("selected"));
    const next = current < 0 ? 0 : Math.min(list.length - 1, Math.max(0, current + step));
    select(list[next], "keyboard");
  }

  // A shortcut acts on its element in the panel: a message is shown and announced (`c`
  // on a confirmed claim: nothing is sent), a <summary> opens its form and focuses its
  // first field (`e`, and `u` on a confirmed claim: the form asks why), a button is clicked.
  function press(shortcut) {
    const el = document.querySelector(`#panel [data-shortcut="${shortcut}"]`);
    if (!el) return;
    if (el.hasAttribute("data-shortcut-says")) {
      el.hidden = false;
      announce(el.textContent.trim());
    } else if (el.tagName === "SUMMARY") {
      const details = el.closest("details");
      details.open = true;
      const field = details.querySelector("[data-focus], input[type=search], input[type=url]");
      if (field) field.focus();
    } else {
      el.click();
    }
  }

  document.addEventListener("keydown", (event) => {
    if (typing(event) || event.ctrlKey || event.metaKey || event.altKey) return;
    const dialog = document.getElementById("shortcuts");
    if (!dialog) return;
    const actions = { j: () => move(1), k: () => move(-1), c: () => press("c"), u: () => press("u"), e: () => press("e") };
    if (event.key === "?") {
      dialog.open ? dialog.close() : dialog.showModal();
    } else if (actions[event.key]) {
      event.preventDefault();
      actions[event.key]();
    }
  });

  document.addEventListener("click", (event) => {
    const toggle = event.target.closest("[data-shortcuts-toggle]");
    if (toggle) document.getElementById("shortcuts").showModal();
    const picked = event.target.closest("mark.hl, .repeat[data-claim]");
    if (picked) open(picked.dataset.claim);
    const all = event.target.closest("[data-check-all]");
    if (all) document.querySelectorAll('input[name="ids"]').forEach((box) => { box.checked = all.checked; });
    if (event.target.closest("[data-print]")) window.print();
    const close = event.target.closest("[data-panel-close]");
    if (close) {
      event.preventDefault();
      const panel = document.getElementById("panel");
      panel.classList.remove("has-claim");
      const selected = document.querySelector("#claim-items .claim-item.selected a");
      if (selected) selected.focus();
      announce("Claim panel closed");
    }
  });

  // Bulk actions on every matching claim say how many before they run.
  document.addEventListener("submit", (event) => {
    const form = event.target;
    const everything = form.querySelector("[data-all-matching]");
    if (!everything || !everything.checked) return;
    const action = form.querySelector("[name=action]");
    const what = action ? action.options[action.selectedIndex].text : "this action";
    const count = Number(everything.dataset.count);
    const claims = "capped" in everything.dataset
      ? `all the claims (more than ${count})`
      : count === 1 ? "the 1 claim" : `all ${count} claims`;
    if (!window.confirm(`${what}: apply to ${claims} matching the filters?`)) {
      event.preventDefault();
    }
  });

  // A new panel: its header in view (the sheet on narrow screens scrolls itself), and
  // after an action, that action's result next to its control.
  document.body.addEventListener("htmx:afterSwap", (event) => {
    const panel = document.getElementById("panel");
    if (!panel || !panel.classList.contains("has-claim")) return;
    if (event.detail.target !== panel && event.detail.target.id !== "panel") return;
    const result = panel.querySelector(".result");
    if (result) {
      result.scrollIntoView({ block: "nearest" });
    } else {
      panel.scrollTop = 0;
      panel.scrollIntoView({ block: "nearest" });
    }
  });

  // A status or evidence change recolours the claim's highlights in the text.
  document.body.addEventListener("claim-changed", (event) => {
    const { id, status, contradicted } = event.detail;
    document.querySelectorAll(`mark.hl[data-claim="${id}"]`).forEach((mark) => {
      mark.classList.remove("status-confirmed", "status-unconfirmed", "status-needs_rereview");
      mark.classList.add(`status-${status}`);
      mark.classList.toggle("contradicted", Boolean(contradicted));
    });
  });
})();

// Creating a claim from a text selection: map the selection back to offsets in the
// stored text (each segment carries its start offset) and fill the form.
(function () {
  "use strict";
  function offset(node, within) {
    const el = node.nodeType === Node.TEXT_NODE ? node.parentElement : node;
    const segment = el && el.closest("[data-start]");
    return segment ? Number(segment.dataset.start) + within : null;
  }
  document.addEventListener("selectionchange", () => {
    const form = document.getElementById("selection-form");
    const body = document.getElementById("body-text");
    const selection = document.getSelection();
    if (!form || !body || !selection || selection.isCollapsed) return;
    const range = selection.getRangeAt(0);
    if (!body.contains(range.commonAncestorContainer)) return;
    const start = offset(range.startContainer, range.startOffset);
    const end = offset(range.endContainer, range.endOffset);
    if (start === null || end === null || end <= start) return;
    form.querySelector("[name=start]").value = start;
    form.querySelector("[name=end]").value = end;
  });

  // The new-article form's one-time key outlives "back": browsers fetch the form again
  // (with a new key) but keep this history entry's state, so the key is kept there and
  // a second send of the same form opens the article the first one made.
  const submissionKey = document.querySelector("input[name=submission_key]");
  if (submissionKey) {
    const state = history.state || {};
    if (state.submissionKey) submissionKey.value = state.submissionKey;
    else history.replaceState({ ...state, submissionKey: submissionKey.value }, "");
  }
})();

// Phone layout (issue 31): a block marked data-open-wide (the claim list's filters) is
// open beside the results on a wide screen, and folded above them on a narrow one. The
// width is the stylesheet's: under 1101 px the list has one column.
(function () {
  "use strict";
  const wide = window.matchMedia("(min-width: 1101px)");
  function fit() {
    document.querySelectorAll("details[data-open-wide]").forEach((box) => { box.open = wide.matches; });
  }
  fit();
  wide.addEventListener("change", fit);

  // Folded, the block still says how many filters are on.
  function count(box, form) {
    return Array.from(form.elements).filter((el) => {
      if (el.type === "hidden" || el.type === "submit" || !el.name || !box.contains(el)) return false;
      if (el.type === "checkbox" || el.type === "radio") return el.checked;
      return el.value !== "";
    }).length;
  }
  document.querySelectorAll("details[data-open-wide]").forEach((box) => {
    const form = box.querySelector("form");
    const shown = box.querySelector("[data-filter-count]");
    if (!form || !shown) return;
    const say = () => {
      const n = count(box, form);
      shown.textContent = n ? `(${n} on)` : "";
    };
    say();
    form.addEventListener("change", say);
    form.addEventListener("input", say);
  });
})();
