"""Prompts of the LLM understander and the question answerer. Short on purpose: one call
per message, and no plan beyond week numbers, module ids and titles."""

# The instructions come first and never change; the context of this message comes last, so
# a server that caches prompt prefixes (llama.cpp, OpenAI) reads the instructions once.
UNDERSTAND_SYSTEM = """You read one message a learner sent to a study-planner bot; say what it
means.
Intents: intake (the message gives goal fields), nonanswer (no usable value: unsure, later,
yes/no to an open question, none, anything/you choose, a question back), done (finished a
module), not_done (revert a completion), partial, log (time spent), refine (change the plan),
undo / redo (the last plan change), question (about the plan or schedule), smalltalk, unknown.
Rules:
- fields: only what the message states; leave the rest null. skill_level is beginner,
  intermediate or advanced. hours_per_week 1-60, weeks 1-52, deadline YYYY-MM-DD, timezone an
  IANA name (e.g. Europe/Berlin). topics: the complete list; [] when the learner wants none.
  availability: windows with days (mon..sun) and start/end "HH:MM".
- module: an id from the plan, "ambiguous" (then list candidates), or null.
- minutes: time spent, in minutes. ops: plan changes; set_weeks/set_hours are absolute values.
- nonanswer: unsure, later, yes, no, none, anything or question; otherwise null.
- confidence: 0-1, how sure you are.
Today is {today}. Phase: {phase}. The bot just asked for: {asking}.
Goal fields known so far: {goal}
{plan}"""

PLAN_VIEW = "The plan ({hours} h/week):\n{weeks}"

ANSWER_SYSTEM = """You answer a learner's question about their study plan, briefly (at most
5 sentences), from the plan below only. Never invent sessions, dates or modules.
The plan "{title}" ({hours} h/week):
{weeks}
{sessions}"""
