// The search page: reads the form, asks /api/search, and draws the hits.
//
// Corpus text (titles, authors, snippets, sections) is only ever inserted as text nodes
// (textContent, append(string)); nothing from the API is parsed as HTML. The page state
// lives in the URL (?q=...&offset=...), so results can be bookmarked and Back works.
"use strict";

const PAGE_SIZE = 10;
const AUTHORS_SHOWN = 3;
const FILTERS = ["since", "until", "min_votes", "sort", "match"];
const DEFAULTS = { sort: "relevance", match: "all" };

const form = document.getElementById("search");
const statusLine = document.getElementById("status");
const results = document.getElementById("results");
const pager = document.getElementById("pager");
let latestRequest = 0;

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

// Snippet text with its highlight ranges wrapped in <mark>. The ranges count Unicode
// code points (Python string indices), so the text is split into code points first.
function highlighted(text, ranges) {
  const chars = Array.from(text);
  const fragment = document.createDocumentFragment();
  let at = 0;
  for (const [start, end] of ranges) {
    if (start < at || end <= start || end > chars.length) continue;
    fragment.append(chars.slice(at, start).join(""));
    fragment.append(element("mark", "", chars.slice(start, end).join("")));
    at = end;
  }
  fragment.append(chars.slice(at).join(""));
  return fragment;
}

// Only http(s) links are followed; anything else falls back to the arXiv abstract page.
function paperUrl(hit) {
  try {
    const url = new URL(hit.url);
    if (url.protocol === "https:" || url.protocol === "http:") return url.href;
  } catch (error) {
    // not a URL at all
  }
  return "https://arxiv.org/abs/" + encodeURIComponent(hit.arxiv_id);
}

function link(href, className, text) {
  const anchor = element("a", className, text);
  anchor.href = href;
  anchor.rel = "noopener noreferrer";
  return anchor;
}

function metaLine(hit) {
  const parts = [];
  if (hit.dates.length) {
    const latest = element("time", "", hit.dates[hit.dates.length - 1]);
    latest.dateTime = hit.dates[hit.dates.length - 1];
    if (hit.dates.length > 1) latest.title = hit.dates.join(", ");
    parts.push(latest);
  }
  if (hit.votes !== null) parts.push(element("span", "votes", `추천 ${hit.votes}`));
  if (hit.authors.length) {
    const shown = hit.authors.slice(0, AUTHORS_SHOWN).join(", ");
    const more = hit.authors.length - AUTHORS_SHOWN;
    const authors = element("span", "authors", more > 0 ? `${shown} 외 ${more}명` : shown);
    authors.title = hit.authors.join(", ");
    parts.push(authors);
  }
  parts.push(link(paperUrl(hit), "arxiv", `arXiv:${hit.arxiv_id}`));
  const line = element("p", "meta");
  parts.forEach((part, i) => line.append(...(i ? [" · ", part] : [part])));
  return line;
}

// "Whole summary": fetched from /api/papers/ID the first time it is opened.
function moreSection(hit) {
  const details = element("details", "more");
  details.append(element("summary", "", "요약 전체 보기"));
  details.addEventListener("toggle", async () => {
    if (!details.open || details.dataset.loaded) return;
    details.dataset.loaded = "yes";
    const list = element("dl");
    details.append(list);
    try {
      const response = await fetch(`/api/papers/${encodeURIComponent(hit.arxiv_id)}`);
      const paper = await response.json();
      if (!response.ok) throw new Error(paper.error);
      for (const section of paper.sections) {
        list.append(element("dt", "", section.name), element("dd", "", section.text));
      }
    } catch (error) {
      list.append(element("dd", "error", "요약을 불러오지 못했습니다."));
      delete details.dataset.loaded;
    }
  });
  return details;
}

function hitItem(hit) {
  const item = element("li", "hit");
  const title = element("h2");
  title.append(link(paperUrl(hit), "", hit.title));
  item.append(title, metaLine(hit));
  for (const snippet of hit.snippets) {
    const block = element("p", "snippet");
    block.append(element("span", "section", snippet.section), highlighted(snippet.text, snippet.highlights));
    item.append(block);
  }
  item.append(moreSection(hit));
  return item;
}

function showStatus(text, isError) {
  statusLine.textContent = text;
  statusLine.classList.toggle("error", Boolean(isError));
}

function render(result, offset) {
  results.replaceChildren(...result.hits.map(hitItem));
  results.start = offset + 1;
  if (result.total === 0) {
    showStatus("검색 결과가 없습니다. 다른 단어나 더 넓은 기간으로 찾아 보세요.");
  } else {
    const last = offset + result.hits.length;
    showStatus(`${result.total.toLocaleString("ko-KR")}편 중 ${offset + 1}–${last}`);
  }
  const pages = Math.ceil(result.total / PAGE_SIZE);
  pager.hidden = pages <= 1;
  document.getElementById("page").textContent = `${Math.floor(offset / PAGE_SIZE) + 1} / ${pages}`;
  document.getElementById("prev").disabled = offset === 0;
  document.getElementById("next").disabled = offset + PAGE_SIZE >= result.total;
}

// The URL parameters of the current form (defaults left out) plus a page offset.
function formParams(offset) {
  const params = new URLSearchParams();
  const q = form.elements.q.value.trim();
  if (q) params.set("q", q);
  for (const name of FILTERS) {
    const value = form.elements[name].value;
    if (value && value !== DEFAULTS[name]) params.set(name, value);
  }
  if (offset > 0) params.set("offset", String(offset));
  return params;
}

function fillForm(params) {
  form.elements.q.value = params.get("q") || "";
  for (const name of FILTERS) form.elements[name].value = params.get(name) || DEFAULTS[name] || "";
}

async function search(params) {
  const offset = Number(params.get("offset")) || 0;
  if (!params.get("q")) {
    results.replaceChildren();
    pager.hidden = true;
    showStatus("");
    return;
  }
  const request = ++latestRequest;
  const api = new URLSearchParams(params);
  api.set("limit", String(PAGE_SIZE));
  results.setAttribute("aria-busy", "true");
  showStatus("검색 중…");
  let response;
  let body;
  try {
    response = await fetch(`/api/search?${api}`);
    body = await response.json();
  } catch (error) {
    if (request === latestRequest) showStatus("검색 서버에 연결할 수 없습니다.", true);
    return;
  } finally {
    if (request === latestRequest) results.removeAttribute("aria-busy");
  }
  if (request !== latestRequest) return;
  if (!response.ok) {
    results.replaceChildren();
    pager.hidden = true;
    showStatus(body.error || `오류 (${response.status})`, true);
    return;
  }
  document.title = `${params.get("q")} · searchidx`;
  render(body, offset);
}

function go(offset) {
  const params = formParams(offset);
  const query = params.toString();
  if (query !== location.search.slice(1)) history.pushState(null, "", query ? `?${query}` : "/");
  search(params);
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  go(0);
});
for (const name of FILTERS) form.elements[name].addEventListener("change", () => go(0));
document.getElementById("prev").addEventListener("click", () => {
  go(Math.max(0, (Number(new URLSearchParams(location.search).get("offset")) || 0) - PAGE_SIZE));
  window.scrollTo(0, 0);
});
document.getElementById("next").addEventListener("click", () => {
  go((Number(new URLSearchParams(location.search).get("offset")) || 0) + PAGE_SIZE);
  window.scrollTo(0, 0);
});
window.addEventListener("popstate", () => {
  const params = new URLSearchParams(location.search);
  fillForm(params);
  search(params);
});
document.addEventListener("keydown", (event) => {
  const typing = ["INPUT", "SELECT", "TEXTAREA"].includes(document.activeElement.tagName);
  if (event.key === "/" && !typing) {
    event.preventDefault();
    form.elements.q.focus();
  }
});

const initial = new URLSearchParams(location.search);
fillForm(initial);
search(initial);
