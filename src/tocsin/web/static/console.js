// The queue, live: the table is fetched again every 20 seconds (?part=rows) and swapped in place,
// keeping what was ticked and the current row; a new P1 or a new breach changes the page's title
// and, for those who opted in, plays a tone and shows a browser notification. The keyboard moves
// through the rows (j/k), opens (o, Enter), ticks (x), acknowledges (a) and assigns to oneself
// (m); ? shows the keys. Without JavaScript the page works as it is: reload, forms and links.
(function () {
  "use strict";
  var EVERY = 20000;
  var section = document.getElementById("queue-rows");
  if (!section) { return; }
  var live = document.getElementById("queue-live");
  var status = document.getElementById("queue-status");
  var help = document.getElementById("keys-help");
  var sound = document.getElementById("live-sound");
  var notify = document.getElementById("live-notify");
  var baseTitle = document.title;
  var seen = alerts(section);
  var current = null;
  var unseen = 0;

  live.hidden = false;
  sound.checked = localStorage.getItem("tocsin.sound") === "1";
  notify.checked = localStorage.getItem("tocsin.notify") === "1" &&
    "Notification" in window && Notification.permission === "granted";
  sound.addEventListener("change", function () {
    localStorage.setItem("tocsin.sound", sound.checked ? "1" : "0");
  });
  notify.addEventListener("change", function () {
    if (!notify.checked) { localStorage.setItem("tocsin.notify", "0"); return; }
    if (!("Notification" in window)) { notify.checked = false; return; }
    Notification.requestPermission().then(function (answer) {
      notify.checked = answer === "granted";
      localStorage.setItem("tocsin.notify", notify.checked ? "1" : "0");
    });
  });

  function alerts(node) {
    var text = node.getAttribute("data-alert") || "";
    return text.split(" ").filter(function (x) { return x; });
  }

  function rows() { return Array.prototype.slice.call(section.querySelectorAll("tbody tr")); }

  function csrf() {
    var field = document.querySelector("#bulk input[name=csrf]");
    return field ? field.value : "";
  }

  function refresh() {
    var url = new URL(window.location.href);
    url.searchParams.set("part", "rows");
    return fetch(url.toString(), { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (answer) {
        if (!answer.ok) { throw new Error("the queue answered " + answer.status); }
        return answer.text();
      })
      .then(function (html) {
        var holder = document.createElement("div");
        holder.innerHTML = html;
        var fresh = holder.querySelector("#queue-rows");
        if (!fresh) { return; }
        var ticked = {};
        section.querySelectorAll("input[name=incident]:checked").forEach(function (box) {
          ticked[box.value] = true;
        });
        var was = current ? current.getAttribute("data-id") : null;
        section.replaceWith(fresh);
        section = fresh;
        section.querySelectorAll("input[name=incident]").forEach(function (box) {
          box.checked = !!ticked[box.value];
        });
        current = null;
        if (was) { select(section.querySelector('tr[data-id="' + was + '"]')); }
        attention(alerts(section));
      })
      .catch(function (error) { status.textContent = "Not refreshed: " + error.message; });
  }

  function attention(now) {
    var fresh = now.filter(function (x) { return seen.indexOf(x) < 0; });
    seen = now;
    if (!fresh.length) { return; }
    unseen += fresh.length;
    var refs = fresh.map(function (x) { return x.replace(":b", " (SLA breached)"); });
    status.textContent = "New: " + refs.join(", ");
    document.title = "(" + unseen + ") " + baseTitle;
    if (sound.checked) { tone(); }
    if (notify.checked && "Notification" in window && Notification.permission === "granted") {
      new Notification("Tocsin: " + refs.join(", "), { tag: "tocsin-queue" });
    }
  }

  function tone() {
    var Context = window.AudioContext || window.webkitAudioContext;
    if (!Context) { return; }
    var audio = new Context();
    var beep = audio.createOscillator();
    beep.frequency.value = 880;
    beep.connect(audio.destination);
    beep.start();
    beep.stop(audio.currentTime + 0.25);
  }

  function seenAll() {
    unseen = 0;
    document.title = baseTitle;
  }

  function select(row) {
    if (current) { current.classList.remove("current"); }
    current = row || null;
    if (current) {
      current.classList.add("current");
      current.scrollIntoView({ block: "nearest" });
      var link = current.querySelector("th a");
      if (link) { link.focus({ preventScroll: true }); }
    }
  }

  function step(by) {
    var all = rows();
    if (!all.length) { return; }
    var at = current ? all.indexOf(current) : -1;
    var next = Math.min(all.length - 1, Math.max(0, at < 0 ? 0 : at + by));
    select(all[next]);
  }

  function post(path, fields) {
    var body = new URLSearchParams(fields);
    body.set("csrf", csrf());
    return fetch(path, { method: "POST", body: body, credentials: "same-origin" })
      .then(function (answer) {
        status.textContent = answer.ok ? "Done." : "Not done: the page of the incident says why.";
        return refresh();
      });
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) { return; }
    var target = event.target;
    if (target && /^(INPUT|SELECT|TEXTAREA|BUTTON)$/.test(target.tagName)) { return; }
    if (help.open) { return; }
    seenAll();
    var id = current ? current.getAttribute("data-id") : null;
    switch (event.key) {
      case "j": step(1); break;
      case "k": step(-1); break;
      case "o":
      case "Enter":
        if (!current) { return; }
        window.location.href = "/incidents/" + id;
        break;
      case "x":
        if (!current) { return; }
        var box = current.querySelector("input[name=incident]");
        if (box) { box.checked = !box.checked; }
        break;
      case "a":
        if (!current || !csrf()) { return; }
        post("/incidents/" + id + "/transition", { status: "acknowledged" });
        break;
      case "m":
        if (!current || !csrf()) { return; }
        post("/incidents/" + id + "/assign", { assignee: "me" });
        break;
      case "?":
        help.showModal();
        break;
      default:
        return;
    }
    event.preventDefault();
  });
  window.addEventListener("focus", seenAll);
  window.setInterval(refresh, EVERY);
  window.tocsinQueue = { refresh: refresh };
})();
