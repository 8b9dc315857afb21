// Refreshes the figures in place: fetches this page again and swaps its <main>, so the reader
// keeps their scroll position and nothing flashes. Without JavaScript the page is complete; it
// just does not refresh by itself.
(function () {
  var main = document.getElementById("main");
  var note = document.getElementById("refresh-note");
  if (!main || !window.fetch || !window.DOMParser) return;
  var seconds = parseInt(main.getAttribute("data-refresh"), 10) || 60;
  var every = "The figures refresh every " + seconds + " seconds.";
  function say(msg) {
    if (note && note.textContent !== msg) note.textContent = msg;
  }
  if (note) note.hidden = false;
  say(every);
  function busy() {
    var a = document.activeElement;
    return document.hidden || (a && main.contains(a) && /^(SELECT|INPUT|TEXTAREA|BUTTON|SUMMARY)$/.test(a.tagName));
  }
  setInterval(function () {
    if (busy()) return;
    fetch(location.href, { headers: { Accept: "text/html" }, credentials: "same-origin" })
      .then(function (r) {
        if (!r.ok) throw new Error("HTTP " + r.status);
        return r.text();
      })
      .then(function (text) {
        var fresh = new DOMParser().parseFromString(text, "text/html").getElementById("main");
        if (!fresh) throw new Error("no figures in the answer");
        var open = [];
        main.querySelectorAll("details[open][id]").forEach(function (d) { open.push(d.id); });
        main.innerHTML = fresh.innerHTML;
        open.forEach(function (id) { var d = document.getElementById(id); if (d) d.open = true; });
        say(every);
      })
      .catch(function (err) {
        say("Could not refresh (" + err.message + "): the figures shown may be old.");
      });
  }, seconds * 1000);
})();
