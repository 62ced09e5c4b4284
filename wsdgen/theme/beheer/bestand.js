/*
 * wsdgen's file format for /beheer/ (Decap CMS format "wsdgen-frontmatter"): a saved
 * entry keeps the file as it was written, so a merge request shows only the real change.
 *
 * fromFile(text) reads the '---' front matter and the Markdown body, and remembers the
 * whole original text in the hidden data key ORIGINAL (Decap keeps data keys that are no
 * field, and passes only the data to toFile). toFile(data) edits that original text:
 * - an unchanged key keeps its exact lines (comments, quoting, order, wrapping);
 * - a changed scalar gets a new value on its own lines, in the original's quote style
 *   where it can (quoted only where YAML needs it); a changed list is written again in
 *   the original's list style (flow [a, b] or "- a" lines with the same indent);
 * - a removed key loses its lines; a new key is added after the last one, in field order;
 * - the body is kept byte for byte unless its text changed;
 * - the byte order mark and the line ends (LF or CRLF) stay as they were.
 * A new entry gets clean front matter in the collection's field order.
 *
 * The front matter of wsdgen's content model is flat: scalars (plain, quoted, block
 * scalars such as "summary: >-"), lists of scalars, no nested groups. That subset is
 * read here with YAML 1.2 core types, as Decap's own reader does (so the form shows the
 * same values as before); a file outside it (anchors, tags, nested groups) is not
 * edited: the form shows it empty and saving it is refused with a message.
 *
 * Also a CommonJS module (module.exports), so the tests run it in Node.
 */
(function (root, factory) {
  "use strict";
  var api = factory();
  if (typeof module !== "undefined" && module.exports) {
    module.exports = api;
  }
  if (root && root.CMS && typeof root.CMS.registerCustomFormat === "function") {
    root.CMS.registerCustomFormat(api.NAME, "md", { fromFile: api.fromFile, toFile: api.toFile });
  }
})(typeof window !== "undefined" ? window : null, function () {
  "use strict";

  var NAME = "wsdgen-frontmatter";
  var ORIGINAL = "__wsdgen_bestand"; // the file's text as it was read
  var PROBLEM = "__wsdgen_leesfout"; // why the file cannot be edited here
  var BODY = "body";
  var BOUNDARY = /^-{3,}[ \t]*$/;
  var KEY_LINE = /^([A-Za-z_][A-Za-z0-9_.-]*)[ \t]*:(?:[ \t]+(.*?))?[ \t]*$/;
  var SEQ_ITEM = /^([ \t]*)-(?:[ \t]+(.*?))?[ \t]*$/;
  var CONTROL = /[\x00-\x08\x0a-\x1f\x7f\x85\u2028\u2029\ufeff]/;
  var DEFAULT_WIDTH = 80;

  function Unreadable(message) {
    this.message = message;
  }

  function fail(message) {
    throw new Unreadable(message);
  }

  // --- Reading ---

  function lineText(piece) {
    return piece.replace(/\r?\n$/, "");
  }

  function isBlank(line) {
    return /^[ \t]*$/.test(line);
  }

  function isComment(line) {
    return /^[ \t]*#/.test(line);
  }

  /* YAML 1.2 core types of a plain scalar, as Decap's own YAML reader gives them. */
  function resolvePlain(text) {
    if (/^(~|null|Null|NULL|)$/.test(text)) return null;
    if (/^(true|True|TRUE)$/.test(text)) return true;
    if (/^(false|False|FALSE)$/.test(text)) return false;
    if (/^[-+]?[0-9]+$/.test(text)) return Number(text);
    if (/^0o[0-7]+$/.test(text)) return parseInt(text.slice(2), 8);
    if (/^0x[0-9a-fA-F]+$/.test(text)) return parseInt(text.slice(2), 16);
    if (/^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/.test(text)) return Number(text);
    if (/^[-+]?\.(inf|Inf|INF)$/.test(text)) return text.charAt(0) === "-" ? -Infinity : Infinity;
    if (/^\.(nan|NaN|NAN)$/.test(text)) return NaN;
    return text;
  }

  var ESCAPES = {
    "0": "\0", a: "\x07", b: "\b", t: "\t", "\t": "\t", n: "\n", v: "\x0b", f: "\f",
    r: "\r", e: "\x1b", " ": " ", '"': '"', "/": "/", "\\": "\\", N: "\x85", _: "\xa0",
    L: "\u2028", P: "\u2029"
  };
  var HEX_ESCAPES = { x: 2, u: 4, U: 8 };

  /*
   * A quoted scalar starting at text[start] (the quote); the line breaks inside fold as
   * YAML folds them (one break: a space; n breaks: n-1 newlines). Gives the value and
   * the index after the closing quote.
   */
  function readQuoted(text, start) {
    var quote = text.charAt(start);
    var out = "";
    var spaces = ""; // white space seen but not yet known to be inside a line
    var i = start + 1;
    while (i < text.length) {
      var ch = text.charAt(i);
      if (ch === quote) {
        if (quote === "'" && text.charAt(i + 1) === "'") {
          out += spaces + "'";
          spaces = "";
          i += 2;
          continue;
        }
        return { value: out + spaces, end: i + 1 };
      }
      if (ch === "\\" && quote === '"') {
        var next = text.charAt(i + 1);
        out += spaces;
        spaces = "";
        if (next === "\n") {
          i += 2;
          while (/[ \t]/.test(text.charAt(i))) i++;
          continue;
        }
        if (HEX_ESCAPES[next]) {
          var digits = text.substr(i + 2, HEX_ESCAPES[next]);
          if (!/^[0-9a-fA-F]+$/.test(digits) || digits.length !== HEX_ESCAPES[next]) {
            fail("een ongeldige \\" + next + " tussen aanhalingstekens");
          }
          out += String.fromCodePoint(parseInt(digits, 16));
          i += 2 + digits.length;
          continue;
        }
        if (!(next in ESCAPES)) fail("een onbekende \\" + next + " tussen aanhalingstekens");
        out += ESCAPES[next];
        i += 2;
        continue;
      }
      if (ch === "\n") {
        var breaks = 0;
        spaces = "";
        while (text.charAt(i) === "\n") {
          breaks++;
          i++;
          while (/[ \t]/.test(text.charAt(i))) i++;
        }
        out += breaks === 1 ? " " : new Array(breaks).join("\n");
        continue;
      }
      if (ch === " " || ch === "\t") {
        spaces += ch;
      } else {
        out += spaces + ch;
        spaces = "";
      }
      i++;
    }
    return fail("een aanhalingsteken wordt niet gesloten");
  }

  /* A plain (unquoted) scalar over several lines: lines fold into spaces. */
  function foldPlain(lines) {
    var out = "";
    var breaks = 0;
    lines.forEach(function (line, index) {
      var part = line.trim();
      if (part === "") {
        breaks++;
        return;
      }
      if (index > 0 && out !== "") out += breaks === 0 ? " " : new Array(breaks + 1).join("\n");
      out += part;
      breaks = 0;
    });
    return out;
  }

  function plainRest(text) {
    var comment = text.search(/(^|[ \t])#/);
    return comment === -1 ? { text: text, comment: "" } : {
      text: text.slice(0, comment).replace(/[ \t]+$/, ""),
      comment: text.slice(comment).replace(/^(?=#)/, " ")
    };
  }

  function checkPlain(text) {
    if (/^[&*!%@`{]/.test(text)) fail("YAML die hier niet bewerkt kan worden: " + text.slice(0, 20));
    if (/:([ \t]|$)/.test(text)) fail("een dubbele punt in een waarde zonder aanhalingstekens");
  }

  /*
   * One scalar from its lines (the first is what follows "key:" or "- "): the value and
   * its style (plain, double, single) and a comment after it on the first line.
   */
  function readScalar(lines) {
    var first = lines[0];
    var quote = first.charAt(0);
    if (quote === '"' || quote === "'") {
      var joined = lines.join("\n");
      var read = readQuoted(joined, 0);
      var after = joined.slice(read.end);
      if (!/^[ \t]*(#.*)?(\n[ \t]*(#.*)?)*$/.test(after)) fail("tekst na een waarde tussen aanhalingstekens");
      var note = read.end <= first.length ? after.split("\n")[0].trim() : "";
      return { value: read.value, style: quote === '"' ? "double" : "single", comment: note ? " " + note : "" };
    }
    var parts = [];
    var comment = "";
    for (var i = 0; i < lines.length; i++) {
      var rest = plainRest(lines[i]);
      if (i === 0) comment = rest.comment;
      if (i > 0 && isComment(lines[i])) {
        if (lines.slice(i).some(function (l) { return !isBlank(l) && !isComment(l); })) {
          fail("een opmerking midden in een waarde");
        }
        break;
      }
      parts.push(rest.text);
      if (rest.comment && i > 0) break;
    }
    var text = foldPlain(parts);
    checkPlain(text);
    return { value: parts.length > 1 ? text : resolvePlain(text), style: "plain", comment: comment };
  }

  /* A block scalar ("|", ">-", ...) whose header is `header` and content lines `lines`. */
  function readBlockScalar(header, lines) {
    var match = /^([|>])([1-9]?)([+-]?)([1-9]?)[ \t]*(#.*)?$/.exec(header);
    if (!match) fail("een ongeldige kop van een tekstblok: " + header);
    var explicit = Number(match[2] || match[4] || 0);
    var chomp = match[3];
    var indent = explicit;
    if (!indent) {
      var firstText = lines.filter(function (l) { return !isBlank(l); })[0] || "";
      indent = firstText.length - firstText.replace(/^ +/, "").length;
    }
    var content = lines.map(function (line) {
      if (isBlank(line) && line.length <= indent) return "";
      if (line.slice(0, indent).trim() !== "") fail("de inspringing van een tekstblok klopt niet");
      return line.slice(indent);
    });
    var trailing = 0;
    while (content.length && content[content.length - 1] === "") {
      content.pop();
      trailing++;
    }
    var text;
    if (match[1] === "|") {
      text = content.join("\n");
    } else {
      text = "";
      var empty = 0;
      var previousMore = false;
      var started = false;
      content.forEach(function (line) {
        if (line === "") {
          empty++;
          return;
        }
        var more = /^[ \t]/.test(line);
        if (!started) {
          text += new Array(empty + 1).join("\n");
        } else if (previousMore || more) {
          text += new Array(empty + 2).join("\n");
        } else {
          text += empty ? new Array(empty + 1).join("\n") : " ";
        }
        text += line;
        started = true;
        previousMore = more;
        empty = 0;
      });
    }
    if (content.length && chomp !== "-") text += "\n";
    if (chomp === "+") text += new Array(trailing + 1).join("\n");
    return {
      value: text,
      style: "block",
      header: match[1] + match[2] + match[3] + match[4],
      indent: new Array(indent + 1).join(" "),
      width: Math.max.apply(null, [0].concat(lines.map(function (l) { return l.length; })))
    };
  }

  /* A flow list "[a, 'b', "c"]", possibly over several lines. */
  function readFlowList(lines) {
    var text = lines.join("\n");
    var items = [];
    var styles = [];
    var i = 1;
    function skip() {
      while (/[ \t\n]/.test(text.charAt(i))) i++;
    }
    skip();
    if (text.charAt(i) === "]") {
      i++;
    } else {
      for (;;) {
        skip();
        var ch = text.charAt(i);
        if (ch === '"' || ch === "'") {
          var read = readQuoted(text, i);
          items.push(read.value);
          styles.push(ch === '"' ? "double" : "single");
          i = read.end;
        } else {
          var end = i;
          while (end < text.length && !/[,\]\[{}#]/.test(text.charAt(end))) end++;
          if (/[\[{}#]/.test(text.charAt(end)) || end >= text.length) {
            fail("een lijst tussen [ ] die hier niet bewerkt kan worden");
          }
          var plain = foldPlain(text.slice(i, end).split("\n"));
          checkPlain(plain);
          items.push(resolvePlain(plain));
          styles.push("plain");
          i = end;
        }
        skip();
        if (text.charAt(i) === ",") {
          i++;
          skip();
          if (text.charAt(i) === "]") {
            i++;
            break;
          }
          continue;
        }
        if (text.charAt(i) === "]") {
          i++;
          break;
        }
        fail("een lijst tussen [ ] wordt niet gesloten met ]");
      }
    }
    var after = text.slice(i);
    if (!/^[ \t]*(#.*)?(\n[ \t]*(#.*)?)*$/.test(after)) fail("tekst na een lijst tussen [ ]");
    var firstLineAfter = after.split("\n")[0];
    return {
      value: items,
      style: "flow",
      itemStyle: styles[0] || "plain",
      comment: lines.length === 1 && firstLineAfter.trim() ? " " + firstLineAfter.trim() : ""
    };
  }

  /* A block list: "- item" lines with the same indent (items may fold over lines). */
  function readBlockList(lines) {
    var items = [];
    var styles = [];
    var current = null;
    var indent = null;
    function finish() {
      if (!current) return;
      while (current.length > 1 && isBlank(current[current.length - 1])) current.pop();
      if (current[0] === "") {
        if (current.slice(1).some(function (l) { return !isBlank(l) && !isComment(l); })) {
          fail("een lijst in een lijst, of een groep in een lijst");
        }
        items.push(null);
        styles.push("plain");
      } else {
        var read = readScalar(current);
        items.push(read.value);
        styles.push(read.style);
      }
      current = null;
    }
    lines.forEach(function (line) {
      var match = SEQ_ITEM.exec(line);
      if (match && (indent === null || match[1] === indent)) {
        finish();
        indent = match[1];
        var rest = match[2] || "";
        if (/^(-([ \t]|$)|\[|\{)/.test(rest)) fail("een lijst in een lijst, of een groep in een lijst");
        current = [rest];
      } else if (current && (isBlank(line) || line.length - line.replace(/^[ \t]+/, "").length > indent.length)) {
        current.push(line.trim() === "" ? "" : line);
      } else if (!isBlank(line) && !isComment(line)) {
        fail("een lijst-item ('- ...') springt niet goed in");
      }
    });
    finish();
    return { value: items, style: "block-list", indent: indent || "", itemStyle: styles[0] || "plain" };
  }

  /* The value of one key: `rest` follows "key:" on its line, `lines` are the lines under it. */
  function readValue(rest, lines) {
    rest = rest || "";
    if (/^[|>]/.test(rest)) return readBlockScalar(rest, lines);
    if (rest.charAt(0) === "[") return readFlowList([rest].concat(lines));
    if (rest === "" || rest.charAt(0) === "#") {
      var content = lines.filter(function (l) { return !isBlank(l) && !isComment(l); });
      if (!content.length) return { value: null, style: "plain", comment: rest ? " " + rest : "" };
      if (SEQ_ITEM.test(content[0])) return readBlockList(lines);
      var first = lines.findIndex(function (l) { return !isBlank(l) && !isComment(l); });
      var below = readValue(content[0].trim(), lines.slice(first + 1));
      if (below.style === "block-list" || below.style === "block") fail("een waarde die hier niet bewerkt kan worden");
      below.below = true;
      return below;
    }
    return readScalar([rest].concat(lines));
  }

  /*
   * The fields of front matter lines (without line ends): for each its name, value,
   * style and the range of lines [start, end) that hold it.
   */
  function readFields(lines) {
    var fields = [];
    var i = 0;
    while (i < lines.length) {
      var line = lines[i];
      if (isBlank(line) || isComment(line)) {
        i++;
        continue;
      }
      var match = KEY_LINE.exec(line);
      if (!match) fail("regel " + (i + 2) + " van de kopregels kan hier niet bewerkt worden");
      var rest = match[2] || "";
      var end = i + 1;
      for (var j = i + 1; j < lines.length; j++) {
        var next = lines[j];
        if (/^[ \t]/.test(next) && !isBlank(next)) {
          end = j + 1;
        } else if (rest === "" && /^-([ \t]|$)/.test(next)) {
          end = j + 1;
        } else if (!isBlank(next) && !isComment(next)) {
          break;
        }
      }
      var read = readValue(rest, lines.slice(i + 1, end));
      read.name = match[1];
      read.start = i;
      read.end = end;
      fields.push(read);
      i = end;
    }
    return fields;
  }

  /* A file's parts: BOM, line end, front matter lines (with their ends), fields, body. */
  function parse(text) {
    var bom = text.charAt(0) === "\ufeff" ? "\ufeff" : "";
    var rest = bom ? text.slice(1) : text;
    var eol = /\r\n/.test(rest) ? "\r\n" : "\n";
    var pieces = rest.split(/(?<=\n)/);
    if (!pieces.length || !BOUNDARY.test(lineText(pieces[0]))) {
      return { bom: bom, eol: eol, opening: null, closing: null, front: [], fields: [], body: rest };
    }
    var close = -1;
    for (var i = 1; i < pieces.length; i++) {
      if (BOUNDARY.test(lineText(pieces[i]))) {
        close = i;
        break;
      }
    }
    if (close === -1) fail("de kopregels worden niet afgesloten met een regel '---'");
    var front = pieces.slice(1, close);
    return {
      bom: bom,
      eol: eol,
      opening: pieces[0],
      closing: pieces[close],
      front: front,
      fields: readFields(front.map(lineText)),
      body: pieces.slice(close + 1).join("")
    };
  }

  function toLf(text) {
    return text.replace(/\r\n/g, "\n");
  }

  function fromFile(text) {
    if (typeof text !== "string") text = "";
    var data = {};
    try {
      var file = parse(text);
      file.fields.forEach(function (field) {
        if (!(field.name in data)) data[field.name] = field.value;
      });
      var body = toLf(file.body);
      if (body.trim()) data[BODY] = body;
    } catch (error) {
      if (!(error instanceof Unreadable)) throw error;
      data = {};
      data[PROBLEM] = error.message;
    }
    data[ORIGINAL] = text;
    return data;
  }

  // --- Writing ---

  /* Whether a string may be written without quotes and read back as the same string,
   * by YAML 1.2 (Decap) and 1.1 (PyYAML and other tools: 15:30 is a number there). */
  function plainSafe(text, inFlow) {
    if (text === "" || text !== text.trim() || CONTROL.test(text) || /\t/.test(text)) return false;
    if (/^[-?:,\[\]{}#&*!|>'"%@`]/.test(text)) return false;
    if (/:([ \t]|$)| #/.test(text)) return false;
    if (inFlow && /[,\[\]{}:#]/.test(text)) return false; // YAML 1.1 ends a flow scalar at ":"
    if (resolvePlain(text) !== text) return false;
    if (/^(y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF|=|<<)$/.test(text)) return false;
    if (/^[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?$/.test(text)) return false;
    if (/^[-+]?(0b[01_]+|[0-9][0-9_]*|0x[0-9a-fA-F_]+)$/.test(text)) return false;
    if (/^[-+]?([0-9][0-9_]*)?\.[0-9_]*([eE][-+]?[0-9]+)?$/.test(text)) return false;
    // A date on its own (a date field) stays plain; a timestamp with a time is quoted.
    if (/^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}([Tt \t]|$)/.test(text) && !/^[0-9]{4}-[0-9]{2}-[0-9]{2}$/.test(text)) {
      return false;
    }
    return true;
  }

  function doubleQuoted(text) {
    return JSON.stringify(text);
  }

  function singleQuoted(text) {
    return "'" + text.replace(/'/g, "''") + "'";
  }

  function isoDate(date) {
    var iso = date.toISOString();
    return /T00:00:00\.000Z$/.test(iso) ? iso.slice(0, 10) : iso;
  }

  /* A value written on one line in `style` (the original's) or the file's quote. */
  function inlineValue(value, style, quote, inFlow) {
    if (value === null || value === undefined) return "";
    if (typeof value === "boolean") return value ? "true" : "false";
    if (typeof value === "number") {
      if (isNaN(value)) return ".nan";
      if (!isFinite(value)) return value > 0 ? ".inf" : "-.inf";
      return String(value);
    }
    if (value instanceof Date) value = isoDate(value);
    if (typeof value === "object") return JSON.stringify(value); // not in the content model
    var text = String(value);
    var singleOk = !CONTROL.test(text);
    if (style === "double") return doubleQuoted(text);
    if (style === "single" && singleOk) return singleQuoted(text);
    if (plainSafe(text, inFlow)) return text;
    return quote === "double" || !singleOk ? doubleQuoted(text) : singleQuoted(text);
  }

  /* A changed folded or literal block scalar, in the original's header and indent. */
  function blockLines(name, text, old) {
    var chomp = /\n$/.test(text) ? "" : "-";
    var core = text.replace(/\n$/, "");
    if (core === "" || /\n$/.test(core) || /^[ \t\n]/.test(core) || /[\r\x00-\x08\x0b-\x1f\x7f\ufeff]/.test(core)) {
      return null;
    }
    var folded = old.header.charAt(0) === ">";
    if (folded && (/\n/.test(core) || /[ \t]$|[ \t]{2}|\t/.test(core))) folded = false;
    var lines = [name + ": " + (folded ? ">" : "|") + chomp];
    if (!folded) {
      core.split("\n").forEach(function (line) {
        lines.push(line ? old.indent + line : "");
      });
      return lines;
    }
    var width = Math.max(old.width || 0, DEFAULT_WIDTH); // the original's, at least 80
    var line = "";
    core.split(" ").forEach(function (word) {
      if (line && (old.indent + line + " " + word).length > width) {
        lines.push(old.indent + line);
        line = word;
      } else {
        line = line ? line + " " + word : word;
      }
    });
    lines.push(old.indent + line);
    return lines;
  }

  /* The lines of one key with its new value, in the style of `old` (or a default). */
  function fieldLines(name, value, old, quote) {
    old = old || { style: "plain", comment: "" };
    var comment = old.comment || "";
    if (Array.isArray(value)) {
      var itemStyle = old.itemStyle || "plain";
      if (old.style === "flow" || value.length === 0) {
        var items = value.map(function (item) { return inlineValue(item, itemStyle, quote, true); });
        return [name + ": [" + items.join(", ") + "]" + comment];
      }
      var indent = old.style === "block-list" ? old.indent : "  ";
      return [name + ":"].concat(value.map(function (item) {
        return indent + "- " + inlineValue(item, itemStyle, quote, false);
      }));
    }
    if (old.style === "block" && typeof value === "string") {
      var block = blockLines(name, value, old);
      if (block) return block;
    }
    var style = old.style === "block" ? "plain" : old.style;
    var written = inlineValue(value, style, quote, false);
    return [name + ":" + (written ? " " + written : "") + comment];
  }

  function canonical(value) {
    if (value === null || value === undefined) return null;
    if (Array.isArray(value)) return value.map(canonical);
    if (value instanceof Date) return isoDate(value);
    if (typeof value === "object") return JSON.stringify(value);
    return String(value);
  }

  function isVoid(value) {
    return value === null || value === undefined || value === "" || (Array.isArray(value) && !value.length);
  }

  /* Whether a value is unchanged: the same text (42 and "42" are, as wsdgen reads text),
   * or empty both times (beheer.js leaves emptied fields out of the data). */
  function same(a, b) {
    if (isVoid(a) && isVoid(b)) return true;
    return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
  }

  /* The quote the file uses most ("double" or "single"), for values that need one. */
  function fileQuote(fields) {
    var count = { double: 0, single: 0 };
    fields.forEach(function (field) {
      if (count[field.style] !== undefined) count[field.style]++;
      if (count[field.itemStyle] !== undefined) count[field.itemStyle]++;
    });
    return count.double > count.single ? "double" : "single";
  }

  /* The keys of `data` to write, in field order, then any others as they come. */
  function keysInOrder(data, order) {
    var keys = [];
    (order || []).concat(Object.keys(data)).forEach(function (key) {
      if (key === BODY || key === ORIGINAL || key === PROBLEM) return;
      if (!(key in data) || keys.indexOf(key) !== -1) return;
      if (data[key] === null || data[key] === undefined) return;
      keys.push(key);
    });
    return keys;
  }

  /* A body as it will be written; `old` is the original body when there is one. */
  function bodyText(value, old, eol) {
    var text = toLf(typeof value === "string" ? value : "");
    var core = text.replace(/^([ \t]*\n)+/, "").replace(/\s+$/, "");
    if (old !== null) {
      var oldCore = toLf(old).replace(/^([ \t]*\n)+/, "").replace(/\s+$/, "");
      if (core === oldCore) return old;
      if (core === "") return "";
      var lead = /^([ \t]*\r?\n)*/.exec(old)[0];
      var trail = /\s*$/.exec(old)[0];
      return lead + core.replace(/\n/g, eol) + (oldCore === "" ? eol : trail);
    }
    return core === "" ? "" : core.replace(/\n/g, eol) + eol;
  }

  function newFile(data, order) {
    var lines = keysInOrder(data, order).map(function (key) {
      return fieldLines(key, data[key], null, "single").join("\n");
    });
    return "---\n" + lines.map(function (l) { return l + "\n"; }).join("") + "---\n" + bodyText(data[BODY], null, "\n");
  }

  function toFile(data, order) {
    data = data || {};
    if (data[PROBLEM]) {
      throw new Error(
        "Dit bestand kan hier niet veilig bewerkt worden (" + data[PROBLEM] + "); " +
        "bewerk het in de repository."
      );
    }
    var original = data[ORIGINAL];
    if (typeof original !== "string" || original === "") return newFile(data, order);
    var file = parse(original);
    var eol = file.eol;
    var quote = fileQuote(file.fields);
    var byName = {};
    file.fields.forEach(function (field) {
      if (!(field.name in byName)) byName[field.name] = field;
    });
    var wanted = keysInOrder(data, order);
    var added = wanted.filter(function (key) { return !(key in byName); });
    var out = [];
    var at = 0;
    var lastEnd = file.fields.length ? file.fields[file.fields.length - 1].end : file.front.length;
    var write = function (lines) {
      lines.forEach(function (line) { out.push(line + eol); });
    };
    var seen = {};
    file.fields.forEach(function (field) {
      out.push.apply(out, file.front.slice(at, field.start));
      at = field.end;
      var duplicate = seen[field.name];
      seen[field.name] = true;
      if (duplicate || same(field.value, data[field.name])) {
        out.push.apply(out, file.front.slice(field.start, field.end));
      } else if (wanted.indexOf(field.name) !== -1) {
        write(fieldLines(field.name, data[field.name], field, quote));
      }
      if (field.end === lastEnd) {
        added.forEach(function (key) { write(fieldLines(key, data[key], null, quote)); });
      }
    });
    out.push.apply(out, file.front.slice(at));
    if (!file.fields.length) {
      added.forEach(function (key) { write(fieldLines(key, data[key], null, quote)); });
    }
    var body = bodyText(data[BODY], file.body, eol);
    if (file.opening === null) {
      if (!out.length) return file.bom + body;
      return file.bom + "---" + eol + out.join("") + "---" + eol + body;
    }
    var closing = file.closing;
    if (body && !/\n$/.test(closing)) closing += eol;
    return file.bom + file.opening + out.join("") + closing + body;
  }

  return {
    NAME: NAME,
    ORIGINAL: ORIGINAL,
    PROBLEM: PROBLEM,
    fromFile: fromFile,
    toFile: toFile
  };
});
