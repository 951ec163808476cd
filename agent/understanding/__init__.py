"""Understanding people: what a message means, in its context.

One layer that every node uses. Rules (small modules, one concern each) and an
optional LLM extractor answer the same question through one interface.
"""
