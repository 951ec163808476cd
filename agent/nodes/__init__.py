"""Graph nodes, grouped by feature; each module exports ``FEATURE`` (see `agent.features`)."""
