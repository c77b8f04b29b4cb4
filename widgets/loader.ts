/**
 * Entry of dist/gaskit.js, the loader a supplier puts on every page:
 *
 *   <script type="module" src="https://lk.example.ru/dist/gaskit.js" data-tenant="sever-gaz"></script>
 *
 * It defines only the `gaskit-*` elements on the page, and those added later (a MutationObserver),
 * importing each one's content-hashed chunk together with every chunk that one imports (the
 * shared core among them) at once, so no request waits for another beyond loader → chunks.
 * `data-tenant`, `data-api-base` and `data-lang` on its script tag become the `tenant`, `api-base`
 * and `lang` of top-level elements that do not set their own (elements inside another Gaskit
 * element take its client).
 */

/**
 * The chunks (paths relative to this file) and, for each tag, the indexes of those that define it;
 * written into the loader by the build (rollup.config.mjs).
 */
declare const __GASKIT_CHUNKS__: { files: string[]; tags: Record<string, number[]> };

const { files: chunkFiles, tags: chunks } = __GASKIT_CHUNKS__;
const script = [...document.querySelectorAll<HTMLScriptElement>('script[src]')].find((s) => s.src === import.meta.url);
const defaults: [string, string | undefined][] = [
  ['tenant', script?.dataset.tenant],
  ['api-base', script?.dataset.apiBase],
  ['lang', script?.dataset.lang],
];
const selector = Object.keys(chunks).join(',');
const requested = new Set<string>();

/** Gives a top-level element the script tag's defaults, then loads its definition once per tag. */
function upgrade(el: Element): void {
  const tag = el.localName;
  const indexes = chunks[tag];
  if (!indexes) return;
  if (!el.parentElement?.closest(selector)) {
    for (const [name, value] of defaults) if (value && !el.hasAttribute(name)) el.setAttribute(name, value);
  }
  if (requested.has(tag)) return;
  requested.add(tag);
  Promise.all(indexes.map((i) => import(new URL(chunkFiles[i]!, import.meta.url).href))).catch((error: unknown) => {
    requested.delete(tag);
    console.error(`Gaskit: <${tag}> could not be loaded`, error);
  });
}

function scan(root: Element | Document): void {
  if (root instanceof Element) upgrade(root);
  for (const el of root.querySelectorAll(selector)) upgrade(el);
}

scan(document);
new MutationObserver((records) => {
  for (const record of records) for (const node of record.addedNodes) if (node instanceof Element) scan(node);
}).observe(document.documentElement, { childList: true, subtree: true });
