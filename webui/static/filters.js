/* The filters of the results page, made quicker to use. Progressive enhancement:
   without this file every control still belongs to the query form (form="search-form")
   and 应用筛选 (or 应用排序) applies them; 筛选 is a link to the panel.
   With it:
   - a department, column or college ticked, 只搜索标题, the page size and the sort
     apply as soon as they change (a few quick changes make one request);
   - the dates apply when the reader leaves the date fields, if what is typed is
     a date the page reads (the pattern of the fields);
   - a date link (一年内, 2023 年 …) clicked before a change has applied carries it;
   - on a phone, 筛选 opens the panel as a sheet over the results: the focus moves
     into it, 关闭, Escape or Back close it and the focus returns to 筛选.
   No third-party code; no text is set from data. */
(function () {
  "use strict";
  var form = document.getElementById("search-form");
  var panel = document.getElementById("filters");
  var apply = document.getElementById("apply");
  if (!form || !panel || !apply) {
    return;
  }
  var DELAY = 350;          // ms after the last change
  var PHONE = window.matchMedia ? window.matchMedia("(max-width: 760px)") : null;
  var KEPT = ["dept", "column", "site", "title_only", "size", "sort"];
  var timer = null;

  function submit() {
    clearTimeout(timer);
    timer = null;
    if (form.requestSubmit) {
      form.requestSubmit(apply);
    } else {
      apply.click();
    }
  }

  function later() {
    clearTimeout(timer);
    timer = setTimeout(submit, DELAY);
  }

  // whatever submits the form first, it carries every change: nothing more is pending
  form.addEventListener("submit", function () {
    clearTimeout(timer);
    timer = null;
  });

  function ours(el) {
    return el && el.form === form && (panel.contains(el) || el.id === "sort");
  }

  var dates = panel.querySelector(".dates");
  var datesChanged = false;

  function datesValid() {
    var fields = dates ? dates.querySelectorAll("input") : [];
    for (var i = 0; i < fields.length; i++) {
      if (fields[i].validity && !fields[i].validity.valid) { return false; }
    }
    return true;
  }

  document.addEventListener("change", function (e) {
    var el = e.target;
    if (!ours(el)) { return; }
    if (dates && dates.contains(el)) {
      datesChanged = true;      // applied when the reader leaves the dates
      return;
    }
    if (el.type === "checkbox" || el.tagName === "SELECT") {
      later();
    }
  });

  if (dates) {
    dates.addEventListener("focusout", function (e) {
      if (e.relatedTarget && dates.contains(e.relatedTarget)) { return; }
      if (datesChanged && datesValid()) {
        datesChanged = false;
        later();
      }
    });
  }

  // a date link clicked while a change is pending: the link with the form's choices
  panel.addEventListener("click", function (e) {
    var link = e.target.closest ? e.target.closest("a[href]") : null;
    if (!link || !timer || !window.URL) { return; }
    var url = new URL(link.href, window.location.href);
    if (url.origin !== window.location.origin) { return; }
    e.preventDefault();
    clearTimeout(timer);
    timer = null;
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
    window.location.assign(url.pathname + url.search);
  });

  // -- 筛选 as a sheet on a phone --------------------------------------------------
  var opener = document.querySelector(".to-filters");
  var close = panel.querySelector(".sheet-close");
  if (!opener || !close || !PHONE || !window.history || !history.pushState) {
    return;
  }
  // the panel inside the <aside> is the dialog (an <aside> may not be one)
  var sheet = panel.querySelector(".filters-panel");
  if (!sheet) {
    return;
  }
  var outside = [];
  var back = null;

  function isOpen() {
    return sheet.classList.contains("sheet");
  }

  function open() {
    back = document.activeElement;
    sheet.classList.add("sheet");
    sheet.setAttribute("role", "dialog");
    sheet.setAttribute("aria-modal", "true");
    sheet.setAttribute("aria-labelledby", "filters-heading");
    document.body.classList.add("sheet-open");
    close.hidden = false;
    opener.setAttribute("aria-expanded", "true");
    // everything else on the page is out of reach while the sheet is open
    outside = Array.prototype.filter.call(
      document.querySelectorAll("body > *, .layout > *"),
      function (el) { return !el.contains(panel) && !el.inert && el.tagName !== "SCRIPT"; });
    outside.forEach(function (el) { el.inert = true; });
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
    opener.setAttribute("aria-expanded", "false");
    outside.forEach(function (el) { el.inert = false; });
    outside = [];
    if (returnFocus !== false) {
      (back && document.contains(back) ? back : opener).focus();
    }
  }

  // closing by 关闭 or Escape takes back the history entry opening added
  function dismiss() {
    if (history.state && history.state.filtersSheet) {
      history.back();          // popstate closes it
    } else {
      shut();
    }
  }

  opener.setAttribute("aria-haspopup", "dialog");
  opener.setAttribute("aria-expanded", "false");
  opener.addEventListener("click", function (e) {
    if (!PHONE.matches) { return; }   // wide screens: the panel is beside the results
    e.preventDefault();
    history.pushState({ filtersSheet: true }, "", "#filters");
    open();
  });
  close.addEventListener("click", dismiss);
  document.addEventListener("keydown", function (e) {
    if ((e.key === "Escape" || e.key === "Esc") && isOpen()) {
      e.preventDefault();
      dismiss();
    }
  });
  window.addEventListener("popstate", function () {
    if (isOpen() && window.location.hash !== "#filters") { shut(); }
  });
  var grew = function () { if (!PHONE.matches) { shut(false); } };
  if (PHONE.addEventListener) { PHONE.addEventListener("change", grew); } else if (PHONE.addListener) { PHONE.addListener(grew); }
}());
