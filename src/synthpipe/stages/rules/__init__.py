"""Rule checks: cheap, deterministic tests every record must pass before a model judges it."""

from synthpipe.stages.rules.checker import CODES, STAGE, RuleChecker, label_balance
from synthpipe.stages.rules.stage import RulesStage

__all__ = ["CODES", "STAGE", "RuleChecker", "RulesStage", "label_balance"]
