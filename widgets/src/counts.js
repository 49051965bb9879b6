/** List pages: comment and like counts for every post, in one batch request. */
import { h } from "./dom.js";

/** Fill each `[data-quire-count]` element's counts slot; on failure keep the baked text. */
export async function fillCounts(elements, api, words) {
  const ids = [...new Set(elements.map((element) => element.dataset.quireCount))];
  try {
    const answer = await api("GET", "/api/counts?threads=" + ids.map(encodeURIComponent).join(","));
    for (const element of elements) {
      const counts = answer.counts[element.dataset.quireCount];
      // Write into the item's counts slot; never wipe a whole post item.
      let slot = element.querySelector("[data-quire-count-for], .quire-counts");
      if (!slot && element.children.length) element.append((slot = h("span", { class: "quire-counts" })));
      if (counts) (slot || element).textContent = words.plural("nc", counts.comments) + " · " + words.plural("nl", counts.likes);
    }
  } catch { /* counts are a nicety: keep the baked text */ }
}
