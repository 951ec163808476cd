"""Built-in curricula: real units for common subjects, so offline plans are about the subject."""

from agent.curricula.library import curricula, match
from agent.curricula.models import BankQuestion, Curriculum, ResourceHint, Unit

__all__ = ["BankQuestion", "Curriculum", "ResourceHint", "Unit", "curricula", "match"]
