// The Calendar page: upcoming sessions in the user's zone, by plan week; move or skip one.
import { act, load } from "./api";
import { chip, h } from "./dom";
import { noPlan } from "./plan";
import type { Shell } from "./shell";
import type { CalendarView, SessionView } from "./types";

export async function calendarPage(shell: Shell): Promise<void> {
  const calendar = await load<CalendarView>("calendar");
  if (!calendar) {
    shell.show(noPlan());
    return;
  }
  if (!calendar.weeks.length) {
    shell.show(
      h(
        "section",
        { class: "card empty" },
        h("h2", {}, "No upcoming sessions"),
        h("p", {}, "Tell the bot when you can study, e.g. “weekday evenings 19:00-21:00”."),
      ),
    );
    return;
  }
  shell.show(
    h(
      "div",
      {},
      h("p", { class: "hint zone" }, `Times in ${calendar.timezone}`),
      ...calendar.weeks.map((week) =>
        h(
          "section",
          { class: "card", "data-week": String(week.number) },
          h("h2", {}, `Week ${week.number}`),
          h("ul", { class: "sessions" }, ...week.sessions.map((s) => sessionRow(shell, s))),
        ),
      ),
    ),
  );
}

function sessionRow(shell: Shell, s: SessionView): HTMLElement {
  const part = s.parts > 1 ? ` (part ${s.part} of ${s.parts})` : "";
  return h(
    "li",
    { class: `session session-${s.status}`, "data-session": s.id },
    h(
      "div",
      { class: "when" },
      h("strong", {}, s.day),
      h("span", { class: "hint" }, s.time),
    ),
    h("div", { class: "what" }, h("span", {}, `${s.title}${part}`), s.status !== "planned" ? chip(s.status) : null),
    s.can_change
      ? h(
          "div",
          { class: "actions" },
          h("button", { class: "secondary small", onclick: () => void change(shell, s, "move") }, "Move later"),
          h("button", { class: "secondary small", onclick: () => void change(shell, s, "skip") }, "Skip"),
        )
      : null,
  );
}

async function change(shell: Shell, s: SessionView, action: "move" | "skip"): Promise<void> {
  await shell.run(() => act(`sessions/${encodeURIComponent(s.id)}/${action}`));
  await calendarPage(shell);
}
