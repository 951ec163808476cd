// A tiny DOM builder: text always goes in as text nodes, never as HTML.

type Child = Node | string | null | undefined | false;
type Attrs = Record<string, string | boolean | ((event: Event) => void) | undefined>;

export function h(tag: string, attrs: Attrs = {}, ...children: Child[]): HTMLElement {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    if (typeof value === "function") element.addEventListener(key.replace(/^on/, ""), value);
    else if (value === true) element.setAttribute(key, "");
    else element.setAttribute(key, value);
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    element.append(typeof child === "string" ? document.createTextNode(child) : child);
  }
  return element;
}

export function hours(value: number): string {
  const minutes = Math.round(value * 60);
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  if (h && m) return `${h} h ${m} min`;
  return h ? `${h} h` : `${m} min`;
}

export const STATUS_LABEL: Record<string, string> = {
  done: "Done",
  partial: "Started",
  next: "Next",
  todo: "To do",
  planned: "Planned",
  skipped: "Skipped",
  missed: "Missed",
};

export function chip(status: string): HTMLElement {
  return h("span", { class: `chip chip-${status}` }, STATUS_LABEL[status] ?? status);
}
