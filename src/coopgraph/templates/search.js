/* coopgraph: search the static site, typo-tolerant, over search-index.js (window.coopgraphIndex).
   The same matching as coopgraph serve's /search (coopgraph.directory): names folded (lower case,
   ä/ö/ü/ß as ae/oe/ue/ss, no accents); every query word must match a word of a name exactly, as
   a prefix, inside a compound or with one typo (two for long words), or a key (AGS, postcode). */
(function () {
  "use strict";
  var data = window.coopgraphIndex;
  var form = document.getElementById("search-form");
  if (!data || !form) return;
  var input = document.getElementById("q");
  var kindSelect = document.getElementById("kind");
  var list = document.getElementById("results");
  var status = document.getElementById("search-status");
  var kindNames = JSON.parse(document.getElementById("kind-names").textContent);
  var UML = { "ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss" };

  function fold(text) {
    var s = text.toLowerCase().normalize("NFC").replace(/[äöüß]/g, function (c) { return UML[c]; });
    s = s.normalize("NFKD").replace(/\p{M}/gu, "");
    return s.split(/[^a-z0-9]+/).filter(Boolean);
  }

  // optimal string alignment distance, or max + 1 when it is larger than max
  function osa(a, b, max) {
    if (Math.abs(a.length - b.length) > max) return max + 1;
    var prev2 = null, prev = [], cur, i, j;
    for (j = 0; j <= b.length; j++) prev.push(j);
    for (i = 1; i <= a.length; i++) {
      cur = [i];
      var low = i;
      for (j = 1; j <= b.length; j++) {
        var cost = a[i - 1] === b[j - 1] ? 0 : 1;
        var v = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
        if (prev2 && i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
          v = Math.min(v, prev2[j - 2] + 1);
        }
        cur.push(v);
        if (v < low) low = v;
      }
      if (low > max) return max + 1;
      prev2 = prev; prev = cur;
    }
    return prev[b.length];
  }

  // word -> [[row, weight]]: label words 1.0, other names 0.9
  var index = Object.create(null), names = [];
  data.rows.forEach(function (row, n) {
    var seen = Object.create(null);
    var labels = [row[1]].concat(row[2] ? row[2].split("|") : []);
    var all = [[1.0, labels], [0.9, row[7] ? row[7].split("|") : []]];
    var folded = [];
    all.forEach(function (pair) {
      pair[1].forEach(function (name) {
        var words = fold(name);
        folded.push(words);
        words.forEach(function (w) { seen[w] = Math.max(seen[w] || 0, pair[0]); });
      });
    });
    names.push(folded);
    Object.keys(seen).forEach(function (w) { (index[w] = index[w] || []).push([n, seen[w]]); });
  });
  var vocabulary = Object.keys(index);

  function wordMatches(q) {
    var out = Object.create(null);
    function put(w, s) { if (!(out[w] >= s)) out[w] = s; }
    if (index[q]) put(q, 1.0);
    var allowed = q.length <= 7 ? 1 : 2;
    vocabulary.forEach(function (w) {
      if (w === q) return;
      if (q.length >= 2 && w.indexOf(q) === 0) put(w, 0.85);
      else if (q.length >= 4 && w.indexOf(q) > 0) put(w, 0.6);
      if (q.length >= 4) {
        var d = osa(q, w, allowed);
        if (d > 0 && d <= allowed) put(w, d === 1 ? 0.7 : 0.55);
      }
    });
    return out;
  }

  function search(query, kind, limit) {
    var words = fold(query);
    if (!words.length) return [];
    var scores = null;
    for (var i = 0; i < words.length; i++) {
      var q = words[i], found = Object.create(null);
      var hit = function (n, s) { if (!(found[n] >= s)) found[n] = s; };
      if (/^[0-9]+$/.test(q)) {
        data.rows.forEach(function (row, n) {
          (row[4] ? row[4].split(" ") : []).forEach(function (key) {
            if (key === q) hit(n, 1.0);
            else if (q.length >= 3 && key.indexOf(q) === 0) hit(n, 0.8);
          });
        });
      }
      var matches = wordMatches(q);
      Object.keys(matches).forEach(function (w) {
        index[w].forEach(function (p) { hit(p[0], matches[w] * p[1]); });
      });
      if (scores === null) scores = found;
      else {
        var both = Object.create(null);
        Object.keys(scores).forEach(function (n) { if (n in found) both[n] = scores[n] + found[n]; });
        scores = both;
      }
      if (!Object.keys(scores).length) return [];
    }
    var target = words.join(" "), ranked = [];
    Object.keys(scores).forEach(function (key) {
      var n = +key, row = data.rows[n], kindName = data.kinds[row[0]];
      if (kind && kindName !== kind) return;
      var score = scores[key], cover = 0, exact = false;
      names[n].forEach(function (name) {
        if (name.join(" ") === target) exact = true;
        if (name.length) cover = Math.max(cover, Math.min(words.length / name.length, 1));
      });
      score += (exact ? 0.5 : 0) + 0.2 * cover + (data.boost[kindName] || 0) + Math.log10(row[6] + 1) / 100;
      ranked.push([score, row[1].toLowerCase(), n]);
    });
    ranked.sort(function (a, b) { return b[0] - a[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0); });
    return ranked.slice(0, limit).map(function (r) { return data.rows[r[2]]; });
  }

  function show() {
    var query = input.value.trim(), kind = kindSelect.value;
    list.textContent = "";
    if (!query) { status.textContent = ""; return; }
    var rows = search(query, kind, 50);
    rows.forEach(function (row) {
      var li = document.createElement("li"), a = document.createElement("a");
      a.href = row[3] + ".html";
      a.textContent = row[1];
      li.appendChild(a);
      var k = document.createElement("span");
      k.className = "kind";
      k.textContent = kindNames[data.kinds[row[0]]] || data.kinds[row[0]];
      li.appendChild(document.createTextNode(" "));
      li.appendChild(k);
      if (row[5]) {
        var note = document.createElement("span");
        note.className = "note";
        note.textContent = row[5];
        li.appendChild(document.createTextNode(" "));
        li.appendChild(note);
      }
      list.appendChild(li);
    });
    var template = status.getAttribute(rows.length ? "data-some" : "data-none");
    status.textContent = template.replace("%n", rows.length).replace("%q", query);
  }

  var params = new URLSearchParams(location.search);
  input.value = params.get("q") || "";
  kindSelect.value = params.get("kind") || "";
  var timer = null;
  function update() {
    clearTimeout(timer);
    timer = setTimeout(function () {
      var url = new URL(location.href);
      url.searchParams.set("q", input.value);
      if (kindSelect.value) url.searchParams.set("kind", kindSelect.value);
      else url.searchParams.delete("kind");
      try { history.replaceState(null, "", url); } catch (e) { /* file:// in some browsers */ }
      show();
    }, 150);
  }
  input.addEventListener("input", update);
  kindSelect.addEventListener("change", update);
  form.addEventListener("submit", function (e) { e.preventDefault(); update(); });
  window.coopgraphSearch = search;
  show();
})();
