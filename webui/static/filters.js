/* The filters of the results page, made quicker to use. Progressive enhancement:
   without this file every control still belongs to the query form (form="search-form")
   and 应用筛选 (or 应用排序) applies them; 筛选 is a link to the panel.
   With it:
   - a department, column or college ticked, 只搜索标题, the page size and the sort
     apply as soon as they change (a few quick changes make one request);
   - the dates apply when the reader leaves the date fields, if what is typed is
     a date the page reads (the pattern of the fields);
   - a date link (一年内, 2023 年 …) clicked before a change has applied carries it;
   - they apply in place: the page the form would load is fetched, its results and
     its filters take the place of these (the query box, the footer and the title
     follow), the address becomes its address (a new history entry: Back shows the
     page before), the focus stays on the control used and the panel's status line
     says the new count; when the fetch fails, the page is loaded as without script;
   - on a phone, 筛选 opens the panel as a sheet over the results: the focus moves
     into it, 关闭, Escape or Back close it and the focus returns to 筛选; filters
     applied in the sheet leave it open.
   No third-party code; nothing but our own pages is fetched, and no text is set
   from data but with textContent. */
(function () {
  "use strict";
  var form = document.getElementById("search-form");
  var panel = document.getElementById("filters");
  var sheet = panel && panel.querySelector(".filters-panel");   // the sheet on a phone
  if (!form || !panel || !sheet || !document.getElementById("apply")) {
    return;
  }
  var DELAY = 350;          // ms after the last change
  var PHONE = window.matchMedia ? window.matchMedia("(max-width: 760px)") : null;
  var KEPT = ["dept", "column", "site", "title_only", "size", "sort"];
  var IN_PLACE = !!(window.fetch && window.DOMParser && window.URLSearchParams && window.FormData &&
                    window.URL && window.history && history.pushState && history.replaceState);
  var SEARCH = new URL(form.action, window.location.href).pathname;
  var timer = null;
  var pending = null;       // the fetch in flight: {controller}
  var shown = here();       // the address of the results on the page
  var datesChanged = false;

  function here() {
    return window.location.pathname + window.location.search;
  }

  function dates() {
    return panel.querySelector(".dates");
  }

  function ours(el) {
    return el && el.form === form && (panel.contains(el) || el.id === "sort");
  }

  // -- applying ----------------------------------------------------------------------
  function cancel() {
    clearTimeout(timer);
    timer = null;
    if (pending) {
      if (pending.controller) { pending.controller.abort(); }
      pending = null;
    }
  }

  function later() {
    cancel();
    timer = setTimeout(submit, DELAY);
  }

  // the address the form loads when 应用筛选 sends it
  function formAddress() {
    var data = new FormData(form);
    data.append("apply", "1");
    var url = new URL(form.action, window.location.href);
    url.search = new URLSearchParams(data).toString();
    return url.pathname + url.search;
  }

  // what the filters hold now (the query box aside)
  function choices() {
    var data = new URLSearchParams(new FormData(form));
    data.delete("q");
    return data.toString();
  }

  function submit() {
    cancel();
    if (IN_PLACE) {
      load(formAddress(), true);
    } else if (form.requestSubmit) {
      form.requestSubmit(document.getElementById("apply"));
    } else {
      document.getElementById("apply").click();
    }
  }

  // the results page at ``address`` in place of this one; a new history entry if ``push``
  function load(address, push) {
    cancel();
    var request = { controller: window.AbortController ? new AbortController() : null };
    var sent = choices();
    pending = request;
    busy(true);
    fetch(address, {
      headers: { "Accept": "text/html" },
      credentials: "same-origin",
      signal: request.controller ? request.controller.signal : undefined
    }).then(function (r) {
      var type = r.headers.get("Content-Type") || "";
      // a date that cannot be read is a 400 page saying so: shown like any other
      if (!(r.ok || r.status === 400) || type.indexOf("text/html") !== 0 ||
          new URL(r.url).origin !== window.location.origin) {
        throw new Error("not a results page");
      }
      return r.text().then(function (html) { return { url: new URL(r.url), html: html }; });
    }).then(function (got) {
      if (pending !== request) { return; }      // a newer change took over
      if (choices() !== sent) {
        // typed into a date meanwhile: that applies when the reader leaves the dates
        pending = null;
        busy(false);
        datesChanged = true;
        if (!(dates() && dates().contains(document.activeElement))) { later(); }
        return;
      }
      var doc = new DOMParser().parseFromString(got.html, "text/html");
      if (got.url.pathname !== SEARCH || !swap(doc)) {
        throw new Error("not a results page");
      }
      pending = null;
      var now = got.url.pathname + got.url.search;
      if (push && now !== shown) {
        history.pushState({ filters: true, sheet: isOpen() }, "", now);
      } else if (now !== here()) {    // (the address as the server writes it)
        history.replaceState(history.state, "", now + window.location.hash);
      }
      shown = now;
    }).catch(function (e) {
      if (pending !== request || (e && e.name === "AbortError")) { return; }
      pending = null;
      busy(false);
      // the page as the form would load it
      if (push) { window.location.assign(address); } else { window.location.replace(address); }
    });
  }

  function busy(on) {
    var results = document.querySelector(".layout > .results");
    if (!results) { return; }
    if (on) { results.setAttribute("aria-busy", "true"); } else { results.removeAttribute("aria-busy"); }
  }

  // this page's parts from ``doc``, another results page: false if it is none
  function swap(doc) {
    var results = document.querySelector(".layout > .results");
    var fresh = doc.querySelector(".layout > .results");
    var freshPanel = doc.querySelector("#filters .filters-panel");
    if (!results || !fresh || !freshPanel) { return false; }
    // (a parsed page has no script running: its <noscript> parts are elements)
    Array.prototype.forEach.call(doc.querySelectorAll("noscript"), function (n) { n.remove(); });
    var focus = remember();
    var more = panel.querySelector("details.more");
    var moreOpen = !!(more && more.open);
    var sealed = isOpen();
    if (sealed) { unseal(); }

    results.parentNode.replaceChild(document.adoptNode(fresh), results);
    // the panel but its head (the heading, 关闭 and the status line stay)
    var head = sheet.querySelector(".filters-head");
    Array.prototype.slice.call(sheet.children).forEach(function (el) {
      if (el !== head) { sheet.removeChild(el); }
    });
    Array.prototype.slice.call(freshPanel.children).forEach(function (el) {
      if (!el.classList.contains("filters-head")) { sheet.appendChild(document.adoptNode(el)); }
    });
    // the query form's hidden fields (the query shown, what a new query keeps)
    Array.prototype.forEach.call(form.querySelectorAll("input[type=hidden]"), function (el) {
      el.remove();
    });
    Array.prototype.forEach.call(doc.querySelectorAll("#search-form input[type=hidden]"), function (el) {
      form.appendChild(document.adoptNode(el));
    });
    var box = document.getElementById("q");
    var freshBox = doc.getElementById("q");
    if (box && freshBox && document.activeElement !== box) { box.value = freshBox.value; }
    replace(".search-extra", doc);   // 在结果中搜索, when the page is filtered
    replace("footer.footer", doc);   // 订阅这个搜索, the JSON twin
    ["application/json", "application/atom+xml"].forEach(function (type) {
      var link = document.querySelector('link[rel="alternate"][type="' + type + '"]');
      var freshLink = doc.querySelector('link[rel="alternate"][type="' + type + '"]');
      if (link && freshLink) { link.setAttribute("href", freshLink.getAttribute("href")); }
    });
    more = panel.querySelector("details.more");
    if (more && moreOpen) { more.open = true; }
    document.title = doc.title;
    dressOpener();
    if (sealed) { seal(); }
    restore(focus);
    say(doc.getElementById("filters-count"));
    return true;
  }

  function replace(selector, doc) {
    var old = document.querySelector(selector);
    var fresh = doc.querySelector(selector);
    if (old && fresh) { old.parentNode.replaceChild(document.adoptNode(fresh), old); }
  }

  // the status line says the new count (emptied first: the same words are said again)
  function say(fresh) {
    var status = document.getElementById("filters-count");
    if (!status || !fresh) { return; }
    var text = fresh.textContent;
    status.textContent = "";
    setTimeout(function () { status.textContent = text; }, 30);
  }

  // where the focus is, as something the next page has too
  function remember() {
    var el = document.activeElement;
    if (!el || el === document.body || !document.querySelector(".layout").contains(el)) {
      return null;
    }
    if (el.id) { return { id: el.id }; }
    if (el.form === form && el.name) { return { name: el.name, value: el.value }; }
    if (el.tagName === "A") {
      var list = el.closest("ul");
      return { list: list && list.getAttribute("aria-label"), text: label(el), inPanel: panel.contains(el) };
    }
    return { inPanel: panel.contains(el) };
  }

  function label(link) {   // a link's own words, without its count
    return (link.firstChild && link.firstChild.nodeValue || link.textContent).trim();
  }

  function restore(was) {
    if (!was) { return; }
    var el = null;
    if (was.id) {
      el = document.getElementById(was.id);
    } else if (was.name) {
      el = Array.prototype.filter.call(form.elements, function (e) {
        return e.name === was.name && e.value === was.value;
      })[0] || null;
    } else if (was.text) {
      el = Array.prototype.filter.call(panel.querySelectorAll("a[href]"), function (a) {
        var list = a.closest("ul");
        return label(a) === was.text && (list && list.getAttribute("aria-label")) === was.list;
      })[0] || null;
    }
    if (el) { el.focus({ preventScroll: true }); }
    if (!el || document.activeElement !== el) {   // gone, or out of sight now
      el = isOpen() ? panel.querySelector(".sheet-close") : (was.inPanel ? panel : document.getElementById("main"));
      if (el) { el.focus({ preventScroll: true }); }
    }
  }

  // -- what applies a change -----------------------------------------------------------
  form.addEventListener("submit", function (e) {
    cancel();   // whatever submits the form, it carries every change
    var by = e.submitter;
    // 应用筛选, or Enter in a field of the panel: in place (a new query in the box loads)
    if (IN_PLACE && ((by && panel.contains(by)) || panel.contains(document.activeElement))) {
      e.preventDefault();
      load(formAddress(), true);
    }
  });

  function datesValid() {
    var fields = dates() ? dates().querySelectorAll("input") : [];
    for (var i = 0; i < fields.length; i++) {
      if (fields[i].validity && !fields[i].validity.valid) { return false; }
    }
    return true;
  }

  document.addEventListener("change", function (e) {
    var el = e.target;
    if (!ours(el)) { return; }
    if (dates() && dates().contains(el)) {
      datesChanged = true;      // applied when the reader leaves the dates
      return;
    }
    if (el.type === "checkbox" || el.tagName === "SELECT") {
      later();
    }
  });

  document.addEventListener("focusout", function (e) {
    var box = dates();
    if (!box || !box.contains(e.target)) { return; }
    if (e.relatedTarget && box.contains(e.relatedTarget)) { return; }
    if (datesChanged && datesValid()) {
      datesChanged = false;
      later();
    }
  });

  // a link of the panel (a date, a year, 清除筛选): in place, with any change not yet applied
  panel.addEventListener("click", function (e) {
    var link = e.target.closest ? e.target.closest("a[href]") : null;
    if (!link || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey ||
        e.altKey || !window.URL) { return; }
    var url = new URL(link.href, window.location.href);
    if (url.origin !== window.location.origin || url.pathname !== SEARCH) { return; }
    if (!IN_PLACE && !timer) { return; }
    e.preventDefault();
    if (timer || pending) {
      KEPT.forEach(function (name) { url.searchParams.delete(name); });
      Array.prototype.forEach.call(form.elements, function (el) {
        if (KEPT.indexOf(el.name) < 0 || el.disabled) { return; }
        if (el.type === "checkbox") {
          if (el.checked) { url.searchParams.append(el.name, el.value); }
        } else if (el.tagName === "SELECT") {
          url.searchParams.append(el.name, el.value);
        }
      });
      url.searchParams.delete("page");
    }
    cancel();
    if (IN_PLACE) {
      load(url.pathname + url.search, true);
    } else {
      window.location.assign(url.pathname + url.search);
    }
  });

  // Back and Forward: the results of that address
  window.addEventListener("popstate", function (e) {
    if (IN_PLACE && here() !== shown && window.location.pathname === SEARCH) {
      load(here(), false);
    }
    if (isOpen() && !(e.state && e.state.sheet)) { shut(); }
  });

  // -- 筛选 as a sheet on a phone --------------------------------------------------
  var close = sheet.querySelector(".sheet-close");
  var outside = [];
  var back = null;

  function isOpen() {
    return sheet.classList.contains("sheet");
  }

  function opener() {
    return document.querySelector(".to-filters");
  }

  function dressOpener() {
    var o = opener();
    if (o && PHONE) {
      o.setAttribute("aria-haspopup", "dialog");
      o.setAttribute("aria-expanded", isOpen() ? "true" : "false");
    }
  }

  // everything else on the page is out of reach while the sheet is open
  function seal() {
    outside = Array.prototype.filter.call(
      document.querySelectorAll("body > *, .layout > *"),
      function (el) { return !el.contains(panel) && !el.inert && el.tagName !== "SCRIPT"; });
    outside.forEach(function (el) { el.inert = true; });
  }

  function unseal() {
    outside.forEach(function (el) { el.inert = false; });
    outside = [];
  }

  function open() {
    back = document.activeElement;
    sheet.classList.add("sheet");
    sheet.setAttribute("role", "dialog");
    sheet.setAttribute("aria-modal", "true");
    sheet.setAttribute("aria-labelledby", "filters-heading");
    document.body.classList.add("sheet-open");
    close.hidden = false;
    dressOpener();
    seal();
    close.focus();
  }

  function shut(returnFocus) {
    if (!isOpen()) { return; }
    sheet.classList.remove("sheet");
    sheet.removeAttribute("role");
    sheet.removeAttribute("aria-modal");
    sheet.removeAttribute("aria-labelledby");
    document.body.classList.remove("sheet-open");
    close.hidden = true;
    dressOpener();
    unseal();
    if (returnFocus !== false) {
      var to = back && document.contains(back) ? back : (opener() || document.getElementById("main"));
      if (to) { to.focus(); }
    }
  }

  // closing by 关闭 or Escape takes back the history entry opening added; after filters
  // applied in the sheet, their entries stay (Back shows the results before them)
  function dismiss() {
    var state = history.state;
    if (state && state.sheet && state.opened) {
      history.back();          // popstate closes it
    } else {
      shut();
      if (state && state.sheet) {
        history.replaceState({ filters: true, sheet: false }, "", window.location.href);
      }
    }
  }

  if (!close || !PHONE || !window.history || !history.pushState) {
    return;
  }
  dressOpener();
  document.addEventListener("click", function (e) {
    var o = e.target.closest ? e.target.closest(".to-filters") : null;
    if (!o || !PHONE.matches) { return; }   // wide screens: the panel is beside the results
    e.preventDefault();
    history.pushState({ filters: true, sheet: true, opened: true }, "", "#filters");
    open();
  });
  close.addEventListener("click", dismiss);
  document.addEventListener("keydown", function (e) {
    if ((e.key === "Escape" || e.key === "Esc") && isOpen()) {
      e.preventDefault();
      dismiss();
    }
  });
  var grew = function () { if (!PHONE.matches) { shut(false); } };
  if (PHONE.addEventListener) { PHONE.addEventListener("change", grew); } else if (PHONE.addListener) { PHONE.addListener(grew); }
}());
