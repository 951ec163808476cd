// The frame around every page: tabs, the content area and a notice for the bot's answers.
import { ApiError } from "./api";
import { h } from "./dom";
import { backButton, mainButton } from "./telegram";

export type Tab = "plan" | "calendar" | "progress" | "settings";

export const TABS: { id: Tab; label: string }[] = [
  { id: "plan", label: "Plan" },
  { id: "calendar", label: "Calendar" },
  { id: "progress", label: "Progress" },
  { id: "settings", label: "Settings" },
];

export class Shell {
  private readonly content = h("main", { id: "content" });
  private readonly notice = h("div", { class: "notice", role: "status", hidden: true });
  private readonly tabs = new Map<Tab, HTMLElement>();
  private noticeTimer = 0;

  constructor(
    root: HTMLElement,
    private readonly open: (tab: Tab) => void,
  ) {
    const nav = h("nav", { class: "tabs", role: "tablist" });
    for (const tab of TABS) {
      const button = h(
        "button",
        { role: "tab", "data-tab": tab.id, onclick: () => this.open(tab.id) },
        tab.label,
      );
      this.tabs.set(tab.id, button);
      nav.append(button);
    }
    root.replaceChildren(nav, this.content, this.notice);
  }

  select(tab: Tab): void {
    for (const [id, button] of this.tabs) button.setAttribute("aria-selected", String(id === tab));
    backButton.set(null, null);
    mainButton.set(null, null);
    this.content.replaceChildren(h("p", { class: "hint loading" }, "Loading…"));
  }

  show(node: HTMLElement): void {
    this.content.replaceChildren(node);
    window.scrollTo(0, 0);
  }

  say(lines: string[], error = false): void {
    if (!lines.length) return;
    this.notice.replaceChildren(...lines.map((line) => h("p", {}, line)));
    this.notice.classList.toggle("error", error);
    this.notice.hidden = false;
    window.clearTimeout(this.noticeTimer);
    this.noticeTimer = window.setTimeout(() => (this.notice.hidden = true), 6000);
  }

  /** Run an action; show what the bot answered, or why it failed. */
  async run(action: () => Promise<string[]>): Promise<boolean> {
    try {
      this.say(await action());
      return true;
    } catch (error) {
      this.say([error instanceof ApiError ? error.message : "Something went wrong."], true);
      return false;
    }
  }

  fail(error: unknown): void {
    const message = error instanceof ApiError ? error.message : "Something went wrong.";
    this.content.replaceChildren(h("section", { class: "card empty" }, h("p", {}, message)));
  }
}
