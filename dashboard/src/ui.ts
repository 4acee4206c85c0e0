// Page building blocks: panels stamped with the height they were read at, tables, links.
import { esc } from "./format";

/** A page: its HTML, and what to do once it is in the document (charts). */
export interface Page {
  title: string;
  html: string;
  mount?: (root: HTMLElement) => void;
}

/** A panel: a title, the block height its figures were read at, and a body. */
export function panel(id: string, title: string, height: number, body: string): string {
  return `<section class="panel" data-panel="${esc(id)}">
    <h2>${esc(title)}</h2><div class="stamp" data-testid="height" data-height="${height}">read at height ${height}</div>
    ${body}</section>`;
}

export function table(headers: string[], rows: string[][], testid?: string): string {
  if (rows.length === 0) return `<p class="empty">none</p>`;
  return `<table${testid ? ` data-testid="${esc(testid)}"` : ""}><thead><tr>${headers.map((h) => `<th>${esc(h)}</th>`).join("")}</tr></thead>
    <tbody>${rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join("")}</tr>`).join("")}</tbody></table>`;
}

export function link(href: string, text: string | number): string {
  return `<a href="${esc(href)}">${esc(text)}</a>`;
}

/** Key/value pairs as a definition list. */
export function facts(pairs: [string, string][]): string {
  return `<dl class="facts">${pairs.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${v}</dd>`).join("")}</dl>`;
}

/** A figure that the browser test compares with `attrib stats -o json`: the raw value at a JSON path. */
export function figure(path: string, raw: string | number, shown: string = String(raw)): string {
  return `<span data-field="${esc(path)}" data-raw="${esc(raw)}">${esc(shown)}</span>`;
}
