"""Understanding people: what a message means, in its context.

One layer that every node uses. Rules (small modules, one concern each) and an
optional LLM extractor answer the same question through one interface:

* `meaning` — `UnderstandingContext` (phase, question asked, goal so far, a light plan view,
  today), `Meaning` (intent, fields, module, minutes, ops, non-answer, confidence, source)
  and the `Understander` protocol (`async understand(text, ctx) -> Meaning`);
* `rules` — `RulesUnderstander`, composing the parsers through `adapters`;
* `llm` — `LLMUnderstander`, one structured-output call checked by `validate`, with the
  rules as fallback; `answers` — questions about the plan and small talk;
* `service.make_understanding(settings)` — the pair the bot injects (`AgentContext`).

Nothing is imported here, so importing one module (e.g. `places`) stays cheap.
"""
