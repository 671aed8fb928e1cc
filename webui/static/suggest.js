/* Suggestions for the query box, as an ARIA 1.2 combobox with a listbox popup:
   a popular query searches it; an article's title opens that article.
   Progressive enhancement: without this file the box is a plain search field and
   the page works the same. No third-party code; text is set with textContent only. */
(function () {
  "use strict";
  var input = document.getElementById("q");
  if (!input || !input.form || !window.fetch || !input.getAttribute("data-suggest")) {
    return;
  }
  var form = input.form;
  var endpoint = input.getAttribute("data-suggest");
  var DELAY = 150;       // ms after the last key press
  var MAX_CHARS = 50;    // what /api/suggest accepts

  var list = document.createElement("ul");
  list.id = "q-suggestions";
  list.className = "suggestions";
  list.setAttribute("role", "listbox");
  list.setAttribute("aria-label", "搜索建议");
  list.hidden = true;
  var status = document.createElement("div");
  status.className = "visually-hidden";
  status.setAttribute("role", "status");
  status.setAttribute("aria-live", "polite");
  input.parentNode.appendChild(list);
  input.parentNode.appendChild(status);

  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-expanded", "false");
  input.setAttribute("aria-controls", list.id);

  var timer = null;
  var controller = null;
  var items = [];
  var active = -1;
  var typed = input.value;
  var asked = null;

  function close() {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  }

  function open() {
    if (items.length) {
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
    }
  }

  function render(suggestions) {
    list.textContent = "";
    items = suggestions.slice(0, 10);
    active = -1;
    items.forEach(function (s, i) {
      var li = document.createElement("li");
      li.id = "q-suggestion-" + i;
      li.className = "suggestion";
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", "false");
      var text = document.createElement("span");
      text.className = "suggestion-text";
      text.textContent = String(s.text);
      var kind = document.createElement("span");
      kind.className = "suggestion-kind";
      kind.textContent = s.kind === "query" ? "热门搜索" : (articleUrl(s) ? "打开文章" : "标题");
      li.appendChild(text);
      li.appendChild(kind);
      // keep the focus in the box while the pointer picks an option
      li.addEventListener("mousedown", function (e) { e.preventDefault(); });
      li.addEventListener("click", function () { choose(i); });
      list.appendChild(li);
    });
    if (items.length) {
      open();
      status.textContent = "有 " + items.length + " 条建议，可用上下方向键选择";
    } else {
      close();
      status.textContent = "";
    }
  }

  function select(i) {
    var options = list.children;
    if (active >= 0 && options[active]) {
      options[active].setAttribute("aria-selected", "false");
    }
    active = i;
    if (i >= 0 && options[i]) {
      options[i].setAttribute("aria-selected", "true");
      input.setAttribute("aria-activedescendant", options[i].id);
      input.value = items[i].text;
      if (options[i].scrollIntoView) { options[i].scrollIntoView({ block: "nearest" }); }
    } else {
      input.removeAttribute("aria-activedescendant");
      input.value = typed;
    }
  }

  // the address of the article a title suggestion stands for: a path on this site only
  function articleUrl(s) {
    var url = s.kind === "title" && typeof s.url === "string" ? s.url : "";
    return /^\/(?![\/\\])/.test(url) ? url : "";
  }

  function choose(i) {
    var url = articleUrl(items[i]);
    input.value = items[i].text;
    typed = input.value;
    close();
    if (url) {
      window.location.assign(url);
    } else if (form.requestSubmit) {
      form.requestSubmit();
    } else {
      form.submit();
    }
  }

  function ask() {
    var prefix = input.value.trim().slice(0, MAX_CHARS);
    if (prefix === asked) { open(); return; }
    asked = prefix;
    if (controller) { controller.abort(); }
    if (!prefix) { render([]); return; }
    controller = window.AbortController ? new AbortController() : null;
    fetch(endpoint + "?q=" + encodeURIComponent(prefix), {
      headers: { "Accept": "application/json" },
      credentials: "same-origin",
      signal: controller ? controller.signal : undefined
    }).then(function (r) {
      return r.ok ? r.json() : { suggestions: [] };
    }).then(function (data) {
      // only if the box still holds what was asked, and still has the focus
      if (document.activeElement === input && input.value.trim().slice(0, MAX_CHARS) === prefix) {
        render(data && data.suggestions ? data.suggestions : []);
      }
    }).catch(function () { /* aborted, or offline: no suggestions */ });
  }

  function later() {
    typed = input.value;
    clearTimeout(timer);
    timer = setTimeout(ask, DELAY);
  }

  input.addEventListener("input", function (e) {
    if (e.isComposing) { return; }   // a Chinese input method is still composing
    later();
  });
  input.addEventListener("compositionend", later);

  input.addEventListener("keydown", function (e) {
    if (e.isComposing || e.keyCode === 229) { return; }  // keys that belong to the input method
    switch (e.key) {
      case "ArrowDown":
      case "Down":
        e.preventDefault();
        if (list.hidden) {
          if (items.length) { open(); } else { asked = null; ask(); }
        } else {
          select(active + 1 < items.length ? active + 1 : -1);
        }
        break;
      case "ArrowUp":
      case "Up":
        if (!list.hidden) {
          e.preventDefault();
          select(active > 0 ? active - 1 : (active === 0 ? -1 : items.length - 1));
        }
        break;
      case "Enter":
        if (!list.hidden && active >= 0) {
          e.preventDefault();
          choose(active);
        } else {
          close();
        }
        break;
      case "Escape":
      case "Esc":
        if (!list.hidden) {
          e.preventDefault();
          if (active >= 0) { input.value = typed; }
          close();
        }
        break;
      case "Tab":
        close();
        break;
    }
  });
  input.addEventListener("blur", close);
}());
