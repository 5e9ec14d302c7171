/*
 * A searchable picker: a combobox (an input with a listbox popup) that
 * chooses one thing, or several (shown as removable chips), by name,
 * never by typing an id. Keyboard: typing searches (debounced), ArrowDown
 * and ArrowUp open the list and move, Enter chooses (toggles, when
 * several), Escape closes and restores, Backspace in an empty input
 * removes the last chip. With freeText, what is typed is the value when
 * nothing is chosen (a filter that also suggests).
 *
 *   createPicker({
 *     id, label, hint?,          the input's id and its label
 *     search(q) -> {items, more} or {error}   the options for a search
 *     describe(item) -> {key, name, detail?, tags?: [Node], title?}
 *     fixed?: [item]             offered first, always (e.g. "All accounts")
 *     multiple?, freeText?, placeholder?, onChange(value)
 *   })
 * returns {element, input, value(), set(value), focus(), disable(bool)}.
 */
import { h, showText } from "./common.js";

const DELAY_MS = 200;

export function createPicker(spec) {
  const p = {
    spec,
    multiple: spec.multiple === true,
    chosen: spec.multiple ? [] : null,  /* item(s) chosen */
    free: "",                           /* freeText: the committed text */
    options: [],
    active: -1,
    timer: 0,
    generation: 0,
    moved: false,
  };
  build(p);
  return {
    element: p.field,
    input: p.input,
    value: () => (p.multiple ? p.chosen.slice() : p.spec.freeText && !p.chosen ? p.free : p.chosen),
    set: (value) => set(p, value),
    focus: () => p.input.focus(),
    disable: (off) => {
      p.input.disabled = off;
      p.toggle.disabled = off;
      for (const b of p.chips.querySelectorAll("button")) {
        b.disabled = off;
      }
    },
  };
}

function build(p) {
  const id = p.spec.id;
  p.input = h("input", {
    id, type: "text", role: "combobox", autocomplete: "off", autocapitalize: "off", spellcheck: false,
    maxLength: 200, placeholder: p.spec.placeholder || "",
    "aria-autocomplete": "list", "aria-expanded": "false", "aria-controls": `${id}-list`,
    "aria-describedby": `${id}-hint`,
  });
  p.toggle = h("button", {
    type: "button", className: "combo-toggle", tabIndex: -1, "aria-label": `Show the choices for ${p.spec.label}`,
    "aria-controls": `${id}-list`, "aria-expanded": "false",
  }, h("span", { className: "chevron", "aria-hidden": "true" }));
  p.list = h("ul", {
    id: `${id}-list`, className: "combo-list", role: "listbox", "aria-labelledby": `${id}-label`,
    "aria-multiselectable": p.multiple ? "true" : null,
  });
  p.status = h("p", { className: "combo-status", role: "status" });
  p.popup = h("div", { className: "combo-popup", hidden: true }, p.list, p.status);
  p.combo = h("div", { className: "combo picker" }, p.input, p.toggle, p.popup);
  p.chips = h("ul", { className: "chips", "aria-label": `${p.spec.label}: chosen`, hidden: !p.multiple });
  const hint = p.spec.hint || (p.multiple
    ? "Type to search; the arrow keys move, Enter adds or removes; Backspace in the empty field removes the last one."
    : "Type to search; the arrow keys move, Enter chooses, Escape undoes.");
  p.field = h("div", { className: "field picker-field" },
    h("label", { id: `${id}-label`, for: id }, p.spec.label),
    p.chips, p.combo,
    h("p", { className: "hint visually-hidden", id: `${id}-hint` }, hint),
    h("p", { className: "field-error", id: `${id}-error`, hidden: true }));
  p.input.addEventListener("input", () => onInput(p));
  p.input.addEventListener("keydown", (e) => onKeydown(p, e));
  p.input.addEventListener("click", () => {
    if (!isOpen(p)) {
      open(p, "none");
    }
  });
  p.toggle.addEventListener("mousedown", (e) => e.preventDefault());
  p.toggle.addEventListener("click", () => {
    if (isOpen(p)) {
      close(p, true);
    } else {
      p.input.focus();
      open(p, "none");
    }
  });
  p.list.addEventListener("mousedown", (e) => e.preventDefault());
  p.list.addEventListener("click", (e) => {
    const li = e.target.closest("[role=option]");
    if (li) {
      choose(p, p.options[Number(li.dataset.index)]);
    }
  });
  p.combo.addEventListener("focusout", (e) => {
    if (!p.combo.contains(e.relatedTarget)) {
      commitFree(p);
      close(p, true);
    }
  });
  p.chips.addEventListener("click", (e) => {
    const b = e.target.closest("button[data-key]");
    if (b) {
      remove(p, b.dataset.key);
      p.input.focus();
    }
  });
}

const isOpen = (p) => !p.popup.hidden;
const keyOf = (p, item) => (item ? String(p.spec.describe(item).key) : null);

function isChosen(p, item) {
  const k = keyOf(p, item);
  return p.multiple ? p.chosen.some((c) => keyOf(p, c) === k) : p.chosen !== null && keyOf(p, p.chosen) === k;
}

function shownText(p) {
  if (p.multiple) {
    return "";
  }
  if (p.chosen) {
    return p.spec.describe(p.chosen).name;
  }
  return p.spec.freeText ? p.free : "";
}

function set(p, value) {
  if (p.multiple) {
    p.chosen = Array.isArray(value) ? value.slice() : [];
    renderChips(p);
  } else if (p.spec.freeText && typeof value === "string") {
    p.chosen = null;
    p.free = value;
  } else {
    p.chosen = value || null;
    p.free = "";
  }
  close(p, true);
}

function setExpanded(p, on) {
  p.popup.hidden = !on;
  p.input.setAttribute("aria-expanded", on ? "true" : "false");
  p.toggle.setAttribute("aria-expanded", on ? "true" : "false");
}

function optionElement(p, item, i) {
  const d = p.spec.describe(item);
  const li = h("li", {
    id: `${p.spec.id}-option-${i}`, role: "option", className: "combo-option", title: d.title || d.name,
    dataset: { index: String(i) }, "aria-selected": "false",
  }, h("span", { className: "option-name" }, d.name));
  if (d.detail) {
    li.append(h("span", { className: "option-detail" }, d.detail));
  }
  const tags = h("span", { className: "option-tags" }, d.tags || []);
  if (isChosen(p, item)) {
    li.classList.add("current");
    tags.append(h("span", { className: "option-current" }, p.multiple ? "Chosen" : "Current"));
  }
  if (p.multiple) {
    li.setAttribute("aria-selected", isChosen(p, item) ? "true" : "false");
  }
  if (tags.childElementCount > 0) {
    li.append(tags);
  }
  return li;
}

function render(p) {
  p.list.replaceChildren(...p.options.map((item, i) => optionElement(p, item, i)));
  p.active = -1;
  p.input.removeAttribute("aria-activedescendant");
}

function setActive(p, i) {
  p.active = i >= 0 && i < p.options.length ? i : -1;
  let on = null;
  for (const li of p.list.children) {
    const is = Number(li.dataset.index) === p.active;
    li.classList.toggle("active", is);
    if (!p.multiple) {
      li.setAttribute("aria-selected", is ? "true" : "false");
    }
    if (is) {
      on = li;
    }
  }
  if (on) {
    p.input.setAttribute("aria-activedescendant", on.id);
    on.scrollIntoView({ block: "nearest" });
  } else {
    p.input.removeAttribute("aria-activedescendant");
  }
}

function summary(p, q, n, more) {
  if (n === 0) {
    return q === "" ? "Nothing to choose from." : `Nothing matches “${q}”.`;
  }
  const what = n === 1 ? "1 choice" : `${n} choices`;
  if (q === "") {
    return more ? `The first ${n}. Type to search them all.` : `${what}.`;
  }
  return `${what} for “${q}”${more ? "; type more to narrow it down" : ""}.`;
}

/* Searches and shows the options; after: "auto" (first match), "first", "last" or "keep". */
async function search(p, q, after) {
  const generation = ++p.generation;
  p.list.setAttribute("aria-busy", "true");
  p.status.textContent = "Searching…";
  let answer;
  try {
    answer = await p.spec.search(q);
  } catch (e) {
    answer = { error: String(e) };
  }
  if (generation !== p.generation || !isOpen(p)) {
    return;
  }
  p.list.setAttribute("aria-busy", "false");
  if (!answer || answer.error !== undefined) {
    p.status.textContent = answer && answer.error ? answer.error : "Cannot search.";
    return;
  }
  const fixed = (p.spec.fixed || []).filter((f) => q === "" || p.spec.describe(f).name.toLowerCase().includes(q.toLowerCase()));
  const keep = keyOf(p, p.options[p.active]);
  p.options = [...fixed, ...answer.items];
  render(p);
  if (after === "last") {
    setActive(p, p.options.length - 1);
  } else if (after === "first") {
    setActive(p, 0);
  } else if (after === "auto" && !p.moved) {
    /* Typing highlights the first thing found, a fixed choice only when nothing else matches. */
    setActive(p, q === "" || p.options.length === 0 ? -1 : answer.items.length > 0 ? fixed.length : 0);
  } else {
    setActive(p, keep === null ? -1 : p.options.findIndex((o) => keyOf(p, o) === keep));
  }
  p.status.textContent = summary(p, q, answer.items.length, answer.more === true);
}

function open(p, highlight) {
  window.clearTimeout(p.timer);
  setExpanded(p, true);
  p.moved = highlight !== "none";
  const q = p.multiple || p.spec.freeText ? p.input.value.trim() : "";
  search(p, q, highlight === "none" ? "keep" : highlight);
}

function close(p, restore) {
  window.clearTimeout(p.timer);
  p.generation++;
  setExpanded(p, false);
  setActive(p, -1);
  p.list.setAttribute("aria-busy", "false");
  if (restore) {
    p.input.value = shownText(p);
  }
}

function changed(p) {
  if (typeof p.spec.onChange === "function") {
    p.spec.onChange(p.multiple ? p.chosen.slice() : p.spec.freeText && !p.chosen ? p.free : p.chosen);
  }
}

function renderChips(p) {
  p.chips.replaceChildren(...p.chosen.map((item) => {
    const d = p.spec.describe(item);
    return h("li", { className: "chip", title: d.title || d.name },
      h("span", { className: "chip-name" }, d.name),
      h("button", { type: "button", className: "chip-remove", dataset: { key: String(d.key) }, "aria-label": `Remove ${d.name}` },
        h("span", { "aria-hidden": "true" }, "×")));
  }));
  p.chips.hidden = p.chosen.length === 0;
}

function remove(p, key) {
  p.chosen = p.chosen.filter((c) => keyOf(p, c) !== key);
  renderChips(p);
  if (isOpen(p)) {
    const active = p.active;
    render(p);
    setActive(p, active);
  }
  changed(p);
}

function choose(p, item) {
  if (!item) {
    return;
  }
  if (p.multiple) {
    const active = p.options.indexOf(item);
    if (isChosen(p, item)) {
      remove(p, keyOf(p, item));
    } else {
      p.chosen.push(item);
      renderChips(p);
      render(p);
      changed(p);
    }
    setActive(p, active);
    return;
  }
  const before = keyOf(p, p.chosen);
  p.chosen = item;
  p.free = "";
  close(p, true);
  if (keyOf(p, item) !== before) {
    changed(p);
  }
}

/* freeText: what is typed (and not chosen from the list) becomes the value. */
function commitFree(p) {
  if (!p.spec.freeText || p.multiple) {
    return;
  }
  const text = p.input.value.trim();
  if (p.chosen && text === p.spec.describe(p.chosen).name) {
    return;
  }
  if (text === p.free && !p.chosen) {
    return;
  }
  p.chosen = null;
  p.free = text;
  changed(p);
}

function onInput(p) {
  if (!isOpen(p)) {
    setExpanded(p, true);
  }
  p.moved = false;
  setActive(p, -1);
  window.clearTimeout(p.timer);
  const q = p.input.value.trim();
  p.timer = window.setTimeout(() => search(p, q, "auto"), DELAY_MS);
}

function move(p, delta) {
  const n = p.options.length;
  if (n === 0) {
    return;
  }
  p.moved = true;
  setActive(p, p.active < 0 ? (delta > 0 ? 0 : n - 1) : (p.active + delta + n) % n);
}

function onKeydown(p, e) {
  const on = isOpen(p);
  switch (e.key) {
    case "ArrowDown":
    case "ArrowUp":
      e.preventDefault();
      if (!on) {
        open(p, e.altKey ? "none" : e.key === "ArrowDown" ? "first" : "last");
      } else if (e.altKey && e.key === "ArrowUp") {
        close(p, true);
      } else if (!e.altKey) {
        move(p, e.key === "ArrowDown" ? 1 : -1);
      }
      break;
    case "Enter":
      if (on && p.active >= 0) {
        e.preventDefault();
        choose(p, p.options[p.active]);
      } else if (p.spec.freeText) {
        e.preventDefault();
        commitFree(p);
        close(p, true);
      } else if (on) {
        e.preventDefault();
      }
      break;
    case "Escape":
      if (on || p.input.value !== shownText(p)) {
        e.preventDefault();
        e.stopPropagation();
        close(p, true);
      }
      break;
    case "Backspace":
      if (p.multiple && p.input.value === "" && p.chosen.length > 0) {
        remove(p, keyOf(p, p.chosen[p.chosen.length - 1]));
      }
      break;
    case "Tab":
      if (on) {
        commitFree(p);
        close(p, true);
      }
      break;
    default:
      break;
  }
}

/* A search over a list already at hand: names and details containing q. */
export function localSearch(items, describe) {
  return async (q) => {
    const t = q.toLowerCase();
    const found = (await (typeof items === "function" ? items() : items)).filter((item) => {
      if (t === "") {
        return true;
      }
      const d = describe(item);
      return d.name.toLowerCase().includes(t) || String(d.detail || "").toLowerCase().includes(t) ||
        String(d.key).toLowerCase().includes(t);
    });
    return { items: found, more: false };
  };
}

/* Shows or clears a picker's field error. */
export function pickerError(picker, message) {
  const out = document.getElementById(`${picker.input.id}-error`);
  showText(out, message);
  if (message) {
    picker.input.setAttribute("aria-invalid", "true");
  } else {
    picker.input.removeAttribute("aria-invalid");
  }
}
