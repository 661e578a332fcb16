// The results page, /search/?q=…: asks the site's Pagefind indexes (/pagefind/, built by the
// render service from the article pages) and lists what they find, a page at a time. A result
// whose page is gone (unpublished after the index was built) is left out: each page is asked
// for before it is shown.
const PAGE = 10;

const query = (new URLSearchParams(location.search).get("q") || "").trim();
const status = document.querySelector("[data-search-status]");
const list = document.querySelector("[data-search-results]");
const more = document.querySelector("[data-search-more]");

function say(text) {
  status.textContent = text;
}

// Pagefind's excerpt marks the words found with <mark>; only text and marks are kept.
function excerpt(html) {
  const p = document.createElement("p");
  p.className = "teaser-summary";
  const parsed = new DOMParser().parseFromString(html, "text/html");
  for (const node of parsed.body.childNodes) {
    if (node.nodeName === "MARK") {
      const mark = document.createElement("mark");
      mark.textContent = node.textContent;
      p.append(mark);
    } else {
      p.append(node.textContent);
    }
  }
  return p;
}

function item(data) {
  const li = document.createElement("li");
  li.className = "search-result";
  if (data.meta.section) {
    const kicker = document.createElement("p");
    kicker.className = "kicker";
    kicker.textContent = data.meta.section;
    li.append(kicker);
  }
  const title = document.createElement("h2");
  title.className = "teaser-title";
  const link = document.createElement("a");
  link.href = data.url;
  link.textContent = data.meta.title || data.url;
  title.append(link);
  li.append(title, excerpt(data.excerpt));
  return li;
}

async function stillThere(url) {
  try {
    return (await fetch(url, { method: "HEAD", cache: "no-store" })).ok;
  } catch {
    return false;
  }
}

// One index a month (shards.json names each month's current build, newest first): the newest
// is opened, the others merged into it. Each build has a path of its own, so a build swapped in
// meanwhile does not change the files this reader's index is made of.
async function openIndex() {
  const listed = await fetch("/pagefind/shards.json", { cache: "no-store" });
  const { shards } = await listed.json();
  const pagefind = await import(`${shards[0].path}pagefind.js`);
  await pagefind.options({ excerptLength: 30 });
  await Promise.all(shards.slice(1).map((s) => pagefind.mergeIndex(s.path)));
  return pagefind;
}

async function main() {
  const input = document.querySelector("[data-search-query]");
  input.value = query;
  if (!query) return;
  document.title = `${query} — ${document.title}`;
  say("Ищем…");
  let pagefind;
  try {
    pagefind = await openIndex();
  } catch {
    say("Поиск пока недоступен: на сайте ещё нет материалов.");
    return;
  }
  const { results } = await pagefind.search(query);
  let shown = 0;
  let dropped = 0;
  const next = async () => {
    more.hidden = true;
    const batch = results.slice(shown, shown + PAGE);
    shown += batch.length;
    const found = await Promise.all(batch.map((r) => r.data()));
    const there = await Promise.all(found.map((d) => stillThere(d.url)));
    found.forEach((data, i) => (there[i] ? list.append(item(data)) : dropped++));
    const total = results.length - dropped;
    list.hidden = total === 0;
    say(total ? `По запросу «${query}» найдено материалов: ${total}` : `По запросу «${query}» ничего не найдено.`);
    more.hidden = shown >= results.length;
  };
  more.addEventListener("click", next);
  await next();
}

main();
