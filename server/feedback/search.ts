/**
 * Keyword search for the questions-and-answers list without text indexes (FerretDB v1 has none):
 * each entry keeps its normalised words; a query becomes a few word stems matched in code as
 * prefixes of those words, and the matches are ranked by how many stems they share.
 */

/** Most stems a query is reduced to, so a long message stays a bounded query. */
export const MAX_QUERY_STEMS = 8;
const MAX_KEYWORDS = 400;

const STOPWORDS = new Set(
  (
    'как что где когда почему зачем какой какая какие каком мне меня мой моя мои наш для это этот эта эти ' +
    'все всё или при так уже есть был была было были нет без его она они вам вас ваш ваша ваши если чтобы ' +
    'можно нужно надо очень тоже только также здравствуйте добрый день спасибо пожалуйста ' +
    'the and for with how what when where why can does not are you your have has was from this that'
  ).split(' '),
);

function normalise(text: string): string {
  return text.toLowerCase().replaceAll('ё', 'е');
}

/** The distinct words of a text, lower-case, `ё` read as `е`. */
export function words(text: string): string[] {
  return [...new Set(normalise(text).match(/[\p{L}\p{N}]+/gu) ?? [])];
}

/** What an entry stores for search: its distinct words. */
export function keywordsOf(...texts: string[]): string[] {
  return words(texts.join(' ')).slice(0, MAX_KEYWORDS);
}

/**
 * A crude stem: long words lose their last letters so that Russian endings do not matter
 * ("показания" and "показаний" share "показа", "счета" and "счетчик" share "счет").
 */
function stem(word: string): string {
  return word.length > 4 ? word.slice(0, Math.max(4, word.length - 3)) : word;
}

/** The stems of a query worth matching: no short or common words, at most MAX_QUERY_STEMS. */
export function queryStems(query: string): string[] {
  const stems = words(query)
    .filter((w) => w.length >= 3 && !STOPWORDS.has(w))
    .map(stem);
  return [...new Set(stems)].slice(0, MAX_QUERY_STEMS);
}

/** How many of the stems start one of the keywords. */
export function score(keywords: readonly string[], stems: readonly string[]): number {
  return stems.filter((s) => keywords.some((k) => k.startsWith(s))).length;
}
