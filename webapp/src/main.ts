// learnplan's Mini App: the plan, calendar, progress and settings on one page.
import "./style.css";
import { authenticate } from "./api";
import { calendarPage } from "./calendar";
import { h } from "./dom";
import { planPage } from "./plan";
import { progressPage } from "./progress";
import { settingsPage } from "./settings";
import { Shell, TABS, type Tab } from "./shell";
import { followTelegram } from "./telegram";

const PAGES: Record<Tab, (shell: Shell) => Promise<void>> = {
  plan: (shell) => planPage(shell),
  calendar: calendarPage,
  progress: progressPage,
  settings: settingsPage,
};

let current: Tab = "plan";

async function start(): Promise<void> {
  const root = document.getElementById("app")!;
  const shell = new Shell(root, (tab) => void open(shell, tab));
  followTelegram(() => {
    if (current === "progress") void open(shell, current);
  });
  if (!(await authenticate())) {
    root.replaceChildren(
      h(
        "section",
        { class: "card empty" },
        h("h2", {}, "Open this from the bot"),
        h("p", {}, "This page opens inside Telegram, from the bot's “📅 Open plan” button or its menu."),
      ),
    );
    return;
  }
  const asked = new URL(window.location.href).searchParams.get("page");
  await open(shell, TABS.some((t) => t.id === asked) ? (asked as Tab) : "plan");
}

async function open(shell: Shell, tab: Tab): Promise<void> {
  current = tab;
  shell.select(tab);
  document.body.dataset.page = tab;
  try {
    await PAGES[tab](shell);
  } catch (error) {
    shell.fail(error);
  }
}

void start();
