// The JSON the bot's API answers (agent/webview.py).

export interface Resource {
  kind: string;
  title: string;
  url: string;
}

export interface ModuleView {
  id: string;
  title: string;
  description: string;
  hours: number;
  difficulty: number;
  status: "done" | "partial" | "next" | "todo";
  spent_minutes: number;
  objectives: string[];
  resources: Resource[];
}

export interface WeekView {
  number: number;
  theme: string;
  hours: number;
  status: string;
  modules: ModuleView[];
  milestone: { title: string; reached: boolean } | null;
  quiz: { questions: { question: string; options: string[] }[]; answered: number; correct: number };
}

export interface PlanView {
  title: string;
  goal: string;
  version: number;
  skill_level: string;
  hours_per_week: number;
  total_hours: number;
  timezone: string;
  weeks: WeekView[];
}

export interface SessionView {
  id: string;
  module_id: string;
  title: string;
  part: number;
  parts: number;
  day: string;
  date: string;
  time: string;
  status: string;
  can_change: boolean;
}

export interface CalendarView {
  timezone: string;
  weeks: { number: number; sessions: SessionView[] }[];
}

export interface ProgressView {
  title: string;
  percent: number;
  modules_done: number;
  modules_total: number;
  hours_planned: number;
  hours_spent: number;
  current_streak: number;
  longest_streak: number;
  quiz_average: number | null;
  next_module: string | null;
  weeks: {
    number: number;
    planned_hours: number;
    spent_hours: number;
    done_hours: number;
    quiz: { correct: number; answered: number } | null;
  }[];
  review_due: number | null;
}

export interface SettingsView {
  enabled: boolean;
  paused: boolean;
  lead_minutes: number;
  quiet: { start: string; end: string } | null;
  timezone: string;
}
