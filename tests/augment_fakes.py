"""A stand-in augmenter for fast flow tests: answers the augment prompts (paraphrase, translate, style,
stance) from the prompt's own text, deterministically, in zh and en. It is used by the fake backend and by
the fault server of the kill -9 test; the embedded model and llama_cpp.server tests use real models."""

from __future__ import annotations

import json
import re
from typing import Any

_ORIGINAL = re.compile(r"<(original|text)>\n(.*?)\n</(?:original|text)>", re.S)
_WAYS = re.compile(r"in (\d+) different ways|改写成 (\d+) 种")
PARA_EN = ("Could you tell me {}", "I would like to know {}", "Please explain {}")
PARA_ZH = ("请问{}", "我想了解一下{}", "麻烦告诉我{}")
PIVOT_TAG = "⟦pivot⟧ "


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text[:1].isupper() and text[1:2].islower() else text


def _zh(text: str) -> bool:
    return bool(re.search(r"[\u4e00-\u9fff]", text))


def paraphrase(text: str, i: int) -> str:
    if _zh(text):
        return PARA_ZH[i % 3].format(text)
    return PARA_EN[i % 3].format(_lower_first(text))


def reply(user: str) -> dict[str, Any]:
    """The JSON answer to one augment prompt (its user message)."""
    m = _ORIGINAL.search(user)
    if m is None:
        raise ValueError("not an augment prompt")
    orig: dict[str, str] = json.loads(m.group(2))
    ways = _WAYS.search(user)
    if ways:
        n = int(ways.group(1) or ways.group(2))
        return {"paraphrases": [{k: paraphrase(v, i) for k, v in orig.items()} for i in range(n)]}
    if m.group(1) == "text":  # a translation hop: to the pivot tags the text, back removes the tag
        back = any(v.startswith(PIVOT_TAG) for v in orig.values())
        if back:
            out = {}
            for k, v in orig.items():
                v = v.removeprefix(PIVOT_TAG)
                out[k] = f"我想知道：{v}" if _zh(v) else f"What I want to find out is this: {_lower_first(v)}"
            return out
        return {k: f"{PIVOT_TAG}{v}" for k, v in orig.items()}
    if "opposite position" in user or "相反的立场" in user:
        return {
            k: ("我不同意：" + v) if _zh(v) else ("I disagree: " + _lower_first(v)) for k, v in orig.items()
        }
    return {
        k: (
            f"您好！{v}祝您生活愉快。"
            if _zh(v)
            else f"Dear customer, {_lower_first(v)} Thank you for asking."
        )
        for k, v in orig.items()
    }


def fake_answer(messages: list[dict[str, str]], schema: Any) -> dict[str, Any]:
    """FakeBackend(default=fake_answer)."""
    return reply(messages[-1]["content"])


def server_content(body: Any) -> str:
    """FaultServer(content=server_content): the same answers over HTTP."""
    return json.dumps(reply(body["messages"][-1]["content"]), ensure_ascii=False)
