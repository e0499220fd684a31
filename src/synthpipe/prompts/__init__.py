"""Prompt building: plan the variation, render role + task + constraints + boundary + few-shot + format."""

from synthpipe.prompts.plan import PlanItem, Planner, plan
from synthpipe.prompts.render import build_messages, render_template

__all__ = ["PlanItem", "Planner", "build_messages", "plan", "render_template"]
