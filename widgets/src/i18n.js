/** Words in the page's language: plain texts, plurals, numbers and relative times. */

/** The page's language as a bare code ("en-GB" -> "en"); English when the page names none. */
export function pageLanguage(doc) {
  return (doc.documentElement.lang || "en").toLowerCase().split("-")[0];
}

/** A reader of `dictionaries` for `lang`, falling back to English word by word. */
export function makeWords(lang, dictionaries) {
  const own = dictionaries[lang] || dictionaries.en;
  const rules = new Intl.PluralRules(lang);
  return {
    lang,
    /** The text for `key`, with `{n}` replaced by `n`. */
    text: (key, n) => String(own[key] ?? dictionaries.en[key] ?? key).replace("{n}", n),
    /** The singular or plural text for `key` by the language's rules, `n` formatted. */
    plural: (key, count) =>
      (own[key] || dictionaries.en[key])[rules.select(count) === "one" ? 0 : 1]
        .replace("{n}", count.toLocaleString(lang)),
    /** A number as the reader writes it. */
    number: (count) => count.toLocaleString(lang),
    /** A date and time as the reader writes it. */
    dateTime: (iso) => new Date(iso).toLocaleString(lang),
  };
}

const UNITS = [
  ["year", 31536e3], ["month", 2592e3], ["week", 604800], ["day", 86400], ["hour", 3600], ["minute", 60],
];

/** "3 hours ago", "yesterday", "now": how long ago `iso` was, in `lang` (future times are "now"). */
export function relativeTimeFormatter(lang, now = Date.now) {
  const format = new Intl.RelativeTimeFormat(lang, { numeric: "auto" });
  return (iso) => {
    const seconds = Math.min(0, (Date.parse(iso) - now()) / 1e3);
    for (const [unit, size] of UNITS) if (-seconds >= size) return format.format(Math.round(seconds / size), unit);
    return format.format(0, "second");
  };
}
