// The search page and the paper page: read the form, ask the API, draw the answer.
//
// Corpus text (titles, authors, snippets, sections) is only ever inserted as text nodes
// (textContent, append(string)); nothing from the API is parsed as HTML. The page state
// lives in the URL (?q=...&offset=..., /paper/ID), so pages can be bookmarked and Back
// works. Defaults and choices of the options come from /api/config, not from this file.
"use strict";

const AUTHORS_SHOWN = 3;
const TYPING_DELAY_MS = 300;
const FILTERS = ["since", "until", "min_votes", "sort", "match", "limit", "expand"];
const LABELS = {
  sort: { relevance: "관련도순", votes: "추천순", date: "최신순" },
  match: { all: "모든 단어", any: "일부 단어", blend: "모든 단어 우선" },
};
const NOTES = [
  [/^no paper has every word/, "모든 단어가 들어 있는 논문이 없어, 일부 단어가 있는 논문을 보여 줍니다."],
  [/^only the first (\d+) words/, (m) => `검색어가 길어 앞의 ${m[1]} 단어만 사용했습니다.`],
];
const ERRORS = [
  [/is after/, "시작일이 종료일보다 늦습니다. 기간을 다시 골라 주세요."],
  [/the query is empty/, "검색할 단어를 입력해 주세요."],
  [/characters long/, () => `검색어가 너무 깁니다. ${config.max_query_chars.toLocaleString("ko-KR")}자까지 찾을 수 있습니다.`],
  [/not a date/, "날짜 형식이 올바르지 않습니다 (예: 2024-06-01)."],
  [/min.votes/, "최소 추천 수는 0 이상의 정수여야 합니다."],
  [/offset must be/, "그 페이지는 없습니다."],
];
// Commands and letters of LaTeX in titles, shown as Unicode.
const LATEX = {
  alpha: "α", beta: "β", gamma: "γ", delta: "δ", epsilon: "ε", varepsilon: "ε", zeta: "ζ", eta: "η",
  theta: "θ", iota: "ι", kappa: "κ", lambda: "λ", mu: "μ", nu: "ν", xi: "ξ", pi: "π", rho: "ρ",
  sigma: "σ", tau: "τ", phi: "φ", varphi: "φ", chi: "χ", psi: "ψ", omega: "ω", Gamma: "Γ", Delta: "Δ",
  Theta: "Θ", Lambda: "Λ", Pi: "Π", Sigma: "Σ", Phi: "Φ", Psi: "Ψ", Omega: "Ω", times: "×", cdot: "·",
  infty: "∞", leq: "≤", le: "≤", geq: "≥", ge: "≥", neq: "≠", approx: "≈", sim: "∼", pm: "±",
  to: "→", rightarrow: "→", leftarrow: "←", ell: "ℓ", partial: "∂", nabla: "∇", sqrt: "√", circ: "∘",
  star: "⋆", dagger: "†", checkmark: "✓", log: "log", exp: "exp",
};
const SUBSCRIPT = { 0: "₀", 1: "₁", 2: "₂", 3: "₃", 4: "₄", 5: "₅", 6: "₆", 7: "₇", 8: "₈", 9: "₉",
  "+": "₊", "-": "₋", "=": "₌", "(": "₍", ")": "₎", a: "ₐ", e: "ₑ", i: "ᵢ", j: "ⱼ", k: "ₖ", n: "ₙ",
  o: "ₒ", p: "ₚ", r: "ᵣ", s: "ₛ", t: "ₜ", x: "ₓ" };
const SUPERSCRIPT = { 0: "⁰", 1: "¹", 2: "²", 3: "³", 4: "⁴", 5: "⁵", 6: "⁶", 7: "⁷", 8: "⁸", 9: "⁹",
  "+": "⁺", "-": "⁻", "=": "⁼", "(": "⁽", ")": "⁾", n: "ⁿ", i: "ⁱ", T: "ᵀ", "*": "*" };

const form = document.getElementById("search");
const statusLine = document.getElementById("status");
const results = document.getElementById("results");
const pager = document.getElementById("pager");
const facets = document.getElementById("facets");
const notes = document.getElementById("notes");
const didYouMean = document.getElementById("did-you-mean");
const paperView = document.getElementById("paper");
const feed = document.getElementById("feed");
let config = null;
let latestRequest = 0;
let composing = false;
let typingTimer = 0;

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function link(href, className, text) {
  const anchor = element("a", className, text);
  anchor.href = href;
  if (/^https?:/.test(href)) anchor.rel = "noopener noreferrer";
  return anchor;
}

// Text with [start, end) ranges wrapped in <mark> (or ``tag``). The ranges count Unicode
// code points (Python string indices), so the text is split into code points first.
function highlighted(text, ranges, tag = "mark") {
  const chars = Array.from(text);
  const fragment = document.createDocumentFragment();
  let at = 0;
  for (const [start, end] of [...ranges].sort((a, b) => a[0] - b[0])) {
    if (start < at || end <= start || end > chars.length) continue;
    fragment.append(chars.slice(at, start).join(""));
    fragment.append(element(tag, "", chars.slice(start, end).join("")));
    at = end;
  }
  fragment.append(chars.slice(at).join(""));
  return fragment;
}

// --- LaTeX in titles ---------------------------------------------------------------------

function scripted(text, table) {
  const chars = Array.from(text);
  return chars.every((c) => table[c]) ? chars.map((c) => table[c]).join("") : null;
}

function readableMath(math) {
  let text = math.replace(/\\(?:mathcal|mathbf|mathrm|mathit|mathbb|text|textbf|textit|operatorname|boldsymbol)\s*\{([^{}]*)\}/g, "$1");
  text = text.replace(/\\([A-Za-z]+)/g, (whole, name) => LATEX[name] ?? name);
  text = text.replace(/([_^])(\{([^{}]*)\}|(.))/gu, (whole, kind, _braced, inner, single) => {
    const body = inner ?? single;
    const table = kind === "_" ? SUBSCRIPT : SUPERSCRIPT;
    return scripted(body, table) ?? (kind === "_" ? `_${body}` : `^${body}`);
  });
  return text.replace(/[{}]/g, "").replace(/\\([,;:! ])/g, " ").replace(/\\/g, "");
}

// A title with its $...$ parts shown readably: "$L_2$ Norm" -> "L₂ Norm".
function readableTitle(title) {
  return title.replace(/\$([^$]+)\$/g, (whole, math) => readableMath(math));
}

// --- Highlighting titles and authors -----------------------------------------------------

// The words a hit's title and authors are marked with: the query's own words, the
// matched passages of its snippets, and the terms the query was widened with.
function markWords(result) {
  const words = new Set();
  const query = result.query.replace(/-("[^"]*"|\S+)/g, " ");
  for (const match of query.matchAll(/(?:[A-Za-z]+:)?("[^"]*"?|\S+)/g)) {
    for (const word of match[1].replace(/"/g, "").split(/\s+/)) if (word.length >= 2) words.add(word.toLowerCase());
  }
  for (const hit of result.hits) {
    for (const snippet of hit.snippets) {
      const chars = Array.from(snippet.text);
      for (const [start, end] of snippet.highlights) {
        const word = chars.slice(start, end).join("").toLowerCase();
        if (word.length >= 2) words.add(word);
      }
    }
  }
  for (const expansion of result.expansions || []) {
    for (const term of expansion.term.split(/\s+/)) if (term.length >= 3) words.add(term.toLowerCase());
  }
  return [...words];
}

// Ranges of ``text`` where one of ``words`` starts a word (case-insensitive).
function wordRanges(text, words) {
  const chars = Array.from(text);
  const lower = chars.map((c) => c.toLowerCase());
  const ranges = [];
  for (let i = 0; i < chars.length; i++) {
    if (i > 0 && /[\p{L}\p{N}]/u.test(chars[i - 1]) && /[A-Za-z]/.test(chars[i])) continue;
    let best = 0;
    for (const word of words) {
      const length = Array.from(word).length;
      if (length > best && lower.slice(i, i + length).join("") === word) best = length;
    }
    if (best) {
      ranges.push([i, i + best]);
      i += best - 1;
    }
  }
  return ranges;
}

function authorQueries(query) {
  return [...query.matchAll(/author:("[^"]*"?|\S+)/gi)].map((m) => m[1].replace(/"/g, "").trim().toLowerCase()).filter(Boolean);
}

function authorMatches(author, wanted, words) {
  const name = author.toLowerCase();
  return wanted.some((w) => name.includes(w)) || wordRanges(author, words).length > 0;
}

// --- Options: defaults and choices from the server ---------------------------------------

function fillSelect(name, values) {
  const select = form.elements[name];
  select.replaceChildren(
    ...values.map((value) => {
      const option = element("option", "", (LABELS[name] && LABELS[name][value]) || String(value));
      option.value = String(value);
      return option;
    }),
  );
}

function defaultOf(name) {
  const value = config.defaults[name];
  return value === undefined || value === null ? "" : String(value);
}

// The known options of a URL (anything else, like utm_source, is ignored).
function urlState(search) {
  const params = new URLSearchParams(search);
  const state = { q: params.get("q") || "", offset: Math.max(0, Math.floor(Number(params.get("offset")) || 0)) };
  for (const name of FILTERS) state[name] = params.get(name) ?? defaultOf(name);
  state.since = fullDate(state.since, false);
  state.until = fullDate(state.until, true);
  const limit = Number(state.limit);
  if (!config.choices.limit.includes(limit)) state.limit = defaultOf("limit");
  state.offset -= state.offset % Number(state.limit);
  return state;
}

// YYYY and YYYY-MM (as the API takes them) as the first or last day, for a date input.
function fullDate(value, end) {
  const parts = (value || "").split("-");
  if (parts.length === 1 && /^\d{4}$/.test(parts[0])) return `${parts[0]}-${end ? "12-31" : "01-01"}`;
  if (parts.length === 2 && /^\d{4}$/.test(parts[0]) && /^\d{1,2}$/.test(parts[1])) {
    const last = new Date(Date.UTC(Number(parts[0]), Number(parts[1]), 0)).getUTCDate();
    return `${parts[0]}-${parts[1].padStart(2, "0")}-${end ? String(last).padStart(2, "0") : "01"}`;
  }
  return value || "";
}

function formState() {
  const state = { q: form.elements.q.value.trim(), offset: 0 };
  for (const name of FILTERS) {
    const field = form.elements[name];
    state[name] = field.type === "checkbox" ? String(field.checked) : field.value;
  }
  return state;
}

function fillForm(state) {
  form.elements.q.value = state.q;
  for (const name of FILTERS) {
    const field = form.elements[name];
    if (field.type === "checkbox") field.checked = state[name] !== "false";
    else field.value = state[name];
  }
  const changed = ["since", "until", "min_votes", "match", "expand"].filter((name) => state[name] !== defaultOf(name));
  document.getElementById("filter-count").textContent = changed.length ? `(${changed.length})` : "";
}

// URL parameters for a state: options at their defaults are left out.
function stateParams(state) {
  const params = new URLSearchParams();
  if (state.q) params.set("q", state.q);
  for (const name of FILTERS) if (state[name] && state[name] !== defaultOf(name)) params.set(name, state[name]);
  if (state.offset > 0) params.set("offset", String(state.offset));
  return params;
}

// --- Results ---------------------------------------------------------------------------

function metaLine(hit, words, wanted) {
  const parts = [];
  if (hit.dates.length) {
    const latest = element("time", "", hit.dates[hit.dates.length - 1]);
    latest.dateTime = hit.dates[hit.dates.length - 1];
    if (hit.dates.length > 1) latest.title = hit.dates.join(", ");
    parts.push(latest);
  }
  if (hit.votes !== null) parts.push(element("span", "votes", `추천 ${hit.votes}`));
  if (hit.authors.length) parts.push(authorList(hit.authors, words, wanted));
  parts.push(link(`https://arxiv.org/abs/${encodeURIComponent(hit.arxiv_id)}`, "arxiv", `arXiv:${hit.arxiv_id}`));
  const line = element("p", "meta");
  parts.forEach((part, i) => line.append(...(i ? [" · ", part] : [part])));
  return line;
}

// The first authors and every matched author (marked), then how many more there are.
function authorList(authors, words, wanted) {
  const span = element("span", "authors");
  span.title = authors.join(", ");
  const matched = authors.map((a) => authorMatches(a, wanted, words));
  const shown = authors.map((a, i) => i < AUTHORS_SHOWN || matched[i]);
  let gap = false;
  let first = true;
  authors.forEach((author, i) => {
    if (!shown[i]) {
      gap = true;
      return;
    }
    if (!first) span.append(gap ? " … " : ", ");
    first = false;
    gap = false;
    if (matched[i]) {
      const ranges = wordRanges(author, [...words, ...wanted]);
      const mark = element("mark", "author-match");
      mark.append(ranges.length ? highlighted(author, ranges) : author);
      span.append(mark);
    } else {
      span.append(author);
    }
  });
  const hidden = shown.filter((s) => !s).length;
  if (hidden) span.append(` 외 ${hidden}명`);
  return span;
}

function hitItem(hit, rank, words, wanted) {
  const item = element("li", "hit");
  const heading = element("h2");
  const title = readableTitle(hit.title);
  const anchor = link(`/paper/${encodeURIComponent(hit.arxiv_id)}`, "", "");
  anchor.append(highlighted(title, wordRanges(title, words)));
  if (title !== hit.title) anchor.title = hit.title;
  heading.append(element("span", "rank", `${rank}.`), anchor);
  item.append(heading, metaLine(hit, words, wanted));
  for (const snippet of hit.snippets) {
    const block = element("p", "snippet");
    block.append(element("span", "section", snippet.section), highlighted(snippet.text, snippet.highlights));
    item.append(block);
  }
  return item;
}

function showStatus(text, isError) {
  statusLine.textContent = text;
  statusLine.classList.toggle("error", Boolean(isError));
}

function korean(message, table) {
  for (const [pattern, text] of table) {
    const match = pattern.exec(message);
    if (match) return typeof text === "function" ? text(match) : text;
  }
  return null;
}

function clearResults() {
  results.replaceChildren();
  pager.hidden = true;
  facets.hidden = true;
  notes.hidden = true;
  didYouMean.hidden = true;
  feed.hidden = true;
}

// "‘강화 학습’ 검색 결과 (입력: rkdghk gkrtmq)" with the corrected words in bold and a link
// searching the words exactly as typed, as Google and Naver offer it.
function showCorrection(result, state) {
  didYouMean.hidden = !result.corrected_query;
  if (didYouMean.hidden) return;
  // Corrections replace whole words and never touch spaces, so the two texts split alike.
  const typed = result.query.split(/(\s+)/);
  const searched = element("span", "corrected");
  result.corrected_query.split(/(\s+)/).forEach((part, i) => searched.append(part === typed[i] ? part : element("strong", "", part)));
  const asTyped = link(`/?${stateParams({ ...state, offset: 0, expand: "false" })}`, "as-typed", "입력한 그대로 검색");
  didYouMean.replaceChildren("‘", searched, `’ 검색 결과 (입력: ${result.query})`, " ", asTyped);
}

// An index term ("reinforc learn") as one of ``texts`` writes it ("reinforcement learning"):
// English words are indexed stemmed, so each of 3 letters or more may go on to the end of
// the word. The term as indexed when no text has it.
function writtenForm(term, texts) {
  const words = term.split(" ").map((word) => {
    const literal = word.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    if (!/^[a-z0-9]+$/.test(word)) return literal;
    return `(?<![\\p{L}\\p{N}])${literal}${word.length >= 3 ? "[a-z]*" : ""}(?![\\p{L}\\p{N}])`;
  });
  const pattern = new RegExp(words.join("[\\s-]+"), "iu");
  for (const text of texts) {
    const found = pattern.exec(text);
    if (found) return found[0];
  }
  return term;
}

// The notes, and the translations and other spellings the search added, each after the
// query word it was added for, as the query and the hits write them.
function showNotes(result) {
  const lines = result.notes.map((note) => korean(note, NOTES) || note);
  const queryText = [result.corrected_query || result.query];
  // Snippets first: they write English terms in lower case, in parentheses after the Korean.
  const hitTexts = [...result.hits.flatMap((hit) => hit.snippets.map((s) => s.text)), ...result.hits.map((hit) => hit.title)];
  const added = new Map();
  for (const { word, term } of (result.expansions || []).slice(0, 8)) {
    const from = writtenForm(word, queryText);
    if (!added.has(from)) added.set(from, new Set());
    added.get(from).add(writtenForm(term, hitTexts));
  }
  if (added.size) {
    const pairs = [...added].map(([from, terms]) => `${from} → ${[...terms].join(", ")}`);
    lines.push(`함께 찾은 번역·다른 표기: ${pairs.join(" · ")}${result.expansions.length > 8 ? " …" : ""}`);
  }
  notes.replaceChildren(...lines.map((line) => element("li", "", line)));
  notes.hidden = lines.length === 0;
}

// Every month from the first to the last counted, the empty ones with a count of 0.
function monthAxis(counted) {
  if (!counted.length) return [];
  const counts = new Map(counted.map((m) => [m.value, m.count]));
  const months = [];
  let [year, month] = counted[0].value.split("-").map(Number);
  const last = counted[counted.length - 1].value;
  for (;;) {
    const value = `${year}-${String(month).padStart(2, "0")}`;
    months.push({ value, count: counts.get(value) || 0 });
    if (value >= last) return months;
    [year, month] = month === 12 ? [year + 1, 1] : [year, month + 1];
  }
}

function showFacets(result, state) {
  const months = monthAxis((result.facets && result.facets.month) || []);
  const most = Math.max(1, ...months.map((m) => m.count));
  const chosen = state.since && state.until && state.since.slice(0, 7) === state.until.slice(0, 7) ? state.since.slice(0, 7) : "";
  document.getElementById("months").replaceChildren(
    ...months.map((month) => {
      const bar = element("button", "month" + (month.value === chosen ? " chosen" : ""));
      bar.type = "button";
      bar.dataset.month = month.value;
      bar.title = `${month.value}: ${month.count.toLocaleString("ko-KR")}편`;
      bar.setAttribute("aria-label", bar.title);
      const fill = element("span", "fill");
      fill.style.height = month.count ? `${Math.max(4, Math.round((100 * month.count) / most))}%` : "0";
      bar.append(fill);
      bar.disabled = month.count === 0;
      bar.addEventListener("click", () => chooseMonth(month.value === chosen ? "" : month.value));
      return bar;
    }),
  );
  const range = document.getElementById("month-range");
  range.replaceChildren(...(months.length ? [element("span", "", months[0].value), element("span", "", months[months.length - 1].value)] : []));
  const votes = (result.facets && result.facets.votes) || [];
  document.getElementById("votes").replaceChildren(
    ...votes.map((range) => {
      const chip = element("button", "chip" + (String(range.value) === state.min_votes ? " chosen" : ""), `${range.value}+ · ${range.count.toLocaleString("ko-KR")}편`);
      chip.type = "button";
      chip.dataset.minVotes = String(range.value);
      chip.disabled = range.count === 0;
      chip.addEventListener("click", () => {
        form.elements.min_votes.value = String(range.value) === state.min_votes ? "" : String(range.value);
        go(0);
      });
      return chip;
    }),
  );
  facets.hidden = months.length === 0;
}

function chooseMonth(month) {
  form.elements.since.value = month ? fullDate(month, false) : "";
  form.elements.until.value = month ? fullDate(month, true) : "";
  go(0);
}

function render(result, state) {
  const words = markWords(result);
  const wanted = authorQueries(result.query);
  results.replaceChildren(...result.hits.map((hit, i) => hitItem(hit, state.offset + i + 1, words, wanted)));
  results.start = state.offset + 1;
  const size = Number(state.limit);
  if (result.total === 0) {
    showStatus("검색 결과가 없습니다. 다른 단어나 더 넓은 기간으로 찾아 보세요.");
  } else if (!result.hits.length) {
    showStatus(`${result.total.toLocaleString("ko-KR")}편이 있지만 이 페이지에는 없습니다. 처음 페이지로 가 보세요.`);
  } else {
    const last = state.offset + result.hits.length;
    showStatus(`${result.total.toLocaleString("ko-KR")}편 중 ${state.offset + 1}–${last}`);
  }
  const pages = Math.ceil(result.total / size);
  pager.hidden = pages <= 1;
  document.getElementById("page").textContent = `${Math.floor(state.offset / size) + 1} / ${pages}`;
  document.getElementById("prev").disabled = state.offset === 0;
  document.getElementById("next").disabled = state.offset + size >= result.total;
  showCorrection(result, state);
  showNotes(result);
  showFacets(result, state);
  const feedParams = stateParams({ ...state, offset: 0, sort: defaultOf("sort"), limit: defaultOf("limit") });
  feed.href = `/feed.atom?${feedParams}`;
  document.getElementById("feed-link").href = feed.href;
  feed.hidden = false;
}

async function getJson(path) {
  const response = await fetch(path);
  const body = await response.json();
  if (!response.ok) throw Object.assign(new Error(body.error || `HTTP ${response.status}`), { status: response.status });
  return body;
}

// ``typing``: the last word may be unfinished, so it also matches as the start of words.
async function search(state, typing) {
  paperView.hidden = true;
  document.getElementById("filters").hidden = false;
  if (!state.q) {
    clearResults();
    showStatus("");
    return;
  }
  if (Array.from(state.q).length > config.max_query_chars) {
    clearResults();
    showStatus(korean("characters long", ERRORS), true);
    return;
  }
  const request = ++latestRequest;
  const api = stateParams(state);
  api.set("limit", state.limit);
  api.set("facets", "month,votes");
  if (typing) api.set("prefix", "true");
  results.setAttribute("aria-busy", "true");
  showStatus("검색 중…");
  let result;
  try {
    result = await getJson(`/api/search?${api}`);
  } catch (error) {
    if (request !== latestRequest) return;
    results.removeAttribute("aria-busy");
    clearResults();
    if (error.status) showStatus(korean(error.message, ERRORS) || `검색할 수 없습니다: ${error.message}`, true);
    else showStatus("검색 서버에 연결할 수 없습니다. 잠시 뒤 다시 시도해 주세요.", true);
    return;
  }
  if (request !== latestRequest) return;
  results.removeAttribute("aria-busy");
  document.title = `${state.q} · searchidx`;
  render(result, state);
}

// --- The paper page ----------------------------------------------------------------------

function bibtex(paper) {
  const year = paper.dates.length ? paper.dates[0].slice(0, 4) : `20${paper.arxiv_id.slice(0, 2)}`;
  const key = `${(paper.authors[0] || "paper").split(/\s+/).pop().replace(/[^A-Za-z]/g, "").toLowerCase()}${year}_${paper.arxiv_id}`;
  const escape = (text) => text.replace(/[{}]/g, "");
  return [
    `@misc{${key},`,
    `  title = {${escape(paper.title)}},`,
    `  author = {${escape(paper.authors.join(" and "))}},`,
    `  year = {${year}},`,
    `  eprint = {${paper.arxiv_id}},`,
    "  archivePrefix = {arXiv},",
    `  url = {https://arxiv.org/abs/${paper.arxiv_id}},`,
    "}",
  ].join("\n");
}

async function copyText(text, source) {
  try {
    await navigator.clipboard.writeText(text);
  } catch (error) {
    // No clipboard permission (or not a secure context): copy the selected text instead.
    const range = document.createRange();
    range.selectNodeContents(source);
    getSelection().removeAllRanges();
    getSelection().addRange(range);
    if (!document.execCommand("copy")) throw error;
  }
}

async function showPaper(id) {
  clearResults();
  document.getElementById("filters").hidden = true;
  paperView.hidden = false;
  paperView.replaceChildren(element("p", "status", "불러오는 중…"));
  const request = ++latestRequest;
  let paper;
  try {
    paper = await getJson(`/api/papers/${encodeURIComponent(id)}`);
  } catch (error) {
    if (request !== latestRequest) return;
    const message = error.status === 404 ? "이 논문은 색인에 없습니다." : error.status ? "arXiv 번호가 올바르지 않습니다." : "검색 서버에 연결할 수 없습니다.";
    paperView.replaceChildren(element("p", "status error", message));
    return;
  }
  if (request !== latestRequest) return;
  document.title = `${paper.title} · searchidx`;
  showStatus("");
  const title = readableTitle(paper.title);
  const heading = element("h2", "", title);
  if (title !== paper.title) heading.title = paper.title;
  const meta = element("p", "meta");
  if (paper.dates.length) meta.append(`Daily Papers ${paper.dates.join(", ")}`);
  if (paper.votes !== null) meta.append(` · 추천 ${paper.votes}`);
  const authors = element("p", "paper-authors");
  paper.authors.forEach((name, i) => {
    if (i) authors.append(", ");
    authors.append(link(`/?${new URLSearchParams({ q: `author:"${name}"` })}`, "author", name));
  });
  const id_ = encodeURIComponent(paper.arxiv_id);
  const links = element("p", "links");
  links.append(
    link(`https://arxiv.org/abs/${id_}`, "arxiv-abs", "arXiv 초록"),
    link(`https://arxiv.org/pdf/${id_}`, "arxiv-pdf", "PDF"),
    link(`https://huggingface.co/papers/${id_}`, "hf", "Hugging Face"),
  );
  const copy = element("button", "copy-bibtex", "BibTeX 복사");
  copy.type = "button";
  links.append(copy);
  const bib = element("pre", "bibtex", bibtex(paper));
  const copied = element("span", "copied");
  copied.setAttribute("role", "status");
  links.append(copied);
  copy.addEventListener("click", async () => {
    try {
      await copyText(bib.textContent, bib);
      copied.textContent = "복사했습니다";
    } catch (error) {
      copied.textContent = "복사하지 못했습니다. 아래 BibTeX를 직접 선택해 복사하세요.";
    }
  });
  const sections = element("dl", "sections");
  for (const section of paper.sections) sections.append(element("dt", "", section.name), element("dd", "", section.text));
  const related = element("section", "related");
  related.append(element("h3", "", "관련 논문"));
  const relatedList = element("ol", "results");
  related.append(relatedList);
  paperView.replaceChildren(heading, meta, authors, links, sections, bib, related);
  try {
    const similar = await getJson(`/api/similar/${id_}?limit=5`);
    if (request !== latestRequest) return;
    const words = markWords(similar);
    relatedList.replaceChildren(...similar.hits.map((hit, i) => hitItem(hit, i + 1, words, [])));
  } catch (error) {
    relatedList.replaceChildren(element("li", "status error", "관련 논문을 불러오지 못했습니다."));
  }
}

// --- Navigation --------------------------------------------------------------------------

function route() {
  const paper = /^\/paper\/(.+)$/.exec(location.pathname);
  if (paper) {
    fillForm(urlState(""));
    showPaper(decodeURIComponent(paper[1]));
    return;
  }
  const state = urlState(location.search);
  fillForm(state);
  search(state);
}

// Show the form's search; typing replaces the history entry instead of adding one per key.
function go(offset, typing) {
  const state = { ...formState(), offset };
  const params = stateParams(state).toString();
  const url = params ? `/?${params}` : "/";
  if (url !== location.pathname + location.search) history[typing ? "replaceState" : "pushState"](null, "", url);
  fillForm(state);
  search(state, typing);
}

function page(step) {
  const state = urlState(location.search);
  go(Math.max(0, state.offset + step * Number(state.limit)));
  window.scrollTo(0, 0);
}

function presetDays(days) {
  const today = new Date();
  const iso = (date) => `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, "0")}-${String(date.getDate()).padStart(2, "0")}`;
  if (days === "year") form.elements.since.value = `${today.getFullYear()}-01-01`;
  else if (days) form.elements.since.value = iso(new Date(today.getFullYear(), today.getMonth(), today.getDate() - Number(days)));
  else form.elements.since.value = "";
  form.elements.until.value = "";
  go(0);
}

function wireEvents() {
  const box = form.elements.q;
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    clearTimeout(typingTimer);
    go(0);
  });
  box.addEventListener("compositionstart", () => {
    composing = true;
  });
  box.addEventListener("compositionend", () => {
    composing = false;
    box.dispatchEvent(new Event("input"));
  });
  box.addEventListener("input", (event) => {
    if (composing || event.isComposing) return;
    clearTimeout(typingTimer);
    typingTimer = setTimeout(() => go(0, true), TYPING_DELAY_MS);
  });
  for (const name of FILTERS) form.elements[name].addEventListener("change", () => go(0));
  for (const button of form.querySelectorAll(".presets button")) button.addEventListener("click", () => presetDays(button.dataset.days));
  document.getElementById("prev").addEventListener("click", () => page(-1));
  document.getElementById("next").addEventListener("click", () => page(1));
  document.addEventListener("click", (event) => {
    const anchor = event.target.closest("a");
    if (!anchor || anchor.origin !== location.origin || event.ctrlKey || event.metaKey || event.shiftKey) return;
    if (anchor.pathname.startsWith("/feed.atom")) return;
    event.preventDefault();
    history.pushState(null, "", anchor.pathname + anchor.search);
    window.scrollTo(0, 0);
    route();
  });
  window.addEventListener("popstate", route);
  document.addEventListener("keydown", (event) => {
    const typing = ["INPUT", "SELECT", "TEXTAREA"].includes(document.activeElement.tagName);
    if (event.key === "/" && !typing) {
      event.preventDefault();
      box.focus();
    }
  });
}

async function start() {
  try {
    config = await getJson("/api/config");
  } catch (error) {
    showStatus("검색 서버에 연결할 수 없습니다. 잠시 뒤 다시 시도해 주세요.", true);
    return;
  }
  for (const name of ["sort", "match", "limit"]) fillSelect(name, config.choices[name]);
  document.getElementById("filters").open = matchMedia("(min-width: 40rem)").matches;
  const typed = form.elements.q.value;  // typed while the options were loading
  wireEvents();
  route();
  if (typed.trim() && typed.trim() !== form.elements.q.value) {
    form.elements.q.value = typed;
    go(0, true);
  }
}

start();
