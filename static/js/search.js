/* Site search on a static host: queries the index that xxgk/search/static_index.py writes under search/.
 * No dependencies, no inline script, nothing from another host. Only what a query needs is fetched:
 * meta.json once, the shard of each query term (and the term's own file when it is large), the
 * lookup bucket when the query could be an 索引号 or 文号, a filter's bitmap when one is chosen, then
 * one small file per result shown (and a further piece of its text when the match lies deeper).
 *
 * Matching follows xxgk/search/tokens.py: NFKC, lower case and traditional characters read as simplified (the pairs
 * of search/t2s.txt, OpenCC's table as xxgk/hanzi.py applies it); a run of Han characters must occur as written
 * (one character: any document containing it; two: the bigram; three or more: trigrams that cover the
 * run, found at exactly the right offsets); a run of ASCII letters and digits must occur as a whole word;
 * every part of the query must match (AND). xxgk.search.static_index.StaticReader is the same algorithm in
 * Python, and the tests hold the two to the same results.
 *
 * Ranking: an exact 索引号/文号 hit first, then more query parts in the title, then more occurrences,
 * then newer documents (documents are numbered oldest first, so a larger number is newer); with sort=date
 * simply newest first.
 * Filters: 发布机构, 主题分类, 文种 and 有效性 (a bitmap each), 年份, and a date range (search/dates.json). */
(function () {
  "use strict";

  var root = document.querySelector("[data-search-base]");
  if (!root) {
    return;
  }
  if (!window.fetch || !window.Promise || !window.TextEncoder || !window.URLSearchParams || !window.Map ||
      !window.Set || !String.prototype.normalize) {
    root.querySelector(".search-status").textContent = "您的浏览器版本过旧，无法使用站内搜索，请升级浏览器后再试。";
    return;
  }
  var BASE = root.getAttribute("data-search-base");
  var SITE = root.getAttribute("data-site-base");
  var form = root.querySelector("form.search-form");
  var input = form.querySelector("[name=q]");
  var status = root.querySelector(".search-status");
  var list = root.querySelector(".search-results");
  var pager = root.querySelector(".search-pager");
  var help = root.querySelector(".search-help");
  var HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff";
  var IS_HAN = new RegExp("^[" + HAN + "]");
  var FILTERS = [["publisher", "publishers", "p"], ["category", "categories", "c"], ["genre", "genres", "g"],
    ["validity", "validities", "v"]];
  var FIELDS = ["q", "publisher", "category", "genre", "validity", "year", "from", "to", "sort"];
  var T2S = new Map(); // traditional -> simplified, from search/t2s.txt
  var meta = null;
  var cache = {};
  var latest = 0; // only the newest search may draw

  /* ---- text ---- */

  function normalize(text) {
    text = text.normalize("NFKC").toLowerCase();
    var out = "";
    for (var i = 0; i < text.length; i++) {
      out += T2S.get(text[i]) || text[i];
    }
    return out;
  }

  function filtered(params) {
    return FILTERS.some(function (f) { return params.get(f[0]); }) ||
      ["year", "from", "to"].some(function (name) { return params.get(name); });
  }

  // The document numbers published from start to end (YYYY-MM-DD, either may be empty), as
  // xxgk.search.static_index.date_span reads the runs of search/dates.json.
  function dateSpan(runs, start, end) {
    var low = start ? Number(start.replace(/-/g, "")) : 0;
    var high = end ? Number(end.replace(/-/g, "")) : 99999999;
    var inside = [];
    runs.forEach(function (run, k) {
      if (run[0] >= low && run[0] <= high) {
        inside.push(k);
      }
    });
    if (!inside.length) {
      return [0, 0];
    }
    var after = inside[inside.length - 1] + 1;
    return [runs[inside[0]][1], after < runs.length ? runs[after][1] : meta.documents];
  }

  function queryParts(query) {
    var parts = [];
    var run = new RegExp("[" + HAN + "]+|[0-9a-z]+", "g");
    var match;
    var text = normalize(query);
    while ((match = run.exec(text)) !== null) {
      if (parts.indexOf(match[0]) < 0) {
        parts.push(match[0]);
      }
    }
    return parts;
  }

  function lookupKey(text) {
    // xxgk.identifiers.normalize_doc_no, then upper case: brackets around a 文号's year become 〔〕.
    return text.normalize("NFKC").replace(/\s+/g, "")
      .replace(/[\[［(（【〔〈﹝<《]\s*(\d{4})\s*年?\s*[\]］)）】〕〉﹞>》]/g, "〔$1〕").toUpperCase();
  }

  function cover(run) {
    var offsets = [];
    for (var k = 0; k < run.length - 2; k += 3) {
      offsets.push(k);
    }
    if (offsets[offsets.length - 1] !== run.length - 3) {
      offsets.push(run.length - 3);
    }
    return offsets;
  }

  /* ---- bytes ---- */

  var CRC = (function () {
    var table = [];
    for (var n = 0; n < 256; n++) {
      var c = n;
      for (var k = 0; k < 8; k++) {
        c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      }
      table.push(c >>> 0);
    }
    return table;
  })();

  function bucketOf(key, buckets) {
    var bytes = new TextEncoder().encode(key);
    var crc = 0xffffffff;
    for (var i = 0; i < bytes.length; i++) {
      crc = CRC[(crc ^ bytes[i]) & 0xff] ^ (crc >>> 8);
    }
    return ((crc ^ 0xffffffff) >>> 0) & (buckets - 1);
  }

  function Reader(bytes, at) {
    this.bytes = bytes;
    this.at = at || 0;
  }
  Reader.prototype.varint = function () {
    var value = 0;
    var scale = 1;
    for (;;) {
      var byte = this.bytes[this.at++];
      value += (byte & 127) * scale;
      if (byte < 128) {
        return value;
      }
      scale *= 128;
    }
  };

  function uint(bytes, at, width) {
    var value = 0;
    for (var k = width - 1; k >= 0; k--) {
      value = value * 256 + bytes[at + k];
    }
    return value;
  }

  function get(path, kind) {
    var url = BASE + path + "?v=" + meta.hash;
    if (!cache[url]) {
      cache[url] = fetch(url).then(function (response) {
        if (response.status === 404) {
          return null;
        }
        if (!response.ok) {
          throw new Error(response.status + " " + url);
        }
        return kind === "json" ? response.json() : kind === "text" ? response.text() :
          response.arrayBuffer().then(function (buffer) { return new Uint8Array(buffer); });
      });
    }
    return cache[url];
  }

  /* ---- postings ---- */

  function postings(term) {
    var bucket = bucketOf(term, meta.term_buckets).toString(16);
    return get("t/" + bucket + ".bin", "bin").then(function (shard) {
      var wanted = new TextEncoder().encode(term);
      var read = new Reader(shard || new Uint8Array(0));
      while (read.at < read.bytes.length) {
        var length = read.varint();
        var same = length === wanted.length;
        for (var i = 0; same && i < length; i++) {
          same = read.bytes[read.at + i] === wanted[i];
        }
        read.at += length;
        var tag = read.varint();
        if (tag) {
          if (same) {
            return get("t/" + bucket + "-" + (tag - 1) + ".bin", "bin");
          }
        } else {
          var size = read.varint();
          if (same) {
            return read.bytes.subarray(read.at, read.at + size);
          }
          read.at += size;
        }
      }
      return null;
    });
  }

  // Characters, bigrams and words: {doc: [occurrences, in title]}.
  function pairs(term) {
    return postings(term).then(function (data) {
      var found = new Map();
      if (!data) {
        return found;
      }
      var read = new Reader(data);
      var df = read.varint();
      var width = meta.doc_width;
      var codes = read.at + df * width;
      for (var i = 0; i < df; i++) {
        var code = data[codes + i];
        found.set(uint(data, read.at + i * width, width), [code >> 1, code & 1]);
      }
      return found;
    });
  }

  // Trigrams: {doc: Set of offsets}.
  function offsets(term) {
    return postings(term).then(function (data) {
      var found = new Map();
      var width = meta.slot_width;
      var scale = Math.pow(2, meta.offset_bits);
      for (var at = 0; data && at < data.length; at += width) {
        var entry = uint(data, at, width);
        var doc = Math.floor(entry / scale);
        if (!found.has(doc)) {
          found.set(doc, new Set());
        }
        found.get(doc).add(entry % scale);
      }
      return found;
    });
  }

  // One part of the query: {doc: [occurrences, in title, first offset in the body or -1]}.
  function matchPart(part) {
    if (part.length < 3 || !IS_HAN.test(part)) {
      return pairs(part);
    }
    var ks = cover(part);
    return Promise.all(ks.map(function (k) { return offsets(part.substr(k, 3)); })).then(function (sets) {
      var found = new Map();
      sets[0].forEach(function (starts, doc) {
        if (!sets.every(function (s) { return s.has(doc); })) {
          return;
        }
        var hits = 0;
        var title = 0;
        var body = -1;
        starts.forEach(function (o) {
          for (var i = 1; i < ks.length; i++) {
            if (!sets[i].get(doc).has(o + ks[i])) {
              return;
            }
          }
          hits += 1;
          if (o < meta.body_at) {
            title = 1;
          } else if (body < 0 || o < body) {
            body = o;
          }
        });
        if (hits) {
          found.set(doc, [hits, title, body]);
        }
      });
      return found;
    });
  }

  function exactHits(query) {
    var key = lookupKey(query.trim());
    if (!/[0-9]/.test(key)) {
      return Promise.resolve([]);
    }
    return get("id/" + bucketOf(key, meta.id_buckets).toString(16) + ".json", "json").then(function (map) {
      return map && Object.prototype.hasOwnProperty.call(map, key) ? map[key] : [];
    });
  }

  // The documents the filters allow, or null for all of them.
  function allowed(params) {
    var checks = [];
    FILTERS.forEach(function (f) {
      var value = params.get(f[0]);
      if (!value) {
        return;
      }
      var index = meta[f[1]].findIndex(function (v) { return v.name === value; });
      checks.push(index < 0 ? Promise.resolve(function () { return false; }) :
        get("f/" + f[2] + index + ".bin", "bin").then(function (bitmap) {
          return function (n) { return !!bitmap && (bitmap[n >> 3] >> (n & 7) & 1) === 1; };
        }));
    });
    var year = Number(params.get("year"));
    if (year) {
      var span = meta.years.find(function (y) { return y.year === year; }) || {first: 0, end: 0};
      checks.push(Promise.resolve(function (n) { return n >= span.first && n < span.end; }));
    }
    if (params.get("from") || params.get("to")) {
      checks.push(get("dates.json", "json").then(function (runs) {
        var range = dateSpan(runs || [], params.get("from"), params.get("to"));
        return function (n) { return n >= range[0] && n < range[1]; };
      }));
    }
    return Promise.all(checks).then(function (tests) {
      return tests.length ? function (n) { return tests.every(function (t) { return t(n); }); } : null;
    });
  }

  function search(params) {
    var query = params.get("q") || "";
    var parts = queryParts(query);
    var byDate = params.get("sort") === "date";
    var anyFilter = filtered(params);
    return Promise.all([Promise.all(parts.map(matchPart)), exactHits(query), allowed(params)]).then(function (r) {
      var matched = r[0];
      var exact = new Set(r[1]);
      var ok = r[2] || function () { return true; };
      var found = new Map();
      if (matched.length) {
        matched[0].forEach(function (m, doc) {
          var all = matched.map(function (p) { return p.get(doc); });
          if (all.every(Boolean)) {
            found.set(doc, all);
          }
        });
      } else if (!exact.size && anyFilter) {
        for (var n = 0; n < meta.documents; n++) {
          found.set(n, []);
        }
      }
      exact.forEach(function (doc) {
        if (!found.has(doc)) {
          found.set(doc, []);
        }
      });
      var hits = [];
      found.forEach(function (all, doc) {
        if (ok(doc)) {
          hits.push({
            doc: doc, exact: exact.has(doc) ? 1 : 0, key: lookupKey(query.trim()), parts: parts, positions: all,
            title: all.reduce(function (s, m) { return s + m[1]; }, 0),
            tf: all.reduce(function (s, m) { return s + m[0]; }, 0)
          });
        }
      });
      hits.sort(byDate ? function (a, b) { return b.doc - a.doc; } : function (a, b) {
        return b.exact - a.exact || b.title - a.title || b.tf - a.tf || b.doc - a.doc;
      });
      return hits;
    });
  }

  /* ---- highlighting ---- */

  // Normalised text with, for each of its characters, the index of the original character it came from.
  function mapped(text) {
    var out = "";
    var from = [];
    for (var i = 0; i < text.length; i++) {
      var code = text.charCodeAt(i);
      var ch = code >= 0xd800 && code < 0xdc00 && i + 1 < text.length ? text.substr(i, 2) : text[i];
      var norm = normalize(ch);
      for (var k = 0; k < norm.length; k++) {
        from.push(i);
      }
      out += norm;
      i += ch.length - 1;
    }
    from.push(text.length);
    return {text: out, from: from};
  }

  // [start, end) ranges of the original text where parts occur (words only as whole words).
  function ranges(text, parts) {
    var m = mapped(text);
    var found = [];
    parts.forEach(function (part) {
      var word = !IS_HAN.test(part);
      for (var at = m.text.indexOf(part); at >= 0; at = m.text.indexOf(part, at + 1)) {
        var end = at + part.length;
        if (word && (/[0-9a-z]/.test(m.text.charAt(at - 1)) || /[0-9a-z]/.test(m.text.charAt(end)))) {
          continue;
        }
        found.push([m.from[at], m.from[end - 1] + 1]);
      }
    });
    found.sort(function (a, b) { return a[0] - b[0]; });
    var merged = [];
    found.forEach(function (r) {
      var last = merged[merged.length - 1];
      if (last && r[0] <= last[1]) {
        last[1] = Math.max(last[1], r[1]);
      } else {
        merged.push(r.slice());
      }
    });
    return merged;
  }

  function marked(element, text, found) {
    var at = 0;
    found.forEach(function (r) {
      element.appendChild(document.createTextNode(text.slice(at, r[0])));
      var mark = document.createElement("mark");
      mark.textContent = text.slice(r[0], r[1]);
      element.appendChild(mark);
      at = r[1];
    });
    element.appendChild(document.createTextNode(text.slice(at)));
    return element;
  }

  var BEFORE = 30;
  var LENGTH = 140;

  function snippet(element, text, parts) {
    text = text.replace(/\s+/g, " ").trim();
    var found = ranges(text, parts);
    var start = found.length ? Math.max(0, found[0][0] - BEFORE) : 0;
    var end = Math.min(text.length, start + LENGTH);
    var shown = (start > 0 ? "…" : "") + text.slice(start, end) + (end < text.length ? "…" : "");
    var shift = start > 0 ? start - 1 : 0;
    marked(element, shown, found.filter(function (r) { return r[0] >= start && r[1] <= end; })
      .map(function (r) { return [r[0] - shift, r[1] - shift]; }));
  }

  // The piece of a document's text to quote: the first that contains a part, looking no further than needed.
  function quoted(hit, doc) {
    var parts = hit.parts;
    if (!parts.length || ranges(doc.text, parts).length || !doc.pieces || hit.title === parts.length) {
      return Promise.resolve(doc.text || doc.summary || "");
    }
    var known = hit.positions.map(function (p) { return p[2]; }).filter(function (o) { return o >= 0; });
    // Offsets count Han characters and run breaks, never more than the character's place in the text.
    var before = known.length ? Math.min.apply(null, known) - meta.body_at - meta.lead : 0;
    var from = Math.max(1, 1 + Math.floor(before / meta.segment));
    var tries = known.length ? 3 : 2;
    function next(k, left) {
      if (k > doc.pieces || !left) {
        return Promise.resolve(doc.text || doc.summary || "");
      }
      return get("d/" + hit.doc + "-" + k + ".txt", "text").then(function (piece) {
        return piece && ranges(piece, parts).length ? piece : next(k + 1, left - 1);
      });
    }
    return next(Math.min(from, doc.pieces), tries);
  }

  /* ---- drawing ---- */

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    if (text !== undefined) {
      node.textContent = text;
    }
    return node;
  }

  function fact(dl, label, value, exact) {
    if (!value) {
      return;
    }
    var item = el("div");
    item.appendChild(el("dt", "", label));
    var dd = el("dd");
    marked(dd, value, exact ? [[0, value.length]] : []);
    item.appendChild(dd);
    dl.appendChild(item);
  }

  function drawHit(hit, doc) {
    var item = el("li", "search-result");
    var heading = el("h2", "search-result-title");
    var link = el("a");
    link.href = SITE + doc.url;
    marked(link, doc.title, ranges(doc.title, hit.parts));
    heading.appendChild(link);
    if (doc.validity && doc.validity !== "有效") {
      heading.appendChild(el("span", "validity-tag", doc.validity));
    }
    item.appendChild(heading);
    var text = el("p", "search-snippet");
    item.appendChild(text);
    var dl = el("dl", "search-result-meta");
    fact(dl, "索引号", doc.index_no, hit.exact && lookupKey(doc.index_no) === hit.key);
    fact(dl, "文号", doc.doc_no, hit.exact && lookupKey(doc.doc_no) === hit.key);
    fact(dl, "发布机构", doc.publisher);
    fact(dl, "发布日期", doc.published);
    item.appendChild(dl);
    return quoted(hit, doc).then(function (piece) {
      snippet(text, piece, hit.parts);
      return item;
    });
  }

  function pageHref(params, number) {
    var next = new URLSearchParams(params);
    if (number > 1) {
      next.set("page", String(number));
    } else {
      next.delete("page");
    }
    return "?" + next.toString();
  }

  function drawPager(params, page, count) {
    pager.textContent = "";
    pager.hidden = count < 2;
    if (count < 2) {
      return;
    }
    var ul = el("ul");
    function add(label, number, current, aria) {
      var li = el("li");
      if (number === null) {
        li.appendChild(el("span", "pager-off", label));
      } else {
        var a = el("a", "", label);
        a.href = pageHref(params, number);
        a.setAttribute("data-page", String(number));
        if (aria) {
          a.setAttribute("aria-label", aria);
        }
        if (current) {
          a.setAttribute("aria-current", "page");
        }
        li.appendChild(a);
      }
      ul.appendChild(li);
    }
    add("上一页", page > 1 ? page - 1 : null);
    var shown = [];
    for (var n = 1; n <= count; n++) {
      if (n === 1 || n === count || Math.abs(n - page) <= 2) {
        shown.push(n);
      }
    }
    shown.forEach(function (n, i) {
      if (i && n - shown[i - 1] > 1) {
        var gap = el("li", "pager-gap", "…");
        gap.setAttribute("aria-hidden", "true");
        ul.appendChild(gap);
      }
      add(String(n), n, n === page, "第 " + n + " 页");
    });
    add("下一页", page < count ? page + 1 : null);
    pager.appendChild(ul);
    pager.appendChild(el("p", "pager-total", "第 " + page + " 页，共 " + count + " 页"));
  }

  function say(text) {
    status.textContent = text;
  }

  // What to try when nothing was found: each word alone, the query without filters, browsing.
  function suggest(params) {
    var list = help.querySelector(".search-tries");
    list.textContent = "";
    function tryLink(text, next) {
      var li = el("li");
      var a = el("a", "", text);
      a.href = "?" + next.toString();
      a.setAttribute("data-search", "");
      li.appendChild(a);
      list.appendChild(li);
    }
    var words = (params.get("q") || "").trim().split(/\s+/).filter(Boolean);
    if (words.length > 1) {
      words.forEach(function (word) {
        tryLink("只搜索“" + word + "”", new URLSearchParams({q: word}));
      });
    }
    if (filtered(params) && words.length) {
      tryLink("不加筛选条件搜索“" + words.join(" ") + "”", new URLSearchParams({q: words.join(" ")}));
    }
    if (words.length === 1 && words[0].length > 2 && IS_HAN.test(words[0])) {
      tryLink("换用较短的词：“" + words[0].slice(0, 2) + "”", new URLSearchParams({q: words[0].slice(0, 2)}));
    }
    help.querySelector(".search-tries-block").hidden = !list.children.length;
    help.hidden = false;
  }

  function run(params, focus) {
    var query = (params.get("q") || "").trim();
    var ticket = ++latest;
    list.textContent = "";
    pager.hidden = true;
    help.hidden = true;
    if (!query && !filtered(params)) {
      say("请输入关键词，或选择发布机构、主题分类、文种、有效性、年份或发布日期。");
      return Promise.resolve();
    }
    say("正在搜索…");
    return search(params).then(function (hits) {
      var size = meta.page_size;
      var count = Math.max(1, Math.ceil(hits.length / size));
      var page = Math.min(Math.max(1, parseInt(params.get("page"), 10) || 1), count);
      var shown = hits.slice((page - 1) * size, page * size);
      return Promise.all(shown.map(function (hit) {
        return get("d/" + hit.doc + ".json", "json").then(function (doc) { return drawHit(hit, doc); });
      })).then(function (items) {
        if (ticket !== latest) {
          return;
        }
        items.forEach(function (item) { list.appendChild(item); });
        list.setAttribute("start", String((page - 1) * size + 1));
        var what = query ? "与“" + query + "”相关的" : "符合条件的";
        say(hits.length ? "找到" + what + "信息 " + hits.length + " 条" + (count > 1 ? "，第 " + page + " 页" : "") +
          (params.get("sort") === "date" ? "，按发布日期从新到旧排列" : "") + "。" :
          "没有找到" + what + "信息。");
        if (!hits.length) {
          suggest(params);
        }
        drawPager(params, page, count);
        if (focus) {
          status.focus();
        }
      });
    }).catch(function () {
      if (ticket === latest) {
        say("搜索暂时无法使用，请稍后再试。");
      }
    });
  }

  /* ---- the form ---- */

  function fill(select, values, chosen, label) {
    values.forEach(function (v) {
      var option = el("option", "", label(v));
      option.value = String(v.name || v.year);
      select.appendChild(option);
    });
    select.value = chosen || "";
    if (select.value !== (chosen || "")) {
      select.value = "";
    }
  }

  function showParams(params) {
    FIELDS.forEach(function (name) {
      form.querySelector("[name=" + name + "]").value = params.get(name) || "";
    });
  }

  function paramsOfForm() {
    var params = new URLSearchParams();
    FIELDS.forEach(function (name) {
      var value = form.querySelector("[name=" + name + "]").value.trim();
      if (value) {
        params.set(name, value);
      }
    });
    return params;
  }

  function go(params, focus) {
    var search = params.toString();
    history.pushState(null, "", search ? "?" + search : location.pathname);
    showParams(params);
    return run(params, focus);
  }

  fetch(BASE + "meta.json", {cache: "no-cache"}).then(function (response) {
    if (!response.ok) {
      throw new Error(String(response.status));
    }
    return response.json();
  }).then(function (loaded) {
    meta = loaded;
    return get("t2s.txt", "text");
  }).then(function (pairs) {
    // One BMP character each: a traditional one, then its simplified form.
    for (var k = 0; pairs && k + 1 < pairs.length; k += 2) {
      T2S.set(pairs[k], pairs[k + 1]);
    }
    var params = new URLSearchParams(location.search);
    FILTERS.forEach(function (f) {
      fill(form.querySelector("[name=" + f[0] + "]"), meta[f[1]] || [], params.get(f[0]),
        function (v) { return v.name + "（" + v.count + "）"; });
    });
    fill(form.querySelector("[name=year]"), meta.years, params.get("year"),
      function (v) { return v.year + "年（" + (v.end - v.first) + "）"; });
    showParams(params);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      go(paramsOfForm(), true);
    });
    root.addEventListener("click", function (event) {
      var link = event.target.closest ? event.target.closest("a[data-page], a[data-search]") : null;
      if (link) {
        event.preventDefault();
        go(new URLSearchParams(link.search), true);
      }
    });
    window.addEventListener("popstate", function () {
      var params = new URLSearchParams(location.search);
      showParams(params);
      run(params, false);
    });
    root.setAttribute("data-ready", "true");
    return run(params, false);
  }).catch(function () {
    say("搜索暂时无法使用，请稍后再试。");
  });
})();
