// The Plan page: a timeline of weeks; a week opens to its modules, resources and quiz.
import { act, load } from "./api";
import { chip, h, hours } from "./dom";
import { backButton, mainButton, openLink } from "./telegram";
import type { ModuleView, PlanView, WeekView } from "./types";
import type { Shell } from "./shell";

export async function planPage(shell: Shell, openWeek: number | null = null): Promise<void> {
  const plan = await load<PlanView>("plan");
  if (!plan) {
    shell.show(noPlan());
    return;
  }
  const week = plan.weeks.find((w) => w.number === openWeek);
  if (week) {
    shell.show(weekDetail(shell, plan, week));
    backButton.set(null, () => void planPage(shell));
    const next = week.modules.find((m) => m.status !== "done");
    mainButton.set(next ? `Mark “${short(next.title)}” done` : null, next ? () => void markDone(shell, next, week) : null);
    return;
  }
  backButton.set(null, null);
  mainButton.set(null, null);
  shell.show(timeline(shell, plan));
}

export function noPlan(): HTMLElement {
  return h(
    "section",
    { class: "card empty" },
    h("h2", {}, "No plan yet"),
    h("p", {}, "Tell the bot what you want to learn in the chat, and your plan shows up here."),
  );
}

function short(text: string): string {
  return text.length > 28 ? `${text.slice(0, 27)}…` : text;
}

function timeline(shell: Shell, plan: PlanView): HTMLElement {
  const done = plan.weeks.flatMap((w) => w.modules).filter((m) => m.status === "done").length;
  const total = plan.weeks.flatMap((w) => w.modules).length;
  return h(
    "div",
    {},
    h(
      "section",
      { class: "card head" },
      h("h1", {}, plan.title),
      h(
        "p",
        { class: "hint" },
        `${plan.weeks.length} weeks · ${plan.hours_per_week} h/week · ${plan.skill_level} · version ${plan.version}`,
      ),
      h("p", { class: "hint" }, `${done}/${total} modules done`),
    ),
    h(
      "ol",
      { class: "timeline", "aria-label": "Weeks" },
      ...plan.weeks.map((week) =>
        h(
          "li",
          { class: `week week-${week.status}` },
          h(
            "button",
            {
              class: "week-card",
              "data-week": String(week.number),
              onclick: () => void planPage(shell, week.number),
            },
            h(
              "div",
              { class: "row" },
              h("strong", {}, `Week ${week.number}`),
              h("span", { class: "hint" }, hours(week.hours)),
              chip(week.status),
            ),
            week.theme ? h("div", { class: "theme" }, week.theme) : null,
            h(
              "ul",
              { class: "mini-modules" },
              ...week.modules.map((m) =>
                h("li", { class: `dot-${m.status}` }, h("span", {}, m.title), h("span", { class: "hint" }, hours(m.hours))),
              ),
            ),
            week.milestone
              ? h(
                  "div",
                  { class: `milestone${week.milestone.reached ? " reached" : ""}` },
                  `🏁 ${week.milestone.title}${week.milestone.reached ? " ✓" : ""}`,
                )
              : null,
          ),
        ),
      ),
    ),
  );
}

function weekDetail(shell: Shell, plan: PlanView, week: WeekView): HTMLElement {
  const quiz = week.quiz;
  return h(
    "div",
    { class: "week-detail" },
    h(
      "section",
      { class: "card head" },
      h("button", { class: "link back", onclick: () => void planPage(shell) }, "‹ All weeks"),
      h("h1", {}, `Week ${week.number}`),
      week.theme ? h("p", {}, week.theme) : null,
      h("p", { class: "hint" }, `${hours(week.hours)} · ${plan.title}`),
      week.milestone ? h("p", { class: "milestone" }, `🏁 ${week.milestone.title}`) : null,
    ),
    ...week.modules.map((m) => moduleCard(shell, m, week)),
    quiz.questions.length
      ? h(
          "section",
          { class: "card" },
          h("h2", {}, `📝 Quiz · ${quiz.questions.length} questions`),
          h(
            "p",
            { class: "hint" },
            quiz.answered
              ? `${quiz.correct}/${quiz.answered} answered correctly so far.`
              : `Send /quiz ${week.number} in the chat to take it.`,
          ),
          h("ol", { class: "quiz" }, ...quiz.questions.map((q) => h("li", {}, q.question))),
        )
      : null,
    h(
      "section",
      { class: "card" },
      h("h2", {}, "Too much this week?"),
      h("p", { class: "hint" }, "The bot moves some of this week's work to later weeks, as when you ask in the chat."),
      h("button", { class: "secondary", onclick: () => void lighter(shell, week) }, `Make week ${week.number} lighter`),
    ),
  );
}

function moduleCard(shell: Shell, m: ModuleView, week: WeekView): HTMLElement {
  return h(
    "section",
    { class: `card module module-${m.status}`, "data-module": m.id },
    h("div", { class: "row" }, h("h2", {}, m.title), chip(m.status)),
    h(
      "p",
      { class: "hint" },
      `${hours(m.hours)} · level ${m.difficulty}${m.spent_minutes ? ` · ${hours(m.spent_minutes / 60)} spent` : ""}`,
    ),
    m.description ? h("p", {}, m.description) : null,
    m.objectives.length ? h("ul", { class: "objectives" }, ...m.objectives.map((o) => h("li", {}, o))) : null,
    m.resources.length
      ? h(
          "ul",
          { class: "resources" },
          ...m.resources.map((r) =>
            h(
              "li",
              {},
              h("span", { class: "kind" }, r.kind),
              /^https?:\/\//.test(r.url)
                ? h("a", { href: r.url, rel: "noopener", onclick: (e: Event) => (e.preventDefault(), openLink(r.url)) }, r.title)
                : h("span", {}, r.title),
            ),
          ),
        )
      : null,
    m.status !== "done"
      ? h("button", { class: "primary done", onclick: () => void markDone(shell, m, week) }, "✅ Mark done")
      : null,
  );
}

async function markDone(shell: Shell, m: ModuleView, week: WeekView): Promise<void> {
  await shell.run(() => act(`modules/${encodeURIComponent(m.id)}/done`));
  await planPage(shell, week.number);
}

async function lighter(shell: Shell, week: WeekView): Promise<void> {
  await shell.run(() => act(`weeks/${week.number}/lighter`));
  await planPage(shell, week.number);
}
