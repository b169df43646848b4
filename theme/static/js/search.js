// Site search on Pagefind's index, loaded from this site only.
const form = document.querySelector(".search-form");
const input = document.querySelector("#search-input");
const status = document.querySelector(".search-status");
const list = document.querySelector(".search-results");

let pagefind;
async function engine() {
  if (!pagefind) {
    pagefind = await import(form.dataset.pagefindUrl);
    // サイト must not find サイドバー: kana voicing marks count as letters.
    await pagefind.options({ exactDiacritics: true });
  }
  return pagefind;
}

function resultItem(data) {
  const item = document.createElement("li");
  const link = document.createElement("a");
  link.href = data.url;
  link.textContent = data.meta.title || data.url;
  const excerpt = document.createElement("p");
  // Pagefind's excerpt is escaped text with <mark> around the hits.
  excerpt.innerHTML = data.excerpt;
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
  const search = await (await engine()).search(query);
  const results = await Promise.all(search.results.slice(0, 20).map((r) => r.data()));
  list.replaceChildren(...results.map(resultItem));
  status.textContent = results.length
    ? `「${query}」の検索結果：${search.results.length}件`
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
