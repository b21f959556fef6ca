// allocatie: swap parts of a page after a form is sent, without a build step or a library.
// A form with data-swap="#id" is sent with fetch; the answer (an HTML fragment made by the
// server) replaces the element with that id. Every action also works without this script:
// the form is then sent normally and the whole page comes back.
"use strict";

function busy(form, on) {
  form.querySelectorAll("button").forEach(function (b) { b.disabled = on; });
  document.body.classList.toggle("busy", on);
}

function reloadMap() {
  var frame = document.getElementById("map");
  if (frame && frame.dataset.src) { frame.src = frame.dataset.src + "?v=" + Date.now(); }
}

document.addEventListener("submit", function (event) {
  var form = event.target;
  if (form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
    event.preventDefault();
    return;
  }
  if (form.dataset.busy) {
    document.body.dataset.busy = form.dataset.busy;
    document.body.classList.add("busy");
  }
  var target = form.dataset.swap;
  if (!target || !window.fetch) { return; }
  event.preventDefault();
  var body = new FormData(form);
  if (event.submitter && event.submitter.name) { body.append(event.submitter.name, event.submitter.value); }
  busy(form, true);
  // getAttribute: a button named "action" would shadow form.action
  fetch(form.getAttribute("action"), {
    method: "POST",
    body: body,
    credentials: "same-origin",
    headers: { "X-Requested-With": "fetch" }
  }).then(function (response) {
    if (response.status === 401) { window.location = "/login"; return null; }
    if (!response.ok && response.status !== 409 && response.status !== 422) {
      // an error page, not a part of this one: say what it says, change nothing
      return response.text().then(function (page) {
        var doc = new DOMParser().parseFromString(page, "text/html");
        var title = doc.querySelector("h1");
        window.alert(title ? title.textContent : "Dit kan niet (" + response.status + ").");
        return null;
      });
    }
    return response.text();
  }).then(function (html) {
    if (html === null) { return; }
    var old = document.querySelector(target);
    if (!old) { return; }
    var holder = document.createElement("div");
    holder.innerHTML = html;
    var fresh = holder.querySelector(target) || holder;
    if (fresh === holder) { old.innerHTML = html; } else { old.replaceWith(fresh); }
    if (target === "#meeting") { reloadMap(); }
    document.body.dataset.swapped = String(Date.now());
  }).catch(function () {
    window.alert("De verbinding met de server is weg; probeer het opnieuw.");
  }).finally(function () {
    busy(form, false);
  });
});
