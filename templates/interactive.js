// The practice page's own script: a small evaluator of workbook's expression language (the same
// grammar as workbook/expr.py, nothing evaluated as JavaScript), the answer boxes and the descent
// visualizer. Offline: it reads the data the build wrote into the page and fetches nothing.
"use strict";
(function () {
  // ---------------------------------------------------------------- the expression language
  const sigmoid = (x) => 1 / (1 + Math.exp(-x));
  function erf(x) {
    const s = Math.sign(x), a = Math.abs(x);
    if (a < 2.5) {  // the Taylor series
      let term = a, total = a;
      for (let n = 1; n < 80; n++) { term *= -a * a / n; total += term / (2 * n + 1); }
      return s * 2 / Math.sqrt(Math.PI) * total;
    }
    // erfc by its continued fraction (Lentz), accurate past 2.5
    let f = a, c = a, d = 0;
    for (let n = 1; n < 200; n++) {
      const k = n / 2;
      d = a + k * d; d = d === 0 ? 1e-300 : 1 / d;
      c = a + k / c; if (c === 0) c = 1e-300;
      f *= c * d;
    }
    return s * (1 - Math.exp(-a * a) / Math.sqrt(Math.PI) / f);
  }
  const F = {
    sin: Math.sin, cos: Math.cos, tan: Math.tan, sec: (x) => 1 / Math.cos(x), csc: (x) => 1 / Math.sin(x),
    cot: (x) => 1 / Math.tan(x), asin: Math.asin, acos: Math.acos, atan: Math.atan,
    acot: (x) => Math.atan(1 / x), asec: (x) => Math.acos(1 / x), acsc: (x) => Math.asin(1 / x),
    sinh: Math.sinh, cosh: Math.cosh, tanh: Math.tanh, sech: (x) => 1 / Math.cosh(x), csch: (x) => 1 / Math.sinh(x),
    coth: (x) => 1 / Math.tanh(x), asinh: Math.asinh, acosh: Math.acosh, atanh: Math.atanh,
    acoth: (x) => Math.atanh(1 / x), asech: (x) => Math.acosh(1 / x), acsch: (x) => Math.asinh(1 / x),
    exp: Math.exp, ln: Math.log, sqrt: Math.sqrt, abs: Math.abs, sign: Math.sign, erf: erf,
    log2: Math.log2, log10: Math.log10, sigmoid: sigmoid, relu: (x) => Math.max(0, x),
    softplus: (x) => (x > 30 ? x : Math.log1p(Math.exp(x))),
  };
  const ALIAS = { arcsin: "asin", arccos: "acos", arctan: "atan", arccot: "acot", arcsec: "asec", arccsc: "acsc",
    arsinh: "asinh", arcsinh: "asinh", arcosh: "acosh", arccosh: "acosh", artanh: "atanh", arctanh: "atanh",
    arcoth: "acoth", arccoth: "acoth", arsech: "asech", arcsech: "asech", arcsch: "acsch", arccsch: "acsch",
    Abs: "abs", lg: "log10" };
  const INVERSE = { sin: "asin", cos: "acos", tan: "atan", cot: "acot", sec: "asec", csc: "acsc", sinh: "asinh",
    cosh: "acosh", tanh: "atanh", coth: "acoth", sech: "asech", csch: "acsch" };
  const MANY = { log: [1, 2], max: [2, 20], Max: [2, 20], min: [2, 20], Min: [2, 20], Heaviside: [1, 2],
    DiracDelta: [1, 2] };
  const CONSTANTS = { pi: Math.PI, e: Math.E, E: Math.E };
  // functions that tend to a limit, which a double reaches exactly long before the function does
  const SATURATES = ["tanh", "coth", "erf", "sigmoid", "atan", "acot"];
  const has = (table, name) => Object.prototype.hasOwnProperty.call(table, name);  // never "toString" from the prototype
  const isFunction = (name) => has(F, name) || has(ALIAS, name) || has(MANY, name);

  class ParseError extends Error {}
  class Unweighed extends Error {}  // an answer the page reads but cannot weigh: its message sends it to the terminal

  // characters that are not plain ASCII, with the one to type: workbook/expr.py's _LOOKALIKES, put in as the page is
  // written (render.practice_script)
  const LOOKALIKES = {};
  // other countries' and calculators' names of functions (sh for sinh): workbook/expr.py's _SPELLINGS, put in likewise
  const SPELLINGS = {};
  function tokenize(text) {
    // 1e-5 would read as 1 times e minus 5: refused with both spellings, as workbook solve refuses it
    const sci = /(?<![A-Za-z0-9_.])(\d+\.?\d*|\.\d+)[eE]([+-]?)(\d+)/.exec(text);
    if (sci) throw new ParseError(`'${sci[0]}' has two readings; write ${sci[1]}*10^${sci[2].replace("+", "")}${sci[3]} or ${sci[1]}*e`);
    if (/^\s*[<\u27e8][^<>]*,[^<>]*[>\u27e9]\s*$/.test(text)) {  // <-4, -1>, a vector as many books write one
      throw new ParseError("a vector is written in round brackets here, (-4, -1), or as its parts, -4, -1");
    }
    if (/\bif\b|[<>]/.test(text)) {  // the answer in pieces, as workbook prints one
      throw new ParseError("a function in pieces is written with a step or a corner here: for 'A if x < 0; B if x > 0' type A + (B - A) Heaviside(x), or use relu(x), |x|, max(...)");
    }
    const re = /\s*(?:(\d+(?:\.\d*)?|\.\d+)|([A-Za-z][A-Za-z0-9_]*)|(\*\*|[-+*/^(),|]))/y;
    const out = [];
    let pos = 0;
    while (pos < text.length) {
      if (/^\s*$/.test(text.slice(pos))) break;
      re.lastIndex = pos;
      const m = re.exec(text);
      if (!m) {
        // with the plain character to type, as workbook/expr.py's _LOOKALIKES say it (a bare "unexpected '·'": attack46 F13)
        const ch = text.slice(pos).trim()[0], plain = ch.normalize("NFKC");
        let hint = LOOKALIKES[ch] ? `; type ${LOOKALIKES[ch]} instead` : /^[\x20-\x7e]+$/.test(plain) && plain !== ch ? `; it looks like '${plain}', type that instead` : "";
        if (/[\u2070-\u209f\u00b2\u00b3\u00b9]/.test(ch)) hint = `; for a power write ^${LOOKALIKES[plain] || plain}`;
        throw new ParseError(`unexpected '${ch}' at position ${pos + 1}${/[\x20-\x7e]/.test(ch) ? "" : ` (only plain ASCII is allowed${hint})`}`);
      }
      const token = m[1] !== undefined ? { kind: "num", text: m[1] } : m[2] !== undefined ? { kind: "name", text: m[2] }
        : { kind: "op", text: m[3] === "**" ? "^" : m[3] };
      token.end = re.lastIndex;
      token.start = re.lastIndex - (m[1] || m[2] || m[3]).length;
      out.push(token);
      pos = re.lastIndex;
    }
    out.push({ kind: "end", text: "" });
    return out;
  }

  // A name of a few of the variables written together is their product, as workbook/expr.py's _products reads it:
  // 2xy^2 is 2·x·y², as the key prints it (user48 F10: the key's own t(8st + 2s + 3t) was refused)
  // whether a run of letters holds a function's or a constant's name anywhere in it (8pix: 8·pi·x or 8·p·i·x), as
  // workbook/expr.py's _holds_a_name: never split, but refused with both readings
  function holdsAName(text) {
    for (let i = 0; i < text.length; i++) {
      for (let j = i + 2; j <= text.length; j++) {
        const part = text.slice(i, j);
        if (isFunction(part) || has(CONSTANTS, part) || has(SPELLINGS, part)) return true;
      }
    }
    return false;
  }
  function products(tokens, allowed) {
    return tokens.flatMap((t) => t.kind === "name" && t.text.length > 1 && t.text.length <= 6 && !allowed.includes(t.text)
      && !holdsAName(t.text) && [...t.text].every((ch) => allowed.includes(ch))
      ? [...t.text].map((ch, k) => ({ kind: "name", text: ch, start: t.start + k, end: t.start + k + 1 })) : [t]);
  }

  // Parse into a function of the variables ({name: value} -> number), by precedence climbing:
  // sum < product (and a factor written beside another) < sign < power.
  // ``bare``: a step of the expression has no value at its corner (relu's slope, Heaviside(x, nan) in the record),
  // where the page compared max(0, sign(x)) with a 0.5 of its own and called it "Not right" (attack47 F4)
  function parse(text, allowed, bare = false) {
    if (text.length > 1000) throw new ParseError("the answer is over 1000 characters");
    const toks = products(tokenize(text), allowed);
    const joints = [];  // the arguments whose sign switches a piece: |u|, relu(u), max(u, v), a step of u ...
    const holes = [];  // and where a point may stand apart: denominators, arguments of a logarithm or a root
    const domains = [];  // what a logarithm or a square root is taken of: where it is negative, no real value
    const turns = [];  // what an exponential (or a power) is taken of: where it turns, a bump or a spike has its top
    const tiny = [];  // constants too small for doubles to weigh beside the answer: 10^(-20) x, e^(-800) (attack35b)
    const long = [];  // numbers typed to more digits than the page weighs: 6.283185307
    const saturated = [];  // functions of a number that doubles round to their limit: tanh(40), erf(10), atan(10^30)
    // the largest term a sum or difference met, and whether an exponential or power left the doubles, in the last
    // evaluation: cosh(30x)^2 - sinh(30x)^2 is 10^57 less 10^57, -1 + 1 in doubles, and log(e^(800x)) is log(0)
    const weight = { largest: 0, lost: false, zeroed: false, noise: 0, state: 0, listen: 0, sums: [] };
    // each operation's result moved by a few units in its last digits, where doublesLost asks how far the rounding a
    // double does can carry the answer (weight.noise 0: exact doubles). The same moves at each run: a seeded sequence
    function jig(r) {
      if (!weight.noise || r === 0 || !Number.isFinite(r)) return r;
      weight.state = (Math.imul(weight.state, 1664525) + 1013904223) >>> 0;
      return r * (1 + weight.noise * (weight.state / 2147483648 - 1));
    }
    const probing = [0.37, -1.21, 2.3].map((t, k) => Object.fromEntries(allowed.map((n, j) => [n, t + 0.71 * j + k / 7])));
    function constantOf(g) {
      const values = probing.map((at) => g(at));
      return values.every((x) => Object.is(x, values[0])) ? values[0] : undefined;
    }
    function weighed(g, parts, from) {  // a constant so small that a double beside the answer cannot hold it: noted, and
      // taken as 0 where the judge asks what the answer is without such numbers (weight.zeroed): sin(pi) e^100 is 0,
      // which doubles make 1.2e-16 times e^100 (attack36b: a right answer was "Not right")
      // (a constant: it and what it is worked from the same at every probe; e^(-10^8 (x - 0.5)^2) is 0 at the three
      // probes, a bump between them)
      // and written without a variable: x^3 - 10^18 is -10^18 at every probe, its x^3 lost beside it (attack36b)
      const written = toks.slice(from, i).some((t) => t.kind === "name" && allowed.includes(t.text));
      const c = !written && parts.every((p) => constantOf(p) !== undefined) ? constantOf(g) : undefined;
      if (c === undefined || !Number.isFinite(c) || Math.abs(c) >= 1e-9) return g;
      if (c !== 0 || parts.some((p) => constantOf(p) !== 0)) tiny.push(c);
      return (v) => (weight.zeroed ? 0 : g(v));
    }
    let i = 0, depth = 0, bars = 0;
    const tok = () => toks[i];
    const at = (...ops) => tok().kind === "op" && ops.includes(tok().text);
    const take = () => toks[i++];
    const enter = () => { if (++depth > 60) throw new ParseError("the answer is nested too deeply"); };

    function expression() {
      enter();
      const start = tok().start;
      let left = product();
      while (at("+", "-")) {
        const sign = take(), op = sign.text, from = tok().start, right = product(), l = left;
        const sum = { sides: [text.slice(start, sign.start).trim(), text.slice(from, toks[i - 1].end).trim()] };
        left = (v) => {
          const a = l(v), b = right(v), big = Math.max(Math.abs(a), Math.abs(b));
          if (big > weight.largest) weight.largest = big;
          if (weight.listen) heard(sum, a, b, big);
          return jig(op === "+" ? a + b : a - b);
        };
      }
      depth--;
      return left;
    }
    // where the page listens (weight.listen, the floor below which a side counts for nothing beside the other): each
    // sum's smaller side, and whether it ever counted. 2x + x^3/10^25 and 2x + (x/10^7)^4 never count against 2x at
    // any point the page weighs, and were "Right." (attack46 F9); the terminal says they differ by a polynomial
    // (each side for itself: 1 in 10^9/(1 + 10^18 x^2) counts at x = 0 alone, where the other side is 0, and the
    // sum was said to hold a term too small to weigh: attack47 F14)
    // and a function of what is too small to move it off its value at 0 at any point the page weighs: 2x e^(x^3/10^26)
    // and 2x cosh(x/10^10) were "Right." (attack47 F16)
    function felt(call, u, r, at0) {
      if (u === 0 || !Number.isFinite(r) || !Number.isFinite(u)) return;
      if (!call.heard) { call.heard = { seen: [true, false], counted: [false, false] }; weight.sums.push(call); }
      call.heard.seen[0] = true;
      if (Math.abs(r - at0) > weight.listen * Math.max(Math.abs(r), Math.abs(at0))) call.heard.counted[0] = true;
    }
    function heard(sum, a, b, big) {
      if (!Number.isFinite(big)) return;
      if (!sum.heard) { sum.heard = { seen: [false, false], counted: [false, false] }; weight.sums.push(sum); }
      [a, b].forEach((side, k) => {
        if (side === 0) return;
        sum.heard.seen[k] = true;
        if (Math.abs(side) > weight.listen * big) sum.heard.counted[k] = true;
      });
    }
    function implicit() {
      const prev = toks[i - 1];
      if (!prev || !(prev.kind === "num" || prev.kind === "name" || (prev.kind === "op" && (prev.text === ")" || prev.text === "|")))) return false;
      if (at("|")) return bars === 0;
      return tok().kind === "name" || at("(");
    }
    function product() {
      const endsWithBar = () => toks[i - 1].kind === "op" && toks[i - 1].text === "|";
      const first = tok();
      let left = unary();
      // where a factor ended with a bar, and how many factors came after it: |2|x| - 1| is |2| x |-1| or bars one
      // inside the other, and was read as the first, 2x, "Right." for x²'s derivative (attack44 F7), as workbook solve
      let barred = endsWithBar() ? { start: first.start, after: 0 } : null;
      for (;;) {
        if (at("*", "/")) {
          const sign = take(), start = tok(), op = sign.text, right = unary(), l = left, last = toks[i - 1];
          barred = endsWithBar() ? { start: start.start, after: 0 } : null;  // (with a * between, one reading)
          const by = op === "/" ? constantOf(right) : undefined;
          // by 0 written so (2/0, x/(x - x)): refused, as workbook solve refuses it (attack41)
          if (by === 0) {
            // (0 in doubles only, e^(-800) under their range: not judged by them, attack45 F7)
            weight.lost = false;
            right(probing[0]);
            const under = weight.lost;
            weight.lost = false;
            if (under) throw new Unweighed("Your answer divides by a number too small for this page's doubles to hold: type it into workbook solve --check, which judges it exactly.");
            throw new ParseError("division by zero");
          }
          // by a number its doubles cannot tell from 0 (sin(pi) is 1.2e-16 in doubles, 0 in fact): not judged by its
          // doubles, where x/sin(pi) was "Not right" by 10^16 and workbook solve refuses it (attack42 F3)
          if (by !== undefined && Number.isFinite(by) && Math.abs(by) < 1e-9) throw new Unweighed(`Your answer divides by ${fmt(by)}, a number too small for this page to tell from 0 (if it is 0, as sin(pi) is, the answer has no value): type it into workbook solve --check, which judges it exactly.`);
          if (op === "/" && last.kind === "num" && toks[i - 2] === sign && implicit() && tok().start === last.end) {
            // 1/2x: 1/(2x) or x/2? refused with both spellings, as workbook solve refuses it (attack40b: the page
            // read it as x/2 and judged it, "Not right" for 1/(2x) typed so)
            const from = i;
            unary();
            const glued = text.slice(last.start, toks[i - 1].end).trim(), rest = glued.slice(last.text.length);
            i = from;
            throw new ParseError(`/${glued} has two readings: write /(${glued}) if all of it divides, or /${last.text} ${rest} (or /${last.text}*${rest}) if only ${last.text} does`);
          }
          // a factor glued to a divisor that is no number, 1/x(x+1) or 1/(x+1)(x+2): refused with both spellings, as
          // workbook solve refuses it (it was read as a factor of the numerator: attack46 F4)
          if (op === "/" && implicit() && tok().start === last.end && (at("(") || tok().kind === "name")) {
            const divisor = text.slice(start.start, last.end), from = i;
            unary();
            const rest = text.slice(toks[from].start, toks[i - 1].end).trim(), both = divisor + rest;
            i = from;
            throw new ParseError(`/${both.length > 40 ? both.slice(0, 39) + "…" : both} has two readings: write /(${divisor}${rest}) if all of it divides, or /${divisor} * ${rest} if only ${divisor} does`);
          }
          if (op === "/") holes.push(right);
          // a division by 0 has no value: 1/0 is Infinity to JavaScript, and atan(1/x) at 0 came out pi/2 (attack38)
          left = op === "*" ? (v) => jig(l(v) * right(v)) : (v) => { const d = right(v); return d === 0 ? NaN : jig(l(v) / d); };
        } else if (implicit()) {
          const opening = tok(), right = unary(), l = left;
          if (barred && barred.after && opening.kind === "op" && opening.text === "|") {
            const glued = text.slice(barred.start, toks[i - 1].end);
            throw new ParseError(`${glued.length > 40 ? glued.slice(0, 40) + "…" : glued} has two readings, bars side by side or one inside the other: write abs(...) for bars around the rest (abs(2|x| - 1)), or * between bars side by side (|2| * x * |-1|)`);
          }
          barred = endsWithBar() ? { start: opening.start, after: 0 } : barred ? { start: barred.start, after: barred.after + 1 } : null;
          left = (v) => jig(l(v) * right(v));
        } else return left;
      }
    }
    function unary() {
      if (at("-", "+")) {
        enter();
        const op = take().text, value = unary();
        depth--;
        return op === "-" ? (v) => -value(v) : value;
      }
      return power();
    }
    function power() {
      const from = i;
      const base = atom();
      if (!at("^")) return base;
      // e^u worked as exp(u) is: Math.pow(Math.E, u) rounds otherwise, and far out (e^x sin(e^x) at 15) the two
      // differed past what the page weighs, so exp(x) typed was "more than doubles hold" against e^x (attack42 F9)
      const natural = i === from + 1 && toks[from].kind === "name" && (toks[from].text === "e" || toks[from].text === "E");
      take();
      // x^+2: as workbook solve, refused (a ^ with nothing before its +) rather than read as x^2 (attack40b)
      if (at("+")) throw new ParseError("^ has no exponent before '+': write the exponent after it (x^2, x^(-1)), or delete the ^");
      enter();
      const exponent = unary();
      depth--;
      const last = toks[i - 1];
      if (last.kind === "num" && tok().kind === "name" && tok().start === last.end) {
        // e^2x: as workbook solve, refused rather than guessed
        throw new ParseError(`^${last.text}${tok().text} is ambiguous: write ^(${last.text}${tok().text}) or put a space before ${tok().text}`);
      }
      // 0^u is 1 where u is 0 and 0 elsewhere: a value at a point alone, which no derivative is written with
      const probes = [0.37, -1.21, 2.3].map((t, k) => Object.fromEntries(allowed.map((n, j) => [n, t + 0.71 * j + k / 7])));
      if (probes.every((at) => base(at) === 0) && new Set(probes.map((at) => exponent(at))).size > 1) {
        // (judged by workbook solve, exactly: sent there, not refused as unreadable, attack44 F8)
        throw new Unweighed("Your answer holds 0^(...), which is 1 where its power is 0 and 0 elsewhere, a value at points alone that this page cannot find: type it into workbook solve --check, which judges it exactly.");
      }
      // a whole power over 100 of what holds a name, refused as workbook solve refuses it (x^101: attack42)
      const whole = constantOf(exponent);
      if (whole !== undefined && Number.isInteger(whole) && Math.abs(whole) > 100 && constantOf(base) === undefined) {
        throw new ParseError("exponent too large: at most 100");
      }
      turns.push(exponent, base);  // 10^(-10^12 (x - c)^2) tops at c; (10^-12 + (x - c)^2)^-1 spikes there
      if (probes.some((at) => exponent(at) < 0)) holes.push(base);  // x^-1: a denominator, where it is 0
      // a power of what has no value has none (NaN^0 is 1 in JavaScript): sqrt(x)^0 is undefined for x < 0
      const raised = (v) => {
        const b = base(v);
        if (Number.isNaN(b)) return NaN;
        let p = exponent(v);  // (where base and power are numbers: e^(ln x) at -2 has none)
        // a whole power moved off its whole number by doublesLost's moves is put back: (-2)^(3 - 1) made NaN there,
        // and the page left a plain wrong answer to the terminal (attack41)
        if (weight.noise && b < 0 && Math.abs(p - Math.round(p)) <= 1e-9 * Math.max(1, Math.abs(p))) p = Math.round(p);
        if (b === 0 && p < 0) return NaN;  // 0 to a negative power, a division by 0: no value (as 1/0 above)
        const r = jig(natural ? Math.exp(p) : Math.pow(b, p));
        // past a double's range, out or under: not a negative number to a fractional power, which has no value
        // (x^0.5 at -2.26 was "more than doubles can hold", where sqrt(x) is undefined: attack41)
        if (Number.isFinite(b) && b !== 0 && Number.isFinite(p) && (Math.abs(r) < SMALLEST || Math.abs(r) === Infinity)) weight.lost = true;
        return r;
      };
      const power = weighed(raised, [base, exponent], from);
      if (constantOf(base) === undefined || constantOf(exponent) !== undefined) return power;
      // (a number to a power too small to move it off 1: 2^(x/10^20))
      const node = { sides: [text.slice(toks[from].start, toks[i - 1].end)], call: true };
      return (v) => { const r = power(v); if (weight.listen) felt(node, exponent(v), r, 1); return r; };
    }
    function group(open, close) {
      take();
      // inside brackets no bar closes one outside them: |(2|x|) - 1| was "missing ')'" (attack45 F5)
      const outside = bars;
      bars = open === "|" ? bars + 1 : 0;
      const inner = expression();
      if (!at(close)) throw new ParseError(`missing '${close}'`);
      take();
      bars = outside;
      return inner;
    }
    function atom() {
      const t = tok();
      if (t.kind === "num") {
        take();
        // as workbook solve counts them, every digit, zeros too (2.000…0x of 38 digits was "Right.": attack42)
        const digits = t.text.replace(".", "").length;
        if (digits > 30) throw new ParseError(`the number has ${digits} digits; the limit is 30`);
        const x = parseFloat(t.text);
        // a number typed to more digits than the page weighs (it compares to 1e-7): 6.283185307x for 2 pi x, or
        // 2.0000000001x for 2x, was "Right." (attack38b); left to the terminal, which judges it exactly
        if (t.text.replace(".", "").replace(/^0+/, "").replace(/0+$/, "").length > 7) long.push(t.text);
        if (x !== 0 && Math.abs(x) < 1e-9) tiny.push(x);  // and one too small to weigh, as 10^(-10) is (attack38b)
        return () => x;
      }
      if (t.kind === "name") {
        take();
        if (isFunction(t.text)) return call(t.text);
        if (at("(") && !/^[A-Za-z][0-9_]*$/.test(t.text) && !has(CONSTANTS, t.text)) {
          throw new ParseError(`unknown function '${t.text}'`);
        }
        if (has(CONSTANTS, t.text)) { const c = CONSTANTS[t.text]; return () => c; }
        // (2xy for 2 x y: said how to write the product, as workbook solve says it, user47 F6)
        if (!allowed.includes(t.text) && t.text.length > 1 && t.text.length <= 6 && [...t.text].every((ch) => allowed.includes(ch))) {
          throw new ParseError(`'${t.text}' has two readings, a name in it or a product of letters: put a space or * where you mean one, e.g. ${[...t.text].join(" ")} for the product`);
        }
        if (!allowed.includes(t.text)) throw new ParseError(`unknown name '${t.text}': use ${allowed.join(", ") || "numbers only"}`);
        return (v) => v[t.text];
      }
      if (at("(")) return group("(", ")");
      if (at("|")) { const inner = group("|", "|"); joints.push(inner); return (v) => Math.abs(inner(v)); }
      throw new ParseError(t.kind === "end" ? "the answer ends too soon" : `unexpected '${t.text}'`);
    }
    function call(name) {
      const from = i - 1;  // (its name, taken)
      let exponent = null;
      if (at("^")) {  // sin^2(x) is sin(x)^2; sin^-1(x) is arcsin(x)
        take();
        const bracketed = at("(");
        if (bracketed) take();
        const sign = at("-") ? -1 : 1;
        if (at("-", "+")) take();
        // a whole number: sin^2.9(x) was read as sin(x)^2 by parseInt, and "Right." (attack41)
        if (tok().kind !== "num" || !/^\d+$/.test(tok().text)) throw new ParseError(`after ${name}^ write a whole number, then the argument: ${name}^2(x)`);
        exponent = sign * parseInt(take().text, 10);
        if (exponent === 0) throw new ParseError(`${name}^0 is 1; write 1`);  // as workbook solve (attack40b)
        if (Math.abs(exponent) > 100) throw new ParseError("exponent too large: at most 100");  // (attack42)
        if (bracketed) { if (!at(")")) throw new ParseError("missing ')'"); take(); }
        if (exponent === -1) {
          if (!has(INVERSE, name)) throw new ParseError(`${name}^-1 is not an inverse function here`);
          name = INVERSE[name];
          exponent = null;
        }
      }
      let args;
      if (at("|")) { const inner = group("|", "|"); joints.push(inner); args = [(v) => Math.abs(inner(v))]; }
      else if (at("(")) {
        take();
        const outside = bars;  // (as in group)
        bars = 0;
        args = at(")") ? [] : [expression()];
        while (at(",")) { take(); args.push(expression()); }
        if (!at(")")) throw new ParseError("missing ')'");
        take();
        bars = outside;
      } else throw new ParseError(`${name} is a function: write ${name}(...)`);
      const [lo, hi] = has(MANY, name) ? MANY[name] : [1, 1];
      if (args.length < lo || args.length > hi) throw new ParseError(`${name} takes ${lo === hi ? lo : lo + " to " + hi} argument(s)`);
      let fn;
      const key = has(ALIAS, name) ? ALIAS[name] : name;
      if (["abs", "relu", "sign", "Heaviside"].includes(key)) joints.push(args[0]);
      if (["exp", "sigmoid", "tanh", "softplus", "erf", "sinh", "cosh", "sech", "csch", "atan", "asinh"].includes(key)) turns.push(args[0]);
      // where a max's or min's two sides cross (max(0, 1 - 10^16 (x - c)^2), a cap 10^-8 wide: attack33)
      if (["max", "Max", "min", "Min"].includes(key)) { const [p, q] = args; turns.push((v) => p(v) - q(v)); }
      if (["abs", "sign", "Heaviside", "log", "ln", "sqrt", "DiracDelta"].includes(key)) {
        // where its argument crosses 0 between two neighbouring numbers (cos x at pi/2, x - pi), no number
        // reaches the point itself: holesOf marks it, and there the argument is taken as the 0 it is
        const raw = args[0];
        holes.push(raw);
        if (["log", "ln", "sqrt"].includes(key)) domains.push(raw);
        args[0] = (v) => (v.zero === raw ? 0 : raw(v));
      }
      if (["max", "Max", "min", "Min"].includes(key)) {
        for (let a = 0; a < args.length; a++) for (let b = a + 1; b < args.length; b++) {
          const p = args[a], q = args[b];
          joints.push((v) => p(v) - q(v));
        }
      }
      if (key === "log") fn = args.length === 2 ? (v) => Math.log(args[0](v)) / Math.log(args[1](v)) : (v) => Math.log(args[0](v));
      else if (key === "max" || key === "Max") fn = (v) => Math.max(...args.map((a) => a(v)));
      else if (key === "min" || key === "Min") fn = (v) => Math.min(...args.map((a) => a(v)));
      else if (key === "Heaviside") fn = (v) => { const x = args[0](v); return x > 0 ? 1 : x < 0 ? 0 : (args[1] ? args[1](v) : bare ? NaN : 0.5); };
      else if (key === "DiracDelta") fn = (v) => (args[0](v) === 0 ? Infinity : 0);
      else { const g = F[key]; fn = (v) => g(args[0](v)); }
      if (["exp", "cosh", "sinh"].includes(key)) {  // past a double: e^(-800) is 0 and e^800 infinite
        const inner = fn;
        fn = (v) => { const r = inner(v); if (Math.abs(r) < SMALLEST || !Number.isFinite(r)) { const a = args[0](v); if (Number.isFinite(a)) weight.lost = true; } return r; };
      }
      if (["atanh", "acoth"].includes(key)) {  // next to ±1, its argument's rounding (the last digit of a tanh, a
        const inner = fn;  // sigmoid) moves it by far more than the page can weigh: atanh(tanh(x)) at -19 is -18.7
        fn = (v) => { const a = args[0](v); if (Number.isFinite(a) && Math.abs(Math.abs(a) - 1) < 1e-7) weight.lost = true; return inner(v); };
      }  // in doubles, and x is right (attack38)
      if (["sin", "cos", "tan", "sec", "csc", "cot"].includes(key)) {  // of a number past 2^53, a double's sine is
        const inner = fn;  // any number at all: sin(10^20 pi) is 0, cos(10^17 pi) 1 (attack36b)
        fn = (v) => { const a = args[0](v); if (Math.abs(a) > 2 ** 53 && Number.isFinite(a)) weight.lost = true; return inner(v); };
      }
      const level = constantOf(fn);
      if (level !== undefined && SATURATES.includes(key) && [1, -1, Math.PI / 2, -Math.PI / 2].includes(level)) {
        saturated.push(key);  // tanh(40) is 1 less 10^-35, which a double rounds to 1 (attack36b: tanh(40) - 1 "Right.")
      }
      const exact = fn;
      fn = weighed((v) => jig(exact(v)), args, from);
      if (args.length === 1 && has(F, key) && Number.isFinite(F[key](0))) {
        const listened = fn, arg = args[0], at0 = F[key](0), node = { sides: [text.slice(toks[from].start, toks[i - 1].end)], call: true };
        fn = (v) => { const r = listened(v); if (weight.listen) felt(node, arg(v), r, at0); return r; };
      }
      if (exponent === null) return fn;
      const n = exponent;
      return (v) => { const b = fn(v); return Number.isNaN(b) ? NaN : jig(Math.pow(b, n)); };
    }

    const result = expression();
    if (tok().kind !== "end") throw new ParseError(`unexpected '${tok().text}'; write * between factors`);
    result.joints = joints;
    result.holes = holes;
    result.domains = domains;
    result.turns = turns;
    result.tiny = tiny;
    result.saturated = saturated;
    result.long = long;
    result.weight = weight;
    return result;
  }

  // ---------------------------------------------------------------- judging
  // within rtol of b, or of ``unit`` where b is smaller: the size of the numbers judged, 1 but where every value
  // of the derivative is smaller (sin(x)/10^11: 0, the function, and its derivative with the sign flipped were all
  // "Right.", within 10^-7 of a derivative of 10^-11: attack44 F4)
  function closeTo(a, b, rtol, unit = 1) { return Math.abs(a - b) <= rtol * Math.max(unit, Math.abs(b)); }
  function unitOf(values) {
    let largest = 0;
    for (const v of values) if (Number.isFinite(v) && Math.abs(v) > largest) largest = Math.abs(v);
    return largest > 0 && largest < 1 ? largest : 1;
  }
  // the derivative's size: at its points and, where the page has the expression, over -1000..1000 (relu(x - 5)/10^11's
  // is 0 at every point of the box, and 0 typed for it was "Right.", within 10^-7: attack45 F1)
  function sizeOf(data) {
    const values = data.values.slice();
    if (data.truth) {
      try {
        const g = parse(data.truth, [data.variable], data.bare);
        for (let k = 0; k <= 4000; k++) values.push(g({ [data.variable]: -1000 + k / 2 + 1 / 99991 }));
        for (let k = 0; k <= 600; k++) values.push(g({ [data.variable]: -3 + k / 100 + 1 / 99991 }));
      } catch (err) { /* the points alone */ }
    }
    return unitOf(values);
  }

  // What may stand left of = in a derivative typed whole (f'(x), y'', dy/dx, f^(4)(x)), as workbook/judge.py's
  const DERIVATIVE_LABEL = /^(?:[A-Za-z]\w*(?:'+|′+|\^\(\d+\))(?:\([^()=]*\))?|d(?:\^?\d)?(?:[A-Za-z]\w*)?\/d[A-Za-z]\w*(?:\^?\d)?|[A-Za-z]\w*?_\{?[A-Za-z]\w*\}?)$/;
  // The learner's function: the expression alone, f'(x) = expression, or for a tangent line an equation in
  // x and y solved for y (7x - y = -1 is y = 7x + 1), as workbook/judge.py reads them
  // Whether a label names the derivative asked for, as workbook/judge.py's _names_derivative: its order
  // (f'' is the second) and its variable (g'(t) and dx/dy are not f'(x))
  function namesDerivative(label, data) {
    const text = label.replace(/\s+/g, "").replace(/∂/g, "d").replace(/²/g, "2").replace(/³/g, "3"), order = data.order || 1;
    if (text.length > 24 || !DERIVATIVE_LABEL.test(text)) return false;
    let m = /^[A-Za-z]\w*?('+|′+|\^\((\d+)\))(?:\(([^()=]*)\))?$/.exec(text);
    if (m) return (m[2] ? Number(m[2]) : m[1].length) === order && (m[3] === undefined || m[3] === data.variable);
    m = /^([A-Za-z]\w*?)_\{?([A-Za-z]\w*?)\}?$/.exec(text);  // f_y, f_xx, f_{w1}
    if (m) return m[2] === data.variable.repeat(order) && m[1] !== data.variable;
    m = /^d(?:\^?(\d))?([A-Za-z]\w*)?\/d([A-Za-z]\w*?)(?:\^?(\d))?$/.exec(text);
    return !!m && Number(m[1] || 1) === order && Number(m[4] || 1) === order && m[3] === data.variable && m[2] !== data.variable;
  }

  // one weight for a line's two sides: set on both, read as either's (the largest term, whether either lost its
  // doubles), so that doublesLost and pastItsRounding weigh the line as they weigh an expression
  function bothWeights(a, b) {
    const both = {};
    for (const key of ["largest", "lost", "zeroed", "noise", "state", "listen"]) {
      Object.defineProperty(both, key, {
        get: () => (key === "largest" ? Math.max(a[key], b[key]) : key === "lost" ? a[key] || b[key] : a[key]),
        set: (value) => { a[key] = value; b[key] = value; },
      });
    }
    // the sums either side heard (see unheard): read as one list, emptied on both
    Object.defineProperty(both, "sums", { get: () => a.sums.concat(b.sums), set: () => { a.sums = []; b.sums = []; } });
    return both;
  }

  function typedFunction(data, text) {
    const sides = text.split("=");
    if (sides.length !== 2) return parse(text, [data.variable]);
    if (data.noun === "the tangent line") {
      const names = [data.variable, "y"];
      // y(x) alone on a side is y, the line named as a function of x (read as y times x, a right line was "Not
      // right": attack40b), as workbook/judge.py reads it
      const named = (side) => (new RegExp(`^\\s*y\\s*\\(\\s*${data.variable}\\s*\\)\\s*$`).test(side) ? "y" : side);
      const left = parse(named(sides[0]), names), right = parse(named(sides[1]), names);
      const F = (at, y) => left({ ...at, y }) - right({ ...at, y });
      const slopes = [];
      for (const x of [-1.3, 0.4, 2.1]) {  // y in it, and to the first power: a straight line in y wherever y is
        const at = { [data.variable]: x }, a = F(at, 0), b = F(at, 1);
        slopes.push(b - a);
        // far out too, and off any short list a polynomial could be made to pass through (a kink past 8 passed)
        const straight = [-1e9, -3.1e6, -1e3, -97.3, -7.9, -3.4, -2.1, -0.7, 0.6, 2, 3.4, 7.9, 13.7, 51.7, 1e3, 2.9e6,
                          1e9].every(
          (y) => Math.abs(F(at, y) - a - y * (b - a)) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(y * (b - a))));
        if (!(Math.abs(b - a) > 1e-12) || !straight) {
          throw new ParseError("write the tangent line as an equation in x and y, such as y = 7x + 1");
        }
      }
      // y times a number, the same at every x, as workbook/judge.py asks: x y = 2x^2 - x is refused there, not solved
      if (!slopes.every((m) => Math.abs(m - slopes[0]) <= 1e-9 * Math.max(1, Math.abs(slopes[0])))) {
        throw new ParseError("write the tangent line as an equation in x and y, such as y = 7x + 1");
      }
      // and straight in y at every x it is read at, not only at the three above: (x + 1.3)(x - 0.4)(x - 2.1)(y^2 - y)
      // added to a right line vanished there alone, and was "Right." (attack30); where it is not, it has no value
      const line = (at) => {
        const a = F(at, 0), b = F(at, 1);
        const straight = [-97.3, -2.1, 0.6, 13.7, 2.9e6].every(
          (y) => Math.abs(F(at, y) - a - y * (b - a)) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(y * (b - a))));
        return straight ? -a / (b - a) : NaN;
      };
      line.joints = [...(left.joints || []), ...(right.joints || [])];
      // and what either side holds that the page cannot weigh: y = 3x - 2 + 10^-12 and y = 3.0000000001x - 2 were
      // "Right." while the same without "y =" went to the terminal (attack42)
      // and where either side turns, has a hole or leaves its domain, and how its doubles hold: y = 2x - 1 + a bump,
      // or + ln(x + 5) - ln(x + 5), was "Right." where the same without "y =" was not (attack44 F6)
      for (const key of ["tiny", "long", "saturated", "turns", "holes", "domains"]) {
        line[key] = [...(left[key] || []), ...(right[key] || [])];
      }
      line.weight = bothWeights(left.weight, right.weight);
      return line;
    }
    if (!namesDerivative(sides[0], data)) {
      const order = data.order || 1, label = order <= 3 ? `f${"'".repeat(order)}(${data.variable})` : `f^(${order})(${data.variable})`;
      throw new ParseError(`"${sides[0].trim().slice(0, 30)}" = ... does not name ${data.noun || "the derivative"}: write ${label} = ... or the expression alone`);
    }
    return parse(sides[1], [data.variable]);
  }

  // Whether doubles cannot say at this point what the answer is: its terms cancel past every digit a double holds
  // (cosh(30x)^2 - sinh(30x)^2 - 1, -1 in doubles), or an exponential or power in it left their range (log(e^(800x))
  // is log(0)). The page then leaves it to the terminal rather than call a right answer wrong (attack35b)
  const SMALLEST = 2.2250738585072014e-308;  // the least double with all its digits: below it, e^(-744.67) keeps a few
  function doublesLost(f, at, want, truth, unit = 1) {
    if (!f.weight) return false;
    f.weight.largest = 0;
    f.weight.lost = false;
    const got = f(at);
    if (f.weight.lost || (Number.isFinite(got) && Math.abs(got - want) <= 1e-14 * f.weight.largest)) return true;
    if (truth && truth.weight && jiggled(truth, at, want, got)) return true;
    // worked again with every result moved by up to 2^-50 of itself (a few of a double's roundings): where that
    // moves the answer by as much as a twentieth of its gap from the derivative (and more than the page weighs), its
    // doubles cannot say whether it is the derivative. 1 - tanh(186) is 0 in doubles and 10^-162 in fact, and
    // (1 - tanh(x))/sigmoid(-2x) at 186 was "Not right" by 2; ln(1 - sigmoid(x)) at 25 keeps five digits (attack38b).
    // A bump or a steep power is worked to its digits and moves by none; relu(x^3 - 10^18) past 10^6 moves by 10^3,
    // far less than the 10^12 it adds
    if (jiggled(f, at, want, got)) return true;
    // (too small beside the numbers judged: 10^-10 is none beside sin(x)/10^11's derivative, attack45 F2)
    if (!(f.tiny || []).some((t) => Math.abs(t) < 1e-9 * unit) && !(f.saturated || []).length) return false;
    f.weight.zeroed = true;  // without its numbers too small to weigh, it is the answer: they may be 0 (sin(pi) e^100)
    const bare = f(at);
    f.weight.zeroed = false;
    // (beside the derivative's own size: cos(x)/10^11 + 10^-13 for sin(x)/10^11's was "lost", attack45 F2) and where
    // without them it has no value, it divides by one of them: x/(sin(pi) 10^10) was "Not right" by 10^6, where
    // workbook solve refuses it (attack45 F7)
    return (f.saturated || []).length > 0 || (Number.isFinite(bare) && closeTo(bare, want, 1e-7, unit))
      || (!Number.isFinite(bare) && Number.isFinite(got));
  }
  // Whether f at the point moves, worked again with every result moved by up to 2^-50 of itself, by as much as a
  // twentieth of the gap between the answer's value ``got`` and the derivative's ``want`` (and more than the page
  // weighs). Of the derivative itself too: cos(x + 10^10) in doubles is off in its seventh digit, and an answer
  // worked to every digit was "Not right" against it (attack40b)
  function jiggled(f, at, want, got) {
    const value = f(at), gap = Math.abs(got - want);
    const reach = Math.max(1e-8 * Math.max(1, Math.abs(want)), Number.isFinite(gap) ? 0.05 * gap : 0);
    return wobble(f, at, value) > reach;
  }
  // How far f at the point moves from ``value`` worked again four times with every result moved by up to 2^-50 of
  // itself (Infinity where that makes it finite or not), the page's doubles' noise there
  function wobble(f, at, value) {
    f.weight.noise = 2 ** -50;
    let moved = 0;
    for (let k = 1; k <= 4 && moved < Infinity; k++) {
      f.weight.state = k;
      const again = f(at);
      moved = Number.isFinite(again) !== Number.isFinite(value) ? Infinity
        : Number.isFinite(value) ? Math.max(moved, Math.abs(again - value)) : moved;
    }
    f.weight.noise = 0;
    f.weight.lost = false;
    return moved;
  }
  const LOST = (where) => ({ right: null, say: `At ${where} the numbers of your answer, or of the derivative, are more than this page's doubles can hold (terms cancel past every digit, or a power leaves their range): type it into workbook solve --check, which judges it exactly.` });
  // and a number in it too small to weigh beside the rest: 2x + 10^(-20) x, 2x + e^(-800) were "Right." (attack35b)
  const TINY = (fns, unit = 1) => {
    // (small beside the numbers judged: cos(x)*10^-11 is no number too small to weigh where the derivative is
    // sin(x)/10^11's)
    const c = fns.flatMap((f) => f.tiny || []).filter((t) => Math.abs(t) < 1e-9 * unit)[0], held = fns.flatMap((f) => f.saturated || [])[0];
    if (held !== undefined) return { right: null, say: `Your answer holds ${held} of a number so large that this page's doubles round it to its limit: type it into workbook solve --check, which judges it exactly.` };
    const typed = fns.flatMap((f) => f.long || [])[0];
    if (typed !== undefined) return { right: null, say: `Your answer holds ${typed.length > 24 ? typed.slice(0, 24) + "…" : typed}, a number to more digits than this page weighs: type it into workbook solve --check, which judges it exactly.` };
    // (a number made 0 by its doubles: "as small as 0" said nothing)
    return c === undefined ? null : { right: null, say: `Your answer holds a number too small for this page to weigh beside the rest${c === 0 ? "" : " (" + fmt(c) + ")"}: type it into workbook solve --check, which judges it exactly.` };
  };

  // the derivative itself, as the page reads it, to weigh its own doubles; null where the page has it only as values
  function truthOf(data) {
    try { return data.truth ? parse(data.truth, [data.variable], data.bare) : null; } catch (err) { return null; }
  }

  // A tangent line typed in decimals, y = m x + b (either order), right where each decimal is the line's own number
  // rounded to the places it gives and each whole number is it exactly, as workbook/judge.py's _line_in_decimals
  // (user55 F1; user56 F1, F2: one tolerance for the line called y = 4x + 0.1 right for y = 4x, and mixed places
  // wrong); another line typed in decimals goes to the terminal, which solves for the numbers typed
  function lineInDecimals(data, f, text) {
    if (data.noun !== "the tangent line" || !/\d\.|\.\d/.test(text) || data.points.length < 3) return null;
    const v = data.variable.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"), num = "(\\d+\\.?\\d*|\\.\\d+)";
    const compact = text.replace(/\s+/g, "");
    const forms = [new RegExp(`^y=([+-]?)${num}?\\*?${v}(?:([+-])${num})?$`), new RegExp(`^y=([+-]?)${num}([+-])${num}?\\*?${v}$`)];
    let m = forms[0].exec(compact), slope, cut;
    if (m) {
      slope = [m[1] === "-" ? -1 : 1, m[2] === undefined ? "1" : m[2]];
      cut = m[4] === undefined ? [1, "0"] : [m[3] === "-" ? -1 : 1, m[4]];
    } else if ((m = forms[1].exec(compact))) {
      cut = [m[1] === "-" ? -1 : 1, m[2]];
      slope = [m[3] === "-" ? -1 : 1, m[4] === undefined ? "1" : m[4]];
    } else if (/^[\d.\s+\-*/()=]*$/.test(text.split(data.variable).join("").replace(/y/g, ""))) {
      // numbers, the variable, y and + - * / ( ) = alone: a line (y = -0.3679(x - 1) + 0.3679), for the terminal
      return { right: null, say: "A line typed in decimals in that form is judged in the terminal: type it into workbook solve --check." };
    } else {
      return null;  // anything else (a bump added to a line: attack42) is compared as an expression
    }
    const [p0, p1, p2] = data.points, [v0, v1, v2] = data.values;
    const mTrue = (v1 - v0) / (p1 - p0), bTrue = v0 - mTrue * p0;
    if (Math.abs(mTrue * p2 + bTrue - v2) > 1e-9 * Math.max(1, Math.abs(v2))) return null;
    const within = ([sign, typed], truth) => {
      const places = decimalsOf(typed), value = sign * Number(typed);
      const half = places ? 0.5 * Math.pow(10, -places) * (1 + 1e-12) : 1e-12 * Math.max(1, Math.abs(truth));
      return Math.abs(value - truth) <= half;
    };
    return within(slope, mTrue) && within(cut, bTrue) ? { right: true, say: "Right." } : null;
  }

  function judgeExpression(data, text) {
    const f = typedFunction(data, text), unit = sizeOf(data);
    const noun = data.noun || "the derivative";
    const rounded = lineInDecimals(data, f, text);
    if (rounded) return rounded;
    let usable = 0, off = 0, offAt = 0;
    for (let k = 0; k < data.points.length; k++) {
      const got = f({ [data.variable]: data.points[k] });
      const at = fmt(data.points[k]);
      if ((!Number.isFinite(got) || !closeTo(got, data.values[k], 1e-7, unit))
          && doublesLost(f, { [data.variable]: data.points[k] }, data.values[k], truthOf(data), unit)) return LOST(`${data.variable} = ${at}`);
      if (!Number.isFinite(got)) return { right: false, say: `Not right: at ${data.variable} = ${at} your answer is undefined, but ${noun} is ${fmt(data.values[k])}.` };
      if (!closeTo(got, data.values[k], 1e-7, unit)) {
        const [yours, truth] = apartFmt(got, data.values[k]);
        return { right: false, say: `Not right: at ${data.variable} = ${at} your answer gives ${yours}, but ${noun} is ${truth}.` };
      }
      const gap = Math.abs(got - data.values[k]) / Math.max(unit, Math.abs(data.values[k]));
      if (gap > off) { off = gap; offAt = k; }
      usable++;
    }
    if (usable < 3) return { right: false, say: "This answer could not be checked." };
    const apart = data.truth ? everywhere(data, f, unit) : null;
    if (apart && apart.unjudged) return { right: null, say: apart.unjudged };
    if (apart && doublesLost(f, { [data.variable]: apart.x }, apart.want, truthOf(data), unit)) return LOST(`${data.variable} = ${fmt(apart.x)}`);
    if (apart) {
      if (!Number.isFinite(apart.got)) return { right: false, say: `Not right: at ${data.variable} = ${fmt(apart.x)} your answer is undefined, but ${noun} is ${fmt(apart.want)}.` };
      const [yours, truth] = apartFmt(apart.got, apart.want);
      return { right: false, say: `Not right: at ${data.variable} = ${fmt(apart.x)} your answer gives ${yours}, but ${noun} is ${truth}.` };
    }
    // off by more than rounding, though by less than the page can tell from rounding (2x + 3 + 10^(-8) x was
    // "Right.": attack30): not called right
    const truth = truthOf(data);
    let past = data.points.findIndex((x, k) => pastItsRounding(f, { [data.variable]: x }, data.values[k], truth));
    // and where a bump of the answer tops in the box, between the points: 2x + 10^-7 e^(-10^4 (x - 2.7)^2) is off by
    // 10^-7 at 2.7, under what the grid weighs, and was "Right." (attack47 F1)
    // (beside the derivative's own size: 10^-16 added where the derivative is 0 is a number too small to weigh, below)
    if (past < 0 && truth && (f.tops || []).some((x) => {
      const at = { [data.variable]: x }, want = truth(at);
      return Number.isFinite(want) && pastItsRounding(f, at, want, truth)
        && Math.abs(f(at) - want) > 16 * 2 ** -52 * Math.max(unit, Math.abs(want));
    })) past = 0;
    if (off > 1e-10) {
      // within what its own rounding carries (3x + (x + 10^4)^2 - (x^2 + 2 10^4 x + 10^8) is off by 10^-8, its terms
      // 10^8): the doubles, not the answer, are short of the digits (attack45 F4)
      if (past < 0) return LOST(`${data.variable} = ${fmt(data.points[offAt])}`);
      return { right: null, say: "Your answer agrees to about 7 digits, but not to every digit this page computes: type it into workbook solve --check, which judges it exactly." };
    }
    if (past >= 0) return FINE;
    // (and at every point the page looked at closely: a top, a corner, a hole)
    const [inBox, far] = lineOf(data.variable), v = data.variable;
    for (const x of f.looked || []) (Math.abs(x) <= 3 ? inBox : far).push({ [v]: +x });
    return TINY([f], unit) || unheard(f, inBox, far) || { right: true, say: "Right." };
  }
  // A side of a sum in the answer that counts for nothing beside the other at every point of the box (under 10^-12
  // of it) and past it (under 10^-7, what the page weighs there): the page cannot say whether it belongs, and sends
  // the answer on (2x + x^3/10^25 was "Right.": attack46 F9). Points: lists of {name: value}, in the box and past it
  function unheard(f, inBox, past) {
    if (!f.weight) return null;
    const weight = f.weight;
    weight.sums.forEach((sum) => { sum.heard = null; });
    weight.sums = [];
    for (const [points, floor] of [[inBox, 1e-12], [past, 1e-7]]) {
      weight.listen = floor;
      for (const at of points) f(at);
    }
    weight.listen = 0;
    const quiet = weight.sums.find((sum) => [0, 1].some((k) => sum.heard.seen[k] && !sum.heard.counted[k]));
    if (!quiet) return null;
    const side = quiet.sides[[0, 1].find((k) => quiet.heard.seen[k] && !quiet.heard.counted[k])];
    const shown = side.length > 40 ? side.slice(0, 40) + "…" : side;
    if (quiet.call) return { right: null, say: `Your answer holds ${shown}, whose value is the same as where what it is taken of is 0 to every digit this page weighs, at every point it looks: type it into workbook solve --check, which judges it exactly.` };
    return { right: null, say: `Your answer holds a term, ${shown}, too small beside the rest for this page to weigh at any point it looks: type it into workbook solve --check, which judges it exactly.` };
  }
  function lineOf(v) {
    const box = [], past = [];
    for (let k = 0; k < 2000; k++) box.push({ [v]: -3 + 6 * (k + 0.5) / 2000 + 1 / 99991 });
    for (let k = 0; k < 400; k++) {
      const x = 3 * Math.pow(1e6 / 3, (k + 0.5) / 400);
      past.push({ [v]: x }, { [v]: -x });
    }
    return [box, past];
  }
  const FINE = { right: null, say: "Your answer agrees to every digit but the last few this page computes, by more than its rounding: type it into workbook solve --check, which judges it exactly." };
  // Whether the answer is off the exact value at the point by more than its own rounding can carry it: 64 times
  // what moving every operation's result by up to 2^-50 of itself moves it, and 16 of the value's last digits.
  // -e^x sin(e^x) - e^(x - 30) is off by 10^-13 of itself everywhere, under the 10^-10 above, and was "Right."
  // (attack42's neighbour); the terminal says so
  // With ``key``, the answer's own expression as the page reads it, its rounding counts too: the value weighed
  // against is the key's form in doubles, and 4(1 - tanh²(2x))tanh(2x)/(tanh²(2x) + 3) loses four digits near tanh = -1,
  // where a learner's sech² form keeps them: the right answer was sent to the terminal (read48 F10)
  function pastItsRounding(f, at, want, key = null) {
    if (!f.weight) return false;
    const got = f(at);
    if (!Number.isFinite(got)) return false;
    const own = key && key.weight ? key(at) : NaN;
    const carried = 64 * wobble(f, at, got) + (Number.isFinite(own) ? 64 * wobble(key, at, own) : 0);
    return Math.abs(got - want) > Math.max(carried, 16 * 2 ** -52 * Math.max(Math.abs(want), Number.MIN_VALUE));
  }

  // The learner's f against the answer itself at 20 000 points over -3..3 (and 4 000 past it) and beside and between every
  // place one of f's pieces switches (found on that grid, narrowed by bisection): a narrow sliver added to
  // a right answer, relu(0.01 - |x - 0.1|), is caught. Only where the function itself is defined.
  function everywhere(data, f, unit) {
    const v = data.variable, g = parse(data.truth, [v], data.bare), fn = data.function ? parse(data.function, [v]) : null;
    const lo = -3, hi = 3, n = 20000;
    const xs = [];
    // past the box too, out to ±1000 (spaced evenly in log): a corner switching there, 2x + max(0, x - 3.5),
    // is not x^2's derivative (as workbook/solver.py's far points)
    const far = [];
    for (let k = 0; k < 2000; k++) far.push(hi * Math.pow(1000 / hi, (k + 0.5) / 2000));
    far.slice().reverse().forEach((x) => xs.push(-x));
    for (let k = 0; k < n; k++) xs.push(lo + (hi - lo) * (k + 0.5) / n + 1 / 99991);
    far.forEach((x) => xs.push(x));
    const switches = [];
    if (f.joints.length > 200) throw new ParseError("an answer with over 200 corners (max, abs, relu ...) is more than the page can check: write it more simply");
    // every corner is found before any is narrowed down: a worthless term that switches thousands of times
    // used up a budget shared in typed order, and a sliver after it went unseen ("Right.")
    const crossings = [];
    for (const u of f.joints) {
      let before = u({ [v]: xs[0] });
      for (let k = 1; k < xs.length; k++) {
        const now = u({ [v]: xs[k] });
        if (Number.isFinite(before) && Number.isFinite(now) && before * now < 0) {
          crossings.push([u, k, before]);
          // (read, and judged by the terminal: cos(x) sign(sin(x)) is a textbook answer, not one to write more simply)
          if (crossings.length > 400) throw new Unweighed("Your answer's corners (max, abs, sign ...) switch over 400 times, more than this page can check: type it into workbook solve --check, which judges it exactly.");
        }
        before = now;
      }
    }
    for (const [u, k, before] of crossings) {
      const [a, b] = narrowed(u, v, xs[k - 1], xs[k], before);
      switches.push((a + b) / 2);
    }
    switches.sort((a, b) => a - b);
    const extra = [];
    // a corner however far out, where what it is taken of is a line (relu(x - 1000), Heaviside(x + 10^6)): its
    // place, exactly, and points beside and past it, as the terminal looks (the grid stops at ±1000)
    for (const u of f.joints) {
      // its slope over a wide step: over one, x - 10^16 rose by 0 in doubles, and its corner was never found (attack36b)
      const b = u({ [v]: 0 }), a = (u({ [v]: 1e6 }) - u({ [v]: -1e6 })) / 2e6;
      if (!Number.isFinite(a) || !Number.isFinite(b) || a === 0) continue;
      if (![-1e6, 7, 1e3, 1e9].every((x) => closeTo(u({ [v]: x }), b + a * x, 1e-9))) continue;
      const z = -b / a;
      if (Math.abs(z) <= hi) continue;  // in the box, where the grid is fine
      const judged = farCorner(z);
      if (judged) return judged;
    }
    // a corner past the grid of an argument that is no line (relu(x^2 - 10^8), Heaviside(x^3 - 10^18), relu(|x| - 5000)
    // were "Right.": attack30): where it changes sign between far points out to 10^15, narrowed by bisection
    const beyond = [];
    for (let k = 12; k <= 60; k++) beyond.push(1.0123 * Math.pow(10, k / 4));  // off round numbers, where a root may lie
    for (const u of f.joints) {
      for (const side of [-1, 1]) {
        let before = u({ [v]: side * beyond[0] });
        for (let k = 1; k < beyond.length; k++) {
          const now = u({ [v]: side * beyond[k] });
          if (Number.isFinite(before) && Number.isFinite(now) && before * now < 0) {
            const [a, b] = side > 0 ? narrowed(u, v, beyond[k - 1], beyond[k], before)
              : narrowed(u, v, -beyond[k - 1], -beyond[k], before);
            const judged = farCorner((a + b) / 2);
            if (judged) return judged;
          }
          before = now;
        }
        // and past the last of them: a sign that differs out at 10^300 is a corner further out than the page can look
        const last = u({ [v]: side * beyond[beyond.length - 1] });
        const ends = [1e20, 1e40, 1e75, 1e150, 1e300].map((x) => u({ [v]: side * x })).filter(Number.isFinite);
        if (Number.isFinite(last) && ends.some((end) => last * end < 0)) {
          return { unjudged: `Your answer has a corner further out than ${v} = ${fmt(side * beyond[beyond.length - 1])}, further than this page can check: type it into workbook solve --check, which judges it exactly.` };
        }
      }
    }
    // and where what an exponential or a power is taken of crosses 0 or turns further out than the grid, out to 10^15:
    // 2x + e^(-10^6 (sqrt(|x|) - 300)^2) tops at 90000, and was "Right." (attack47 F3)
    const past = beyond.map((x) => -x).reverse().concat(beyond);
    extra.push(...turnsOf(f, v, past), ...turnsOf({ turns: f.joints }, v, past));
    // and a few points further out than the grid, where a smooth term may only start to count (e^(x - 2000))
    for (const x of [1500, 2500, 5000, 1e4, 1e5, 1e6]) extra.push(x, -x);

    // beside and past a corner far out, or said to be past what the page can check
    function farCorner(z) {
      for (const x of [2 * z, z * (1 - 1e-9), z * (1 + 1e-9)]) {  // (twice as far first: a difference said there reads
        // as one, where a hair past the corner it looked like rounding: user52 F16)
        const want = g({ [v]: x });
        if (!Number.isFinite(want) || Math.abs(want) > 1e8) {
          return { unjudged: `Your answer has a corner as far out as ${v} = ${fmt(z)}, further than this page can check: type it into workbook solve --check, which judges it exactly.` };
        }
        extra.push(x);
      }
      return null;
    }
    // (kept: where a bump of the answer tops in the box, it is weighed to its rounding too, see judgeExpression)
    f.tops = turnsOf(f, v, xs.filter((x) => x >= lo && x <= hi));
    extra.push(...f.tops);
    // and past the box, out to ±1000: a bump there narrower than the far points' spacing, 2x + e^(-10^6 (x - 500.3)^2)
    // or 2x + sech(10^4 (x - 700.1)), was stepped over ("Right.": attack46 F6); and where what a corner is taken of
    // tops out between points without changing sign on them, 2x + max(0, 1 - 10^6 (x - 400.2)^2)
    extra.push(...turnsOf(f, v, xs.filter((x) => x < lo || x > hi)));
    extra.push(...turnsOf({ turns: f.joints }, v, xs));
    // where what a corner is taken of comes down to 0 and turns back, at a point no double lands on (sign(sin(1000x) + 1)
    // at -pi/2000, cos(1000x)^2 at pi/2000): the piece switches there alone, which the terminal finds exactly (attack50 F1).
    // Looked for in the box alone (out to ±1000 a fast wave's turns are aliases, and used up the 300 found)
    const box = xs.filter((x) => x >= lo && x <= hi);
    for (const u of f.joints.slice(0, 40)) {
      const ys = box.map((x) => u({ [v]: x }));
      for (let k = 1; k + 1 < box.length; k++) {
        const [a, b, c] = [ys[k - 1], ys[k], ys[k + 1]];
        // a trough above 0 or a peak below it, its neighbours on one side of 0: narrowed to its bottom
        if (![a, b, c].every(Number.isFinite) || (b - a) * (c - b) >= 0 || a * c <= 0 || a * b <= 0) continue;
        const top = b > a ? 1 : -1;
        let l = box[k - 1], r = box[k + 1];
        for (let t = 0; t < 80; t++) {
          const m1 = r - (r - l) * 0.618034, m2 = l + (r - l) * 0.618034;
          if (top * u({ [v]: m1 }) < top * u({ [v]: m2 })) l = m1; else r = m2;
        }
        const t = (l + r) / 2, there = u({ [v]: t });
        if (there !== 0 && Math.sign(there) !== -Math.sign(a) && Math.abs(there) <= 1e-9 * Math.min(Math.abs(a), Math.abs(c))) {
          return { unjudged: `Your answer switches a piece (a sign, a step, |...|) at ${v} ≈ ${fmt(t)} alone, where what it is taken of touches 0 between the numbers this page can reach: type it into workbook solve --check, which judges it exactly.` };
        }
      }
    }
    // past each switch, first: a difference said there reads as one (at x = 1000, a hair past relu(x - 1000)'s corner,
    // "gives 2.000001, but the derivative is 2.000000" looked like rounding: user52 F16); beside it, after
    const pastSwitches = switches.slice(0, 40).map((z) => z + Math.sign(z || 1) * Math.max(1, Math.abs(z)));
    switches.forEach((z, k) => {
      // beside it, and very near it: a sliver 10^-9 wide (min(1, 10^9 |x - 1|) - 1) lies within the first
      for (const eps of [1e-7 * Math.max(1, Math.abs(z)), 1e-10 * Math.max(1, Math.abs(z))]) extra.push(z - eps, z + eps);
      if (k > 0) extra.push((switches[k - 1] + z) / 2);
    });
    f.looked = extra.slice(0, 4000);
    // (a point past the box where the derivative's own value moves past what is weighed when x moves by a hair says
    // nothing in doubles: 2x sin(x^2 + pi/2) at 10^5 was "more than doubles hold", as judgeExpressions skips it)
    const steady = (x) => {
      const a = g({ [v]: x }), b = g({ [v]: x * (1 + 1e-13) });
      return Number.isFinite(a) && Math.abs(a - b) <= 1e-9 * Math.max(unit, Math.abs(a));
    };
    for (const x of pastSwitches.concat(extra, holesOf(f, v, xs), xs)) {
      if (Math.abs(x) > hi && !x.hole && !steady(+x)) continue;
      const at = { [v]: +x };
      if (x.zero) at.zero = x.zero;
      // where the function has no value (NaN); not where it is only too large for a double: ln(e^(3x) + 1), softplus
      // written out, is Infinity past x = 237, and relu(x - 1000) added to its slope was "Right." (user52 F16)
      if (fn && Number.isNaN(fn(at))) continue;
      const want = g(at);
      // where the derivative is large too (8e^(8x) is 10^9 at 2.4): a bump of 10^11 there was "Right." (attack30),
      // when such points were passed over; compared to its own size, as everywhere
      if (!Number.isFinite(want)) continue;
      const got = f(at);
      // past the box, a number too large for a double is no hole: 3e^(-3x)/(1 + e^(-3x))^2, the textbook
      // sigmoid's slope, is Infinity/Infinity at x = -998 (the points in the box judge where an answer is defined)
      // unless something it takes a logarithm or a square root of is negative there: it has no value on that
      // stretch (2x + 3 + ln(x + 5) - ln(x + 5) below -5, "Right.": attack30)
      if (!Number.isFinite(got) && Math.abs(x) > hi && !(f.domains || []).some((u) => u(at) < 0)) continue;
      // an infinite spike at a point alone (DiracDelta(x)), where the derivative is a number, is not it
      if (x.hole && (got === Infinity || got === -Infinity)) return { x: +x, got, want };
      // undefined at a point alone, the same on both sides of it, is right (2x^2/x at 0), as in the terminal
      if (!Number.isFinite(got) && [-1, 1].every((side) => {
        const y = x * 1 + side * 1e-7 * Math.max(1, Math.abs(x)), there = f({ [v]: y });
        return Number.isFinite(there) && closeTo(there, g({ [v]: y }), 1e-5, unit);
      })) continue;
      // at a point of the answer's own (4x(x - 1)/(x - 1) at 1, sign(x) at 0), the answer itself must go on
      // through it smoothly for the two to be compared there
      if (x.hole && [-1, 1].some((side) => !closeTo(g({ [v]: x * 1 + side * 1e-7 * Math.max(1, Math.abs(x)) }), want, 1e-5, unit))) continue;
      if (!Number.isFinite(got) || !closeTo(got, want, 1e-7, unit)) return { x: +x, got, want };
    }
    return null;
  }

  // Where u, of the sign ``before`` at a, changes sign between a and b: narrowed by bisection to two neighbours.
  // Where what an exponential or a power of the answer is taken of turns between points of the grid, narrowed by
  // golden section: the top of a bump narrower than the grid's spacing, 1000 e^(-10^12 (x - 0.7771)^2), which the
  // grid stepped over ("Right.": attack32; workbook solve --check looks there too)
  // and where it crosses 0 between two points, narrowed by bisection: a bump whose argument is a line turns nowhere,
  // sech(10^6 (x - 0.7771)) tops where it is 0, and 1/(1 + (10^8 (x - c))^2) where its square's base is (attack33)
  // Each source is given its turn in rounds, the first crossing or top of each, then the second ...: one that switches
  // thousands of times (0*e^(sin(1000x))) used up a budget shared in typed order, and so did 40 worthless ones before
  // it, and a bump after them was "Right." (attack47 F8, F10), as the corners were once (see everywhere)
  function turnsOf(f, v, xs) {
    const sources = f.turns || [];
    if (sources.length > 200) throw new ParseError("an answer with over 200 exponentials and powers is more than the page can check: write it more simply");
    const queues = sources.map((u) => {
      const ys = xs.map((x) => u({ [v]: x })), marks = [];
      for (let k = 1; k < xs.length; k++) {
        if (Number.isFinite(ys[k - 1]) && Number.isFinite(ys[k]) && ys[k - 1] * ys[k] < 0) marks.push([k, 0]);
      }
      for (let k = 1; k + 1 < xs.length; k++) {
        const [a, b, c] = [ys[k - 1], ys[k], ys[k + 1]];
        if ([a, b, c].every(Number.isFinite) && (b - a) * (c - b) < 0) marks.push([k, b > a ? 1 : -1]);  // a peak, or a trough (a spike's base)
      }
      return { u, ys, marks };
    });
    const found = [];
    for (let round = 0; found.length < 300 && queues.some((q) => round < q.marks.length); round++) {
      for (const { u, ys, marks } of queues) {
        if (round >= marks.length || found.length >= 300) continue;
        const [k, top] = marks[round];
        if (!top) {
          const [a, b] = narrowed(u, v, xs[k - 1], xs[k], ys[k - 1]);
          found.push(a, b, (a + b) / 2);
          continue;
        }
        let lo = xs[k - 1], hi = xs[k + 1];
        for (let t = 0; t < 80; t++) {
          const m1 = hi - (hi - lo) * 0.618034, m2 = lo + (hi - lo) * 0.618034;
          if (top * u({ [v]: m1 }) < top * u({ [v]: m2 })) lo = m1; else hi = m2;
        }
        found.push((lo + hi) / 2);
      }
    }
    return found;
  }

  // The same in several names: from a few points of the box, along each name in turn (twice round), to where what
  // a function of the answer is taken of turns or crosses 0: the top of 1000 e^(-10^8 ((x - 0.5)^2 + (y - 0.2)^2))
  // and the ridge of sech(10^6 (x + y - 0.7771)), which no random point of the box reaches (attack32, attack33)
  function boxTurns(f, variables, bases) {
    const found = [], grid = Array.from({ length: 201 }, (_, k) => -3 + 6 * k / 200);
    // and where what a corner is taken of turns: sign(|y - 1|) switches on the line y = 1 alone, sign((x - 0.3)^2 +
    // (y - 0.7)^2) at one point, which no point of the box lands on ("Right.": attack51 F7, F8); each such place
    // also at its 12 digits, where a turn narrowed to the last bits of a double reaches the round number it is at
    const sources = (f.turns || []).slice(0, 12).concat((f.joints || []).slice(0, 12));
    for (const u of sources) {
      for (const base of bases) {
        const p = base.slice();
        for (let round = 0; round < 2; round++) {
          variables.forEach((v, i) => {
            const fixed = {};
            variables.forEach((w, j) => { fixed[w] = p[j]; });
            const along = turnsOf({ turns: [(o) => u({ ...fixed, [v]: o[v] })] }, v, grid);
            if (along.length) {
              p[i] = along.reduce((a, b) => (Math.abs(b - p[i]) < Math.abs(a - p[i]) ? b : a));
              found.push(p.slice());
              const round12 = Number(p[i].toPrecision(12));
              if (round12 !== p[i]) { p[i] = round12; found.push(p.slice()); }
            }
          });
        }
      }
    }
    return found.slice(0, 2000);
  }

  function narrowed(u, v, a, b, before) {
    for (let t = 0; t < 60; t++) { const m = (a + b) / 2; if (u({ [v]: m }) * before > 0) a = m; else b = m; }
    return [a, b];
  }

  // The points where a denominator of the learner's answer, or what a logarithm, a root, |.|, sign or a step
  // is taken of, is 0 exactly: where it changes sign on the grid, narrowed by bisection and rounded to the
  // nearest number it is 0 at (x - 1 at 1). Marked, so that the answer itself is compared there only where it
  // goes on smoothly (a Number object, compared by value).
  function holesOf(f, v, xs) {
    const found = [];
    for (const u of (f.holes || []).slice(0, 40)) {
      let before = u({ [v]: xs[0] });
      for (let k = 1; k < xs.length && found.length < 80; k++) {
        const now = u({ [v]: xs[k] });
        if (Number.isFinite(before) && Number.isFinite(now) && before * now <= 0) {
          const [a, b] = narrowed(u, v, xs[k - 1], xs[k], before);
          const exact = [a, b, Number(a.toFixed(12)), Number(a.toPrecision(12)), Number(b.toPrecision(12))]
            .find((z) => u({ [v]: z }) === 0);
          const x = new Number(exact === undefined ? a : exact);
          x.hole = true;
          // no number is the point (cos x is 6e-17 at the nearest to pi/2): a crossing, not a pole, where u is
          // tiny on both neighbours, is evaluated with u at 0, as the terminal does exactly (sign(cos x)^2 - 1 is -1)
          const scale = Math.max(1, Math.abs(before), Math.abs(now));
          if (exact === undefined && Math.abs(u({ [v]: a })) <= 1e-9 * scale && Math.abs(u({ [v]: b })) <= 1e-9 * scale) x.zero = u;
          if (exact !== undefined || x.zero) found.push(x);
        }
        before = now;
      }
    }
    return found;
  }

  // A typed list cut at its commas and semicolons outside brackets: "2x, max(x, y)" is two parts,
  // "[a, b; c, d]" and "(a, b), (c, d)" are four (as workbook/judge.py's parts).
  function wrapped(piece) {
    if (!piece.startsWith("(")) return false;
    let depth = 0;
    for (let i = 0; i < piece.length; i++) {
      depth += (piece[i] === "(") - (piece[i] === ")");
      if (depth === 0) return i === piece.length - 1;
    }
    return false;
  }
  function parts(text) {
    text = text.replace(/[[{]/g, "(").replace(/[\]}]/g, ")").trim();
    // a vector in angle brackets, <-8, 5>: read as (-8, 5), not as an inequality (user48 F11), as judge.py reads it
    if (/^[<⟨][\s\S]*[>⟩]$/.test(text)) text = "(" + text.slice(1, -1) + ")";
    const out = [];
    let depth = 0, start = 0;
    for (let i = 0; i <= text.length; i++) {
      const ch = i < text.length ? text[i] : ",";
      depth += (ch === "(") - (ch === ")");
      if ((ch === "," || ch === ";") && depth <= 0) {
        const piece = text.slice(start, i).trim();
        start = i + 1;
        if (wrapped(piece) && /[,;]/.test(piece.slice(1, -1))) out.push(...parts(piece.slice(1, -1)));
        else if (piece) out.push(piece);
      }
    }
    return out;
  }

  // the text cut at one character outside brackets (brackets already made round), as judge.py's _cut
  function cut(text, at) {
    const out = [];
    let depth = 0, start = 0;
    for (let i = 0; i < text.length; i++) {
      depth += (text[i] === "(") - (text[i] === ")");
      if (text[i] === at && depth === 0) { out.push(text.slice(start, i).trim()); start = i + 1; }
    }
    out.push(text.slice(start).trim());
    return out;
  }
  // how many entries each row of a matrix typed as rows holds, as judge.py's rows_typed; null for one list
  function rowsTyped(text) {
    text = text.replace(/[[{]/g, "(").replace(/[\]}]/g, ")").trim();
    if (text.includes("=")) return null;
    const outer = wrapped(text), inner = outer ? text.slice(1, -1) : text;
    let rows = cut(inner, ";");
    if (rows.length === 1) {
      rows = cut(inner, ",");
      const inBrackets = rows.length >= 2 && rows.every((r) => wrapped(r)) &&
        (outer || rows.every((r) => /[,;]/.test(r.slice(1, -1))));  // [[a], [b]]: two rows of one
      const oneRow = outer && rows.length === 1 && wrapped(rows[0]);  // [[a, b, c, d]]
      if (!inBrackets && !oneRow) return null;
    }
    return rows.map((r) => (r ? parts(wrapped(r) ? r.slice(1, -1) : r).length : 0));
  }

  // What a label names, as workbook/judge.py's _naming: "f:x,y" for f_xy, f_{yx}, ∂²f/∂y∂x; "f:x" for df/dx
  function naming(label, variables) {
    const text = label.replace(/\s+/g, "").replace(/²/g, "2").replace(/³/g, "3");
    if (text.length > 24) return null;  // names that run into each other (x, xx) backtrack on a long label
    const one = [...variables].sort((a, b) => b.length - a.length).map((v) => v.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|");
    let m = new RegExp(`^([A-Za-z]\\w*?)_\\{?((?:${one})+)\\}?$`).exec(text);
    if (m) return m[1] + ":" + (m[2].match(new RegExp(one, "g")) || []).sort().join(",");
    m = new RegExp(`^[∂d](?:\\^?\\d)?([A-Za-z]\\w*)/((?:[∂d](?:${one})(?:\\^?\\d)?)+)$`).exec(text);
    if (!m) return null;
    const wrt = [];
    for (const p of m[2].matchAll(new RegExp(`[∂d](${one})(?:\\^?(\\d))?`, "g"))) {
      for (let i = 0; i < Number(p[2] || 1); i++) wrt.push(p[1]);
    }
    return m[1] + ":" + wrt.sort().join(",");
  }
  // The parts put in the order asked by their labels when they have them (every one labelled, each
  // label naming one of the parts), as workbook/judge.py's _in_order.
  function inOrder(typed, data) {
    const labels = typed.map((p) => (p.split("=").length === 2 ? p.split("=")[0] : null));
    if (!labels.some((l) => l)) return typed;
    if (!labels.every((l) => l) || typed.length !== data.names.length) throw new ParseError(`label every expression (as f_x = ...) or none: ${data.what}`);
    const keys = data.names.map((n) => naming(n, data.variables));
    const placed = data.names.map(() => null);
    typed.forEach((part, j) => {
      const key = naming(labels[j], data.variables);
      const spot = keys.findIndex((k, i) => key !== null && k === key && placed[i] === null);
      if (spot < 0) throw new ParseError(`"${labels[j].trim().slice(0, 30)}" names none of ${data.names.join(", ")}`);
      placed[spot] = part.split("=")[1];
    });
    return placed;
  }
  // The same numbers every time: random points of the box, as workbook/solver.py's apart_in_box looks
  // points near each corner's side none of the box's points is on (a bump of radius 0.01), as judge.py's
  // solver._other_sides finds them: the corner's argument pushed towards its other sign by a pattern search
  function otherSides(joints, variables, box) {
    const found = [], at = (p) => { const o = {}; variables.forEach((v, i) => { o[v] = p[i]; }); return o; };
    const rare = [];  // arguments whose side no point, or hardly any (2%), is on, as solver._other_sides looks
    for (const u of joints.slice(0, 40)) {
      const values = box.map((p) => u(at(p)));
      const above = values.filter((x) => x > 0).length, below = values.filter((x) => x < 0).length;
      if (!values.some((x) => Number.isFinite(x)) || Math.min(above, below) > 0.02 * box.length) continue;
      const sign = above > below ? -1 : 1;
      rare.push({ u, sign, values: values.map((x) => (Number.isFinite(x) ? sign * x : -Infinity)) });
      if (Math.min(above, below) === 0) found.push(...pushed([rare[rare.length - 1]], box, at));
    }
    // where two of them are on their rare sides at once, and all of them: a product of steps on crossing strips is
    // not 0 on the small square where they cross alone (attack49 F9)
    const groups = [];
    if (rare.length <= 6) rare.forEach((a, i) => rare.slice(i + 1).forEach((b) => groups.push([a, b])));
    if (rare.length > 2 && rare.length <= 8) groups.push(rare);
    for (const group of groups) found.push(...pushed(group, box, at));
    return found;
  }
  // 400 points round where a pattern search from the box point nearest gets every argument of the group past 0: it
  // climbs the sum of how far each is short of 0, so that one past 0 does not hold the others back
  function pushed(group, box, at) {
    const short = (x) => {
      const each = group.map((g) => g.sign * g.u(at(x)));
      return [each.every((v) => Number.isFinite(v)) ? each.reduce((t, v) => t + Math.min(v, 1e-12), 0) : -Infinity,
              Math.min(...each) > 0];
    };
    let best = 0, bestSum = -Infinity;
    box.forEach((p, k) => {
      const total = group.reduce((t, g) => t + Math.min(g.values[k], 0), 0);
      if (total > bestSum) { bestSum = total; best = k; }
    });
    let x = box[best].slice(), [here, done] = short(x), step = 6 / 8;
    for (let t = 0; t < 400 && !done && step >= 1e-7; t++) {
      let moved = false;
      for (let k = 0; k < x.length; k++) {
        for (const d of [step, -step]) {
          const y = x.slice(); y[k] = Math.min(Math.max(y[k] + d, -3), 3);
          const [there, beyond] = short(y);
          if (there > here || (beyond && !done)) { x = y; here = there; done = beyond; moved = true; }
        }
      }
      if (!moved) step /= 2;
    }
    if (!done) return [];
    const out = [], radius = Math.max(step, 1e-6) * 4;
    for (let k = 0; k < 400; k++) {
      const q = (k * 0.6180339887) % 1, r = (k * 0.7548776662) % 1;  // spread round where it got
      out.push(x.map((c, i) => Math.min(Math.max(c + radius * (2 * (i % 2 ? r : q) - 1), -3), 3)));
    }
    return out;
  }
  function boxPoints(dims, n) {
    let state = 20261201;
    const next = () => { state = (state + 0x6d2b79f5) | 0; let t = Math.imul(state ^ (state >>> 15), 1 | state);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t; return ((t ^ (t >>> 14)) >>> 0) / 4294967296; };
    const out = [];
    for (let k = 0; k < n; k++) out.push(Array.from({ length: dims }, () => -3 + 6 * next()));
    return out;
  }

  function judgeExpressions(data, text) {
    const typed = inOrder(parts(text), data);
    if (typed.length !== data.names.length) throw new ParseError(`give ${data.names.length} expressions: ${data.what}`);
    const rows = data.columns ? rowsTyped(text) : null, tall = data.columns ? data.names.length / data.columns : 0;
    if (rows && (rows.length !== tall || rows.some((r) => r !== data.columns))) {
      return { right: false, say: `Not right: the matrix has ${tall} row${tall === 1 ? "" : "s"} of ${data.columns}; yours has ${rows.length} row${rows.length === 1 ? "" : "s"} of ${rows.join(", ")}.` };
    }
    const fns = typed.map((part, j) => {
      try { return parse(part, data.variables); }
      catch (err) { if (err instanceof ParseError) err.message = `${data.names[j]}: ${err.message}`; throw err; }
    });
    const wrong = [], lost = [];
    // the function the expressions are derivatives of: they are compared where it has a value (1/|x| + y² is ∂/∂x of
    // ln(x) + x y² wherever that is defined), as workbook/judge.py compares them
    const defined = data.function ? parse(data.function, data.variables) : null;
    // the box, and boxes ten and a hundred times as wide (a corner at z = 3.1 added to a right Jacobian)
    const box = data.truths ? boxPoints(data.variables.length, 20000).concat(
      boxPoints(data.variables.length, 4000).map((p) => p.map((c) => 10 * c)),
      boxPoints(data.variables.length, 4000).map((p) => p.map((c) => 100 * c))) : [];
    fns.forEach((f, j) => {
      // (each partial its own size, at its points and over the box: attack44 F4, attack45 F1)
      const own = data.truths ? parse(data.truths[j], data.variables) : null;
      const unit = unitOf(data.values.map((row) => row[j]).concat(
        own ? box.map((point) => own(Object.fromEntries(data.variables.map((v, i) => [v, point[i]])))) : []));
      const at = (point) => { const o = {}; data.variables.forEach((v, i) => { o[v] = point[i]; }); return o; };
      const where = (point) => data.variables.map((v, i) => `${v} = ${fmt(point[i])}`).join(", ");
      for (let k = 0; k < data.points.length; k++) {
        const got = f(at(data.points[k])), want = data.values[k][j];
        if (!Number.isFinite(got) || !closeTo(got, want, 1e-7, unit)) {
          if (doublesLost(f, at(data.points[k]), want, own, unit)) {
            lost.push(where(data.points[k]));
            return;
          }
          const [yours, truth] = apartFmt(got, want);
          wrong.push(`${data.names[j]} (at ${where(data.points[k])} yours gives ${yours}, but it is ${truth})`);
          return;
        }
      }
      if (!data.truths) return;
      const g = own;  // the expression itself, everywhere in the box
      // a point past the box where a hair's move changes the key's value past the tolerance says nothing in doubles:
      // cos(x^3 y + x y^2) at (184, -45), its argument 2.8e8 carrying an error of a unit, could set two right forms
      // apart (attack32's review, found in solve --check)
      const steady = (fn, point) => {
        const a = fn(at(point)), b = fn(at(point.map((c) => c * (1 + 1e-13))));
        return Number.isFinite(a) && Math.abs(a - b) <= 1e-9 * Math.max(unit, Math.abs(a));
      };
      for (const point of box.concat(otherSides(f.joints || [], data.variables, box), boxTurns(f, data.variables, box.slice(0, 8)))) {
        if (defined && Number.isNaN(defined(at(point)))) continue;  // where the function has no value (attack46 F3)
        // on a corner of the key itself (max(x, y)'s partials on x = y, where there are none): its value there is a
        // convention, as at relu's corner in one name (attack49 F10)
        if ((g.joints || []).some((u) => Math.abs(u(at(point))) <= 1e-12 * Math.max(1, ...point.map(Math.abs)))) continue;
        const got = f(at(point)), want = g(at(point));
        if (!Number.isFinite(got) && point.some((c) => Math.abs(c) > 3)) continue;  // past the box: overflow, no hole
        // where the expression has a value, yours must have the same (one undefined there is wrong too)
        if (Number.isFinite(want) && Number.isFinite(got) && Math.abs(got - want) > 1e-8 * Math.max(unit, Math.abs(want))
            && point.some((c) => Math.abs(c) > 3) && !steady(g, point)) continue;  // (past the box, where the key's own
        // value is unsteady: inside it, and where the key's is steady, an answer unsteady there is still compared)
        if (Number.isFinite(want) && (!Number.isFinite(got) || Math.abs(got - want) > 1e-8 * Math.max(unit, Math.abs(want)))) {
          if (doublesLost(f, at(point), want, g, unit)) { lost.push(where(point)); return; }
          const [yours, truth] = apartFmt(got, want);
          wrong.push(`${data.names[j]} (at ${where(point)} yours gives ${yours}, but it is ${truth})`);
          return;
        }
      }
    });
    if (wrong.length) return { right: false, say: `Not right: check ${wrong.join("; ")}.` };
    if (lost.length) return LOST(lost[0]);
    const named = (point) => Object.fromEntries(data.variables.map((v, i) => [v, point[i]]));
    const keys = fns.map((_, j) => { try { return data.truths ? parse(data.truths[j], data.variables) : null; } catch (err) { return null; } });
    if (fns.some((f, j) => data.points.some((p, k) => pastItsRounding(f, named(p), data.values[k][j], keys[j])))) return FINE;
    const inBox = boxPoints(data.variables.length, 2000).map(named);
    // (past the box, in the boxes ten and a hundred times as wide, where the partials are compared: a term heard out
    // at 10^5 and never compared there, 2x y + x^4 y/10^17, was "Right.": attack47 F6)
    const past = boxPoints(data.variables.length, 800).map((p, k) => named(p.map((c) => c * (k % 2 ? 10 : 100))));
    return TINY(fns) || fns.map((f) => unheard(f, inBox, past)).find((said) => said) || { right: true, say: "Right." };
  }

  // The kinds and the verdicts a learner may write, as workbook/judge.py's KINDS and VERDICTS: whole words,
  // nothing that merely starts alike ("convex" is not "converges"), and no negation ("not a minimum").
  const KINDS = { minimum: "minimum", min: "minimum", minima: "minimum", maximum: "maximum", max: "maximum",
                  maxima: "maximum", saddle: "saddle point" };
  const FILLERS = ["local", "a", "an", "is", "it", "point", "relative", "strict", "global"];
  const NEGATIONS = ["not", "no", "isn't", "isnt", "neither", "nor", "never"];
  const VERDICTS = {};
  for (const [verdict, forms] of Object.entries({
    converges: ["converges", "converge", "convergent", "converging", "converged"],
    oscillates: ["oscillates", "oscillate", "oscillating", "oscillatory", "oscillation"],
    diverges: ["diverges", "diverge", "divergent", "diverging", "diverged"] })) forms.forEach((f) => { VERDICTS[f] = verdict; });
  function kindOf(typed, coords) {
    const words = typed.toLowerCase().replace(/-/g, " ").split(/\s+/).filter((w) => w);
    const said = words.filter((w) => !FILLERS.includes(w));
    if (words.some((w) => NEGATIONS.includes(w)) || said.length !== 1 || !Object.hasOwn(KINDS, said[0])) {
      throw new ParseError(`after the point (${coords.join(", ")}) write what it is: a minimum, a maximum or a saddle point`);
    }
    return said[0];
  }

  // Critical points in any order, each followed by its kind: "(1, 0) minimum, (-1, 0) saddle".
  function judgePoints(data, text) {
    text = text.replace(/[[{]/g, "(").replace(/[\]}]/g, ")");
    const typed = [];
    let i = 0;
    while (i < text.length) {
      while (i < text.length && " ,;\t".includes(text[i])) i++;
      if (i >= text.length) break;
      let coords, rest;
      if (text[i] !== "(") {
        const m = /^([^\s,;()]+)\s*([A-Za-z](?:[A-Za-z ]|-(?=[A-Za-z]))*)?/.exec(text.slice(i));
        if (!m) throw new ParseError("write each point as (a, b) and its kind");
        coords = [m[1]]; rest = m[2] || ""; i += m[0].length;
      } else {
        let depth = 0, j = i;
        for (; j < text.length; j++) { depth += (text[j] === "(") - (text[j] === ")"); if (depth === 0) break; }
        if (depth) throw new ParseError("missing ')'");
        coords = parts(text.slice(i + 1, j));
        const m = /^\s*([A-Za-z](?:[A-Za-z ]|-(?=[A-Za-z]))*)?/.exec(text.slice(j + 1));
        rest = m[1] || ""; i = j + 1 + m[0].length;
      }
      if (coords.length !== data.variables.length) throw new ParseError(`write each point with ${data.variables.length} coordinates: ${data.what}`);
      typed.push({ coords, values: coords.map(toNumber), kind: kindOf(rest, coords) });
    }
    const left = data.points.map((p, k) => ({ p, kind: data.kinds[k] }));
    const said = [], found = [];
    const near = (t, p) => p.every((x, j) => numberRight(t.values[j], x, t.coords[j]));
    for (const t of typed) {
      const k = left.findIndex((c) => near(t, c.p));
      const shown = `(${t.coords.join(", ")})`;
      if (k < 0) { said.push(found.some((p) => near(t, p)) ? `${shown} is given twice` : `${shown} is not a critical point`); continue; }
      const hit = left.splice(k, 1)[0];
      found.push(hit.p);
      const truth = hit.kind;
      if (KINDS[t.kind] !== truth) said.push(`${shown} is a critical point, but not a ${t.kind}`);
    }
    if (left.length) said.push(`there ${left.length === 1 ? "is 1 more critical point" : `are ${left.length} more critical points`} to find`);
    return said.length ? { right: false, say: `Not right: ${said.join("; ")}.` } : { right: true, say: "Right." };
  }

  // a number as such (1e-5 among them), else an expression of numbers
  // (× and · between numbers are times: 3.9 × 10^(-4), as the key writes a relative error)
  const toNumber = (part) => (/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(part) ? Number(part)
    : parse(part.replace(/\s*[×·]\s*/g, " * "), [])({}));
  // the decimal places a typed number gives: 0.25 two, 2.8e-3 four, 3/4 none (as workbook/solver.py's decimals_of)
  function decimalsOf(part) {
    const m = /^\s*[-+]?\d*\.?(\d*)(?:[eE]([-+]?\d+))?\s*$/.exec(part);
    if (!m) {  // a mantissa times a power of ten: 3.9 × 10^(-4), 3.9*10^-4
      const p = /^\s*[-+]?\d*\.?(\d*)\s*[*×·]\s*10\s*\^\s*\(?\s*([-+]?\d{1,4})\s*\)?\s*$/.exec(part);
      return p ? Math.max(p[1].length - parseInt(p[2], 10), 0) : 0;
    }
    return part.includes(".") || m[2] ? Math.max(m[1].length - parseInt(m[2] || "0", 10), 0) : 0;
  }
  function numberRight(value, truth, part, relative = 5e-3, figures = 0, whole = false) {
    // a whole number in the key is given exactly: 4.98 is a slip for 5, not a rounding of it (attack63 F5), as
    // solver.py's _judge_number with a value known
    if (whole && !figures) return Math.abs(value - truth) <= 1e-12 * Math.abs(truth);
    const decimals = decimalsOf(part);
    // a 0 with decimals says nothing of a value that is not 0: 0.000 was "Right." for 0.0004 (attack46 F2), as solver.py
    if (value === 0 && decimals && Math.abs(truth) > 1e-20) return false;
    // rounded to the decimals given (a whole number is not a rounding of 0.4), or within 0.5%; a number asked to
    // significant figures, rounded to those (as workbook/solver.py's _judge_number)
    // (a tie too, whichever way its doubles fall: 0.8 was not right for 0.75 where 0.3 was for 0.25: attack44 F5)
    const typed = decimals && !figures ? 0.5 * Math.pow(10, -decimals) * (1 + 1e-12) : 0;
    const sig = figures && truth ? 0.5 * Math.pow(10, Math.floor(Math.log10(Math.abs(truth))) - figures + 1) * (1 + 1e-12) : 0;
    // written exactly (22/7, pi + 1/100): no rounding of the value, but the value or not (as solver.py's exact_form)
    if (!figures && !/^\s*[-+]?\d+\s*$/.test(part) && !part.includes(".") && !/\d\s*[eE]\s*[-+]?\d/.test(part)
        && !/10\s*\^/.test(part)) relative = 0;
    // (a double's noise: 10^-12 of the value, or 10^-20 beside 0; an absolute 10^-12 called 0 right for 2e-15: attack46 F15)
    const slack = Math.max(typed, sig, relative * Math.abs(truth), 1e-12 * Math.abs(truth), 1e-20);
    return Math.abs(value - truth) <= slack;
  }

  // The numbers of an answer, as workbook/judge.py's numbers_typed: cut at commas and semicolons outside
  // brackets, each freed of a label ("x_3 = -1.875"); side by side with spaces where no bracket is open.
  // a number's name compared as judge.py's _key does; a lone number's label as its _same_label does
  function labelKey(l) {  // a partial however it is written: ∂f/∂x, df/dx and f_x are one
    const key = l.replace(/[\s{}]/g, "").replace(/∂/g, "d").replace(/θ/g, "theta").replace(/′/g, "'").slice(0, 40);
    const short = /^([A-Za-z])_(\w+)$/.exec(key);
    return short ? `d${short[1]}/d${short[2]}` : key;
  }
  function sameLabel(label, name) {
    if (labelKey(label) === labelKey(name)) return true;
    const pattern = /^[A-Za-z]('+|\^\(\d+\))\((.{1,20})\)$/;
    const typed = pattern.exec(labelKey(label)), asked = pattern.exec(labelKey(name));
    if (!typed || !asked || typed[1] !== asked[1]) return false;
    try { return Math.abs(toNumber(typed[2]) - toNumber(asked[2])) <= 1e-12; } catch (err) { return false; }
  }
  function numbersTyped(text, wanted, names) {
    // a number named in words as the key names it, "profit 380.25", read as "profit = 380.25" (as judge.py's _worded)
    const lower = (names || []).map((n) => n.toLowerCase());
    const pieces = parts(text).map((p) => {
      const m = p.includes("=") ? null : /^\s*([A-Za-z][A-Za-z ]{0,30}?)\s+([-+−]?[\d.].*)$/.exec(p);
      return m && lower.includes(m[1].trim().toLowerCase()) ? `${m[1].trim()} = ${m[2]}` : p;
    });
    const labels = pieces.map((p) => (p.split("=").length === 2 ? p.split("=")[0] : null));
    if (names && names.length > 1 && labels.some((l) => l)) {  // put in order by their labels, as judge.py does
      if (!labels.every((l) => l) || pieces.length !== names.length) throw new ParseError(`label every number (as ${names[0]} = ...) or none`);
      const key = labelKey;
      const keys = names.map(key), placed = names.map(() => null);
      pieces.forEach((piece, j) => {
        const spot = keys.findIndex((k, i) => k === key(labels[j]) && placed[i] === null);
        if (spot < 0) throw new ParseError(`"${labels[j].trim().slice(0, 30)}" names none of ${names.join(", ")}`);
        placed[spot] = piece.split("=")[1].trim();
      });
      return placed;
    }
    if (names && names.length === 1 && pieces.length === 1 && labels[0] && !sameLabel(labels[0], names[0])) {
      throw new ParseError(`${labels[0].trim().slice(0, 30)} does not name ${names[0]}`);  // a lone number's label too
    }
    let typed = pieces.map((p) => (p.split("=").length === 2 ? p.split("=")[1].trim() : p));
    if (typed.length === 1 && wanted > 1 && !typed[0].includes("(")) typed = typed[0].split(/\s+/);
    return typed.filter((p) => p);
  }

  function judgeNumbers(data, text) {
    const typed = numbersTyped(text, data.values.length, data.names);
    if (typed.length !== data.values.length) {
      throw new ParseError(`give ${data.values.length} number${data.values.length > 1 ? "s" : ""}: ${data.what}`);
    }
    const wrong = [];
    typed.forEach((part, k) => {
      if (!numberRight(toNumber(part), data.values[k], part, data.exact ? 0 : 5e-3, (data.figures || [])[k] || 0,
                       (data.whole || [])[k] || false)) wrong.push(data.names[k] || `number ${k + 1}`);
    });
    return wrong.length ? { right: false, say: `Not right: check ${wrong.join(", ")}.` } : { right: true, say: "Right." };
  }

  function judgeWords(data, text) {
    const given = text.split(/[,;]+|\s+/).map((w) => w.trim().toLowerCase()).filter((w) => w);
    if (given.length !== data.words.length) throw new ParseError(`give ${data.words.length} words: ${data.what}`);
    const unknown = given.find((w) => !Object.hasOwn(VERDICTS, w));
    if (unknown !== undefined) throw new ParseError(`${unknown.slice(0, 30)} is not one of converges, oscillates, diverges: ${data.what}`);
    const wrong = data.names.filter((_, k) => VERDICTS[given[k]] !== data.words[k]);
    return wrong.length ? { right: false, say: `Not right: check ${wrong.join(", ")}.` } : { right: true, say: "Right." };
  }

  const fmt = (x) => (x === 0 ? "0" : Math.abs(x) >= 1e-4 && Math.abs(x) < 1e6 ? String(+x.toPrecision(6)) : x.toExponential(4));
  // Two numbers as fmt shows them, or with as many more digits (up to 15) as it takes to tell them apart:
  // "your answer gives 1.38054, but the derivative is 1.38054" said nothing (workbook/solver.py's apart)
  function apartFmt(yours, truth) {
    if (!Number.isFinite(yours)) return ["no number", fmt(truth)];
    let shown = [fmt(yours), fmt(truth)];
    for (let digits = 7; digits <= 15 && shown[0] === shown[1]; digits++) {
      // to the same digits each, zeros kept: "-1.217391, but it is -1.21739" read as one number (user48 F14)
      shown = [yours, truth].map((x) => (Math.abs(x) >= 1e-4 && Math.abs(x) < 1e6 ? x.toPrecision(digits)
                                         : x.toExponential(digits - 2)));
    }
    return shown;
  }

  function judge(data, text) {
    if (text.length > 4000) throw new ParseError("an answer is at most 4000 characters");  // before any pattern runs over it
    if (!text.trim()) throw new ParseError("type your answer first");
    if (data.kind === "expression") return judgeExpression(data, text);
    if (data.kind === "words") return judgeWords(data, text);
    if (data.kind === "expressions") return judgeExpressions(data, text);
    if (data.kind === "points") return judgePoints(data, text);
    return judgeNumbers(data, text);
  }

  // ---------------------------------------------------------------- the page
  const all = JSON.parse(document.getElementById("practice-data").textContent);

  document.querySelectorAll("form.try").forEach((form) => {
    const data = all[form.dataset.problem];
    const verdict = form.querySelector(".verdict");
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const input = form.querySelector("input");
      let outcome;
      try { outcome = judge(data, input.value); }
      catch (err) { outcome = { right: null, say: err instanceof Unweighed ? err.message : err instanceof ParseError ? `I could not read that: ${err.message}.` : "I could not read that." }; }
      // a tangent line is judged in the terminal with its point: solve --check alone reads no line (attack45 F8)
      verdict.textContent = data.noun === "the tangent line" && data.at && data.function
        ? outcome.say.replace("workbook solve --check", `workbook solve "${data.function}" --at ${data.at} --check "y = ..."`)
        : outcome.say;
      verdict.className = "verdict " + (outcome.right === true ? "right" : outcome.right === false ? "wrong" : "unread");
      input.setAttribute("aria-invalid", outcome.right === false ? "true" : "false");
    });
  });

  const SVG = "http://www.w3.org/2000/svg";
  document.querySelectorAll("figure.descent").forEach((fig) => {
    const viz = all[fig.dataset.problem].viz;
    const slider = fig.querySelector("input[type=range]");
    const line = fig.querySelector("polyline.path");
    const curve = fig.querySelector("path.curve");  // one variable: each rate's window has its own curve
    const dots = fig.querySelector("g.iterates");
    const rateOut = fig.querySelector("output.rate");
    const said = fig.querySelector(".what");
    function show(k) {
      const r = viz.rates[k];
      line.setAttribute("points", r.points.map((p) => `${p[0]},${p[1]}`).join(" "));
      if (curve && r.curve) curve.setAttribute("d", r.curve);
      while (dots.firstChild) dots.removeChild(dots.firstChild);
      r.points.forEach((p, j) => {
        const c = document.createElementNS(SVG, "circle");
        c.setAttribute("cx", p[0]); c.setAttribute("cy", p[1]); c.setAttribute("r", j === 0 ? 4.5 : 3.2);
        c.setAttribute("class", (j === 0 ? "first" : "iterate") + (p[2] ? "" : " outside"));
        dots.appendChild(c);
      });
      rateOut.textContent = r.rate;
      const how = r.behaviour === "converges" ? (r.zigzag ? "converges, crossing the minimum from side to side" : "converges")
        : r.behaviour === "oscillates" ? "oscillates: it keeps bouncing and never settles" : "diverges: each step overshoots further";
      const text = `With learning rate ${r.rate}, ${viz.method} ${how}; after ${viz.steps} steps ${viz.variable} ${r.last}.` +
        (r.own ? " This is the problem's own rate." : "");
      said.textContent = text;
      slider.setAttribute("aria-valuetext", `learning rate ${r.rate}: ${r.behaviour}`);
      fig.dataset.behaviour = r.behaviour;
    }
    slider.addEventListener("input", () => show(+slider.value));
    show(+slider.value);
  });
})();
