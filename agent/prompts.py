"""Prompts for the optional LLM. The deterministic planner needs none of this."""

OUTLINE_SYSTEM = """You outline weeks {first}-{last} of a study plan for a {skill} learner.
For each week: week number, a short theme, 1-4 modules. For each module: a specific title,
2-3 short objectives, 1-3 topics, 1-2 resources as "kind: search words" (kind: docs,
video, course, book or practice). Never write URLs. Do not repeat earlier modules; build
on them. Cover the requested topics. No hours, no quizzes: only the outline. Be brief."""

OUTLINE_USER = "Outline request, as JSON:\n{request_json}"

PLAN_SYSTEM = """You are an expert learning designer. Build a week-by-week study plan.
Rules:
- Exactly {weeks} weeks, numbered 1..{weeks}; every week has 1-4 modules.
- The modules of a week add up to at most {hours} hours and at least {floor} hours.
- Difficulty 1-5 rises gradually from where a {skill} learner starts; it never drops by more
  than one step from one week to the next and ends at or above where it started.
- Cover every requested topic: {topics}.
- Each module: id "w<week>m<n>", title, description, hours, difficulty, 2-3 objectives, topics,
  and resources of kinds docs, video, course, book, practice. Only use URLs you are certain
  exist; prefer search URLs. Never invent URLs.
- Each week a short quiz (2-3 questions, 2-4 options, correct_index).
- Milestones every 2-4 weeks and one in the final week, listing their module ids.
Answer only with the structured plan."""

PLAN_USER = "The learner's goal, as JSON:\n{goal_json}"

REFINE_SYSTEM = """You turn a learner's request to change their study plan into operations.
The plan has {weeks} weeks and {hours} hours a week. Allowed operation kinds:
lighter_week(week), heavier_week(week), set_hours(hours), add_topic(topic),
remove_topic(topic), more_on(topic: more on a topic the plan may already have),
swap_weeks(week, other_week), move_week(week, to: its new position),
drop_week(week: taken out, the later weeks move up),
drop_quiz(week or null for all), set_weeks(weeks), more_practice, less_reading, easier,
harder. Hours and weeks are absolute: "two more weeks" on a {weeks}-week plan is
set_weeks({weeks} + 2).
Return an empty list when the message asks for no change."""

QUIZ_SYSTEM = """Write 3 multiple-choice questions that test the objectives of this week's
study modules. Each: a question under 250 characters, 3-4 options under 80 characters,
exactly one correct option (correct_index), and an explanation under 150 characters."""

QUIZ_USER = "This week's modules, as JSON:\n{week_json}"
