// Site search on Pagefind's index, loaded from this site only.
const form = document.querySelector(".search-form");
const input = document.querySelector("#search-input");
const status = document.querySelector(".search-status");
const list = document.querySelector(".search-results");

let pagefind;
async function engine() {
  if (!pagefind) {
    // Resolved against the page, not this script: the site may live in a sub-folder.
    const moduleUrl = new URL(form.dataset.pagefindUrl, document.baseURI);
    pagefind = await import(moduleUrl.href);
    await pagefind.options({
      // サイト must not find サイドバー: kana voicing marks count as letters.
      exactDiacritics: true,
      // Result links relative to the site's root folder, wherever it is served from.
      baseUrl: new URL("..", moduleUrl).pathname,
    });
  }
  return pagefind;
}

// The index holds Japanese one character a word (see mag_search): a Japanese
// query is asked for as an exact phrase of its characters, and the spaces are
// taken out again when results are shown.
const CJK = "\\u3041-\\u3096\\u30a1-\\u30fa\\u30fc\\u3400-\\u4dbf\\u4e00-\\u9fff\\uf900-\\ufaff\\uff66-\\uff9f";
const between = new RegExp(`(?<=[${CJK}])(?=[${CJK}A-Za-z0-9])|(?<=[A-Za-z0-9])(?=[${CJK}])`, "g");
// Titles keep the thin space (U+2009) the index put between characters;
// excerpts come back with plain spaces, taken out where Japanese meets Japanese.
const separator = /\u2009/g;
const spaced = new RegExp(
  `(?<=[${CJK}](?:</?mark>)*) (?=(?:</?mark>)*[${CJK}A-Za-z0-9])|(?<=[A-Za-z0-9](?:</?mark>)*) (?=(?:</?mark>)*[${CJK}])`,
  "g",
);
const hasCJK = new RegExp(`[${CJK}]`);

function phrase(word) {
  return hasCJK.test(word) ? `"${word.replace(between, " ")}"` : word;
}

function unspaced(text) {
  return text.replace(separator, "").replace(spaced, "").replaceAll("</mark><mark>", "");
}

// Every word of the query must be on the page: one search a word, then the pages all found.
async function searchAll(query) {
  const words = query.trim().split(/\s+/).filter(Boolean);
  const engineReady = await engine();
  const searches = await Promise.all(words.map((word) => engineReady.search(phrase(word))));
  const [first, ...rest] = searches.map((search) => search.results);
  const ids = rest.map((results) => new Set(results.map((r) => r.id)));
  return first.filter((result) => ids.every((set) => set.has(result.id)));
}

function resultItem(data) {
  const item = document.createElement("li");
  const link = document.createElement("a");
  link.href = data.url;
  link.textContent = unspaced(data.meta.title || data.url);
  const excerpt = document.createElement("p");
  // Pagefind's excerpt is escaped text with <mark> around the hits.
  excerpt.innerHTML = unspaced(data.excerpt);
  item.append(link, excerpt);
  return item;
}

async function run(query) {
  list.replaceChildren();
  if (!query.trim()) {
    status.textContent = "";
    return;
  }
  status.textContent = "検索中…";
  let found;
  try {
    found = await searchAll(query);
  } catch (error) {
    status.textContent = "検索できませんでした。時間をおいてもう一度お試しください。";
    throw error;
  }
  const results = await Promise.all(found.slice(0, 20).map((r) => r.data()));
  list.replaceChildren(...results.map(resultItem));
  status.textContent = results.length
    ? `「${query}」の検索結果：${found.length}件`
    : `「${query}」に一致する記事はありませんでした`;
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  const query = input.value;
  history.replaceState(null, "", `?q=${encodeURIComponent(query)}`);
  run(query);
});

const initial = new URLSearchParams(location.search).get("q");
if (initial) {
  input.value = initial;
  run(initial);
}
