// The Progress page: percent, planned vs spent hours per week, streaks, quizzes, reviews.
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  Tooltip,
} from "chart.js";
import { load } from "./api";
import { h, hours } from "./dom";
import { noPlan } from "./plan";
import type { Shell } from "./shell";
import type { ProgressView } from "./types";

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Legend, Tooltip);

let chart: Chart | null = null;

function cssVar(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
}

export async function progressPage(shell: Shell): Promise<void> {
  const progress = await load<ProgressView>("progress");
  chart?.destroy();
  chart = null;
  if (!progress) {
    shell.show(noPlan());
    return;
  }
  const canvas = h("canvas", { "aria-label": "Hours planned and spent per week", role: "img" }) as HTMLCanvasElement;
  const quizzes = progress.weeks.filter((w) => w.quiz);
  shell.show(
    h(
      "div",
      {},
      h(
        "section",
        { class: "card head" },
        h("h1", {}, progress.title),
        h(
          "div",
          { class: "meter", role: "progressbar", "aria-valuenow": String(progress.percent), "aria-valuemin": "0", "aria-valuemax": "100" },
          h("div", { class: "meter-fill", style: `width: ${Math.min(100, progress.percent)}%` }),
        ),
        h("p", { class: "big", "data-testid": "percent" }, `${Math.round(progress.percent)}% complete`),
        h("p", { class: "hint" }, `${progress.modules_done}/${progress.modules_total} modules done`),
        progress.next_module ? h("p", {}, `Next: ${progress.next_module}`) : h("p", {}, "Everything is done 🎉"),
      ),
      h(
        "div",
        { class: "tiles" },
        tile("Time spent", `${hours(progress.hours_spent)}`, `of ${hours(progress.hours_planned)} planned`),
        tile("Streak", `🔥 ${days(progress.current_streak)}`, `longest ${days(progress.longest_streak)}`),
        tile(
          "Quiz average",
          progress.quiz_average === null ? "—" : `${Math.round(progress.quiz_average)}%`,
          progress.quiz_average === null ? "no answers yet" : "correct answers",
        ),
        progress.review_due === null ? null : tile("Reviews due", String(progress.review_due), "items to review"),
      ),
      h("section", { class: "card" }, h("h2", {}, "Hours per week"), h("div", { class: "chart" }, canvas)),
      quizzes.length
        ? h(
            "section",
            { class: "card" },
            h("h2", {}, "Quiz scores"),
            h(
              "ul",
              { class: "scores" },
              ...quizzes.map((w) => h("li", {}, h("span", {}, `Week ${w.number}`), h("strong", {}, `${w.quiz!.correct}/${w.quiz!.answered}`))),
            ),
          )
        : null,
    ),
  );
  const text = cssVar("--text");
  const hint = cssVar("--hint");
  chart = new Chart(canvas, {
    type: "bar",
    data: {
      labels: progress.weeks.map((w) => `W${w.number}`),
      datasets: [
        { label: "Planned", data: progress.weeks.map((w) => w.planned_hours), backgroundColor: hint + "66" },
        { label: "Spent", data: progress.weeks.map((w) => w.spent_hours), backgroundColor: cssVar("--button") },
      ],
    },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      scales: {
        x: { ticks: { color: hint }, grid: { display: false } },
        y: { beginAtZero: true, ticks: { color: hint }, grid: { color: hint + "33" }, title: { display: true, text: "hours", color: hint } },
      },
      plugins: { legend: { labels: { color: text } } },
    },
  });
}

function days(n: number): string {
  return n === 1 ? "1 day" : `${n} days`;
}

function tile(label: string, value: string, note: string): HTMLElement {
  return h("div", { class: "tile" }, h("span", { class: "hint" }, label), h("strong", {}, value), h("span", { class: "hint" }, note));
}
