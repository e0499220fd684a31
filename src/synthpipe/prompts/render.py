"""Sandboxed Jinja rendering of the shipped zh/en templates."""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import Any

from jinja2 import BaseLoader, StrictUndefined, TemplateNotFound
from jinja2.sandbox import ImmutableSandboxedEnvironment


class _PackageLoader(BaseLoader):
    def get_source(self, environment: Any, template: str) -> tuple[str, str, Any]:
        path = resources.files("synthpipe.prompts").joinpath("templates", *template.split("/"))
        if not path.is_file():
            raise TemplateNotFound(template)
        return path.read_text(encoding="utf-8"), template, lambda: True


@lru_cache(maxsize=1)
def _env() -> ImmutableSandboxedEnvironment:
    # Sandboxed: recipe text (role, topics, documents) is data and must never run as template code.
    env = ImmutableSandboxedEnvironment(
        loader=_PackageLoader(), undefined=StrictUndefined, keep_trailing_newline=True, autoescape=False
    )
    env.filters["tojson"] = lambda v: json.dumps(v, ensure_ascii=False)
    return env


def render_template(language: str, name: str, **context: Any) -> str:
    return _env().get_template(f"{language}/{name}.j2").render(**context).strip()


def build_messages(system: str, user: str) -> list[dict[str, str]]:
    msgs = [{"role": "system", "content": system}] if system else []
    return msgs + [{"role": "user", "content": user}]
