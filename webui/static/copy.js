/* A "copy" button beside a read-only field holding an address to copy (the
   feed's, on the subscribe page). Without this file the field can still be
   selected and copied by hand. No third-party code. */
(function () {
  "use strict";
  var fields = document.querySelectorAll("input[data-copy-label]");
  Array.prototype.forEach.call(fields, function (field) {
    field.addEventListener("focus", function () { field.select(); });
    if (!navigator.clipboard || !window.isSecureContext) { return; }
    var button = document.createElement("button");
    button.type = "button";
    button.className = "copy-button";
    button.textContent = field.getAttribute("data-copy-label");
    var status = document.createElement("span");
    status.className = "copy-status";
    status.setAttribute("role", "status");
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(field.value).then(function () {
        status.textContent = "已复制";
      }, function () {
        field.select();
        status.textContent = "请按 Ctrl+C 复制";
      });
    });
    field.parentNode.appendChild(button);
    field.parentNode.appendChild(status);
  });
}());
