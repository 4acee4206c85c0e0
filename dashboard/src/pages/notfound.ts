import { esc } from "../format";
import { panel, type Page } from "../ui";

export function notFound(what: string, height: number): Page {
  return {
    title: "Not found",
    html: panel("not-found", "Not found", height, `<p data-testid="not-found">There is no ${esc(what)} on this chain.</p><p><a href="#/">Back to the watch list</a></p>`),
  };
}
