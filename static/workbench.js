// Keyboard review and small conveniences. Everything also works without JavaScript.
(function () {
  "use strict";

  function typing(event) {
    const el = event.target;
    return el.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(el.tagName);
  }

  function items() { return Array.from(document.querySelectorAll("#claim-items .claim-item")); }

  function select(item) {
    if (!item) return;
    items().forEach((li) => li.classList.toggle("selected", li === item));
    item.scrollIntoView({ block: "nearest" });
    const link = item.querySelector("a");
    if (link) link.click();
    highlight(item.dataset.claim);
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
    select(list[next]);
  }

  function press(shortcut) {
    const el = document.querySelector(`#panel [data-shortcut="${shortcut}"]`);
    if (!el) return;
    if (shortcut === "e") {
      const details = el.closest("details");
      details.open = true;
      details.querySelector("input[type=search], input[type=url]").focus();
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
    const mark = event.target.closest("mark.hl");
    if (mark) select(document.getElementById(`claim-${mark.dataset.claim}`) || null);
    const all = event.target.closest("[data-check-all]");
    if (all) document.querySelectorAll('input[name="ids"]').forEach((box) => { box.checked = all.checked; });
    if (event.target.closest("[data-print]")) window.print();
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
})();
