"""Fixed texts the agent says. Plain text: the bot escapes everything it sends."""

WELCOME = (
    "Hi! I'm learnplan, your personal learning planner. Tell me what you want to learn "
    "and I'll build a week-by-week plan, remind you to study and track your progress."
)
WELCOME_BACK = (
    "Welcome back! /plan shows your plan, /newplan starts a new one, /help lists the rest."
)
NEW_PLAN = "Let's set up a new plan."
HELP = (
    "Tell me your learning goal in your own words — for example: “Learn Rust, 6 weeks, "
    "5h/week, beginner, evenings after 7pm, Berlin”. I'll ask for anything missing.\n\n"
    "/start — the welcome (and a new goal if you have no plan)\n"
    "/newplan — set a new goal\n"
    "/plan — show your current plan\n"
    "/today — today's sessions and the next one\n"
    "/progress — your progress, streak and chart\n"
    "/done — mark the current module done (“/done w1m2 30m”)\n"
    "/log — log study time, e.g. “/log 1h30 LoRA”\n"
    "/quiz — this week's quiz (“/quiz 2” for week 2)\n"
    "/review — questions due for spaced review (missed quiz questions, finished modules)\n"
    "/calendar — your sessions as an .ics file (“/calendar link” to subscribe)\n"
    "/reminders — your reminder settings (lead time, quiet hours, pause)\n"
    "/remind — recurring reminders, e.g. “/remind weekdays 07:30”\n"
    "/timezone — change your time zone (a city, a zone or an offset)\n"
    "/export — all your data as a file\n"
    "/forget — delete all your data\n"
    "/cancel — stop what we're doing\n"
    "/help — this message\n\n"
    "Once you have a plan you can change it in plain words: “make week 2 lighter”, "
    "“I can only do 3 hours a week now”, “add more on LoRA”, “swap weeks 3 and 4”, "
    "“drop the quiz in week 1”, “make it 8 weeks”, “more practice, less reading” — "
    "and “undo” brings back the previous version (right after marking something done, it "
    "takes that back; “not done” always does).\n\n"
    "To record progress just say “done” (or “done, took 45 min”, “done with LoRA basics”). "
    "Ask me about your plan too: “what's next?”, “why is week 3 so heavy?”."
)
CANCELLED = "Cancelled. Send /newplan whenever you want to start again."
NOTHING_TO_CANCEL = "There is nothing to cancel."
NO_PLAN_PREFIX = "You don't have a plan yet"
NO_PLAN = f"{NO_PLAN_PREFIX}. Tell me what you want to learn, or send /newplan."
NEEDS_PLAN_FIRST = "{command} needs a plan first — let's finish setting yours up."
REPLACE_PLAN = (
    "You already have a plan: “{title}”. Start a new one? The new plan replaces it "
    "(the old one stays in your history)."
)
REPLACE_OPTIONS = (("🆕 Start a new plan", "newplan:yes"), ("Keep my plan", "newplan:no"))
KEPT_PLAN = "OK — keeping your plan. /plan shows it."
NOTHING_TO_REDO = "There is nothing to redo."
NOT_SURE = "I'm not sure I understood that."
QUESTION_IN_INTAKE = (
    "Good question — I can answer questions about your plan once it's built. "
    "/help says what I can do."
)
PLANNED_UNSURE = (
    "I'm not sure what you meant. You can say “done” when you finish a module, ask for a "
    "change (“make week 2 lighter”), ask “what's next?”, or send /help."
)
NO_SUCH_WEEK = "That week doesn't exist — the plan has {weeks} weeks."
UNKNOWN = "I don't know that command. /help lists what I can do."
AFTER_PLAN = (
    "Your plan is saved. Tap a week to open it, or tell me what to change — "
    "e.g. “make week 2 lighter” or “swap weeks 3 and 4”."
)
PLANNED_HINT = (
    "I didn't catch a change in that. You can say things like “make week 2 lighter”, "
    "“make it 8 weeks”, “add more on <topic>”, or “undo”. /help lists everything."
)
REFINED = "Updated your plan (version {version})."
CHANGE_SEPARATELY = (
    "That was about your progress; your plan is unchanged. To change the plan, send the "
    "change as a message of its own (e.g. “make week 3 lighter”)."
)
QUESTION_SEPARATELY = (
    "That was about your progress. Please send your question as a message of its own, "
    "and I'll answer it."
)
NO_CHANGE = "The plan is unchanged."
NOTHING_TO_UNDO = "There is no earlier version to go back to."
WHICH_TOPIC_TO_REMOVE = (
    "Which topic should I take out? Say e.g. “remove {example}” — /plan shows the topics."
)
NOTHING_TO_REDO = "There is nothing to redo: no undone change to bring back."
HOW_MANY_WEEKS = (
    "The plan has {weeks} weeks now. How many should it have? Say e.g. “make it {example} weeks”."
)
HOW_MANY_HOURS = (
    "The plan has {hours:g} hours a week now. How many should it have? "
    "Say e.g. “make it {example:g} hours a week”."
)
PLAN_KEPT = "OK — the plan stays as it is."
UNDONE = "Restored version {version}.\n{summary}"
CONFIRM_HINT = "Tap “Build my plan”, or tell me what to change (e.g. “make it 8 weeks”)."
NOT_UNDERSTOOD = {
    "goal": "I didn't catch the goal.",
    "skill_level": "I didn't catch your level — beginner, intermediate or advanced?",
    "hours_per_week": "I need a number of hours per week, e.g. “5”.",
    "weeks": "I need a number of weeks (1–52) or a date, e.g. “8 weeks” or “by March 1”.",
    "topics": "I didn't catch any topics.",
    "availability": "I couldn't read a time from that.",
    "timezone": "I don't know that time zone.",
}
ERROR = "Sorry — something went wrong on my side. Please try again in a moment."
STORAGE_ERROR = (
    "Sorry — I couldn't reach my storage just now. Nothing was changed; please try again."
)
GOAL_TOO_LONG = "That's a long goal — could you say it in one sentence (up to {limit} characters)?"
TOPICS_TOO_LONG = "Please list at most {count} topics, each up to {limit} characters."
GENERIC_PLAN = (
    "This plan is generic: I have no curriculum for “{goal}”. For a better one, tell me "
    "its topics (e.g. “add more on <topic>”), paste your course outline (“Here's my course "
    "outline:” and a list of chapters), or ask the bot's operator to configure an LLM."
)
SYLLABUS_ERRORS = {
    "empty": "I couldn't find any chapters or headings in that. Send one per line, e.g. "
    "“Here's my course outline:” followed by “1. Introduction”, “2. …”.",
    "too_big": "That file is over 10 MB — please send a smaller one (or paste the outline).",
    "wrong_type": "I can read course outlines as .txt, .md or .pdf files — or paste the list.",
    "image_only": "That PDF has no text I can read (it looks like scanned images). Please "
    "paste the table of contents instead.",
    "no_headings": "I couldn't find chapter headings or bookmarks in that PDF. Please paste "
    "the table of contents instead.",
    "pdf_unreadable": "I couldn't open that PDF. Please check the file or paste the outline.",
}
SYLLABUS_PENDING = (
    "Got your outline: {count} units, from “{first}” to “{last}”. Your plan will follow it. "
    "A few questions first."
)
SYLLABUS_APPLIED = "Your plan now follows your outline ({count} units, in order)."
