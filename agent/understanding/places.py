"""Places and time zones in free text (being moved here from `agent.intake_parser`)."""

from agent.intake_parser import resolve_timezone, timezone_from_location

__all__ = ["resolve_timezone", "timezone_from_location"]
