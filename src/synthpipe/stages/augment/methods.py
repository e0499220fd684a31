"""What each augmentation method rewrites in a record of each kind, how it asks the model, and the checks
on a recipe's `augment:` list that do not need the data.

| method        | qa, summarize, rewrite | classify | dialogue        |
|---------------|------------------------|----------|-----------------|
| paraphrase    | instruction            | text     | user turns      |
| backtranslate | instruction            | text     | user turns      |
| style         | qa: output; else input | text     | assistant turns |
| stance        | summarize, rewrite: input and output; never qa | text, label by `opposite` | — |

The parts a method rewrites are shown to the model as one JSON object (`{"instruction": …}`, or
`{"turn_1": …, "turn_3": …}` for the turns of a dialogue) and come back under the same keys, so every kind
goes through the same request shape and a dialogue keeps its turns and roles.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from synthpipe.recipe import AugmentMethod, ModelSpec
    from synthpipe.tasks import TaskKind

Part = tuple[str, str]  # (key shown to the model, text)

# Codes and names a pivot may be given as; anything else is used as the language's name in the prompt.
_LANGS: dict[str, tuple[str, str]] = {
    "en": ("English", "英文"),
    "zh": ("Chinese (Simplified)", "简体中文"),
    "ja": ("Japanese", "日文"),
    "ko": ("Korean", "韩文"),
    "fr": ("French", "法文"),
    "de": ("German", "德文"),
    "es": ("Spanish", "西班牙文"),
    "ru": ("Russian", "俄文"),
    "pt": ("Portuguese", "葡萄牙文"),
    "it": ("Italian", "意大利文"),
    "ar": ("Arabic", "阿拉伯文"),
}
_ALIASES = {
    **{code: code for code in _LANGS},
    **{names[0].split(" ")[0].lower(): code for code, names in _LANGS.items()},
    **{names[1]: code for code, names in _LANGS.items()},
    "英语": "en",
    "中文": "zh",
    "汉语": "zh",
    "zh-cn": "zh",
    "zh-hans": "zh",
    "chinese": "zh",
    "日语": "ja",
    "韩语": "ko",
    "法语": "fr",
    "德语": "de",
    "西班牙语": "es",
    "俄语": "ru",
}
STANCE_KINDS = ("classify", "rewrite", "summarize")

_WHAT = {
    "en": {
        "instruction": "question",
        "output": "answer",
        "input": "text",
        "text": "text",
        "user": "user turns of a conversation",
        "assistant": "assistant turns of a conversation",
        "pair": "text and its rewrite",
    },
    "zh": {
        "instruction": "问题",
        "output": "回答",
        "input": "文本",
        "text": "文本",
        "user": "对话中的用户发言",
        "assistant": "对话中的助手发言",
        "pair": "文本及其改写",
    },
}


def language_code(name: str) -> str:
    """`en`, `zh`… for a known code or name; the name itself, lower-cased, otherwise."""
    key = name.strip().lower()
    return _ALIASES.get(key, _ALIASES.get(name.strip(), key))


def language_name(code: str, prompt_language: str) -> str:
    names = _LANGS.get(code)
    if names is None:
        return code
    return names[1] if prompt_language == "zh" else names[0]


def default_pivots(language: str) -> list[str]:
    return ["en"] if language == "zh" else ["zh"]


def pivots_for(method: AugmentMethod, language: str) -> list[str]:
    return [language_code(p) for p in method.pivots] or default_pivots(language)


def method_keys(methods: Sequence[AugmentMethod]) -> list[str]:
    """A key per entry: its method's name, with `#2`, `#3` for later entries of the same method (two style
    entries with different styles), so derived ids never collide."""
    seen: dict[str, int] = {}
    keys = []
    for m in methods:
        seen[m.method] = seen.get(m.method, 0) + 1
        keys.append(m.method if seen[m.method] == 1 else f"{m.method}#{seen[m.method]}")
    return keys


def model_for(method: AugmentMethod, models: Mapping[str, Any]) -> str:
    if method.model:
        return method.model
    if method.method == "backtranslate" and "translator" in models:
        return "translator"
    return "generator"


def check_methods(
    task: str,
    language: str,
    methods: Sequence[AugmentMethod],
    models: Mapping[str, ModelSpec],
    labels: Sequence[str] = (),
) -> None:
    """What can be told from the recipe alone (raised as ValueError: the loader names the key)."""
    for i, m in enumerate(methods):
        where = f"augment.methods[{i}] ({m.method})"
        if m.method == "stance" and task not in STANCE_KINDS:
            raise ValueError(
                f"{where}: stance is never applied to {task} data — it turns a position into its opposite, "
                f"which would make facts false; use it on {', '.join(STANCE_KINDS)} (opinions, arguments)"
            )
        if m.method == "stance" and task == "classify" and not m.opposite:
            raise ValueError(
                f"{where}: stance on classify needs the label of the opposite position for each label, "
                "e.g. opposite: {positive: negative, negative: positive}"
            )
        unknown = [x for pair in m.opposite.items() for x in pair if labels and x not in labels]
        if unknown:
            raise ValueError(
                f"{where}: opposite names {', '.join(sorted(set(unknown)))}, not among the labels "
                f"({', '.join(labels)})"
            )
        for p in m.pivots:
            if language_code(p) == language:
                raise ValueError(
                    f"{where}: pivot {p!r} is the data's own language ({language}) — a back-translation "
                    "goes through another language, e.g. pivots: ["
                    + ", ".join(default_pivots(language))
                    + "]"
                )
        if m.model and m.model not in models:
            raise ValueError(f"{where}: model `{m.model}` is not defined under `models:`")


def side(kind: TaskKind, method: str) -> str:
    """Which part of a record a method rewrites (see the module table)."""
    if kind.conversation:
        return "assistant" if method == "style" else "user"
    if kind.label_field:
        return kind.text_fields[0] if kind.text_fields else "text"
    if method == "stance":
        return "pair"
    if method == "style":
        return "output" if kind.name == "qa" else "input"
    return "instruction" if "instruction" in kind.fields else (kind.prompt_fields or kind.fields)[0]


def targets(kind: TaskKind, method: str, fields: Mapping[str, Any]) -> list[Part]:
    """(key, text) of the parts `method` rewrites in a record of `kind`; empty when it has none."""
    where = side(kind, method)
    if kind.conversation:
        msgs = fields.get("messages") if isinstance(fields.get("messages"), list) else []
        return [
            (f"turn_{i + 1}", str(m.get("content", "")))
            for i, m in enumerate(msgs)
            if isinstance(m, dict) and m.get("role") == where and str(m.get("content", "")).strip()
        ]
    keys = ("input", "output") if where == "pair" else (where,)
    parts = [(k, v) for k in keys if isinstance(v := fields.get(k), str) and v.strip()]
    return parts if len(parts) == len(keys) else []


def with_parts(kind: TaskKind, fields: Mapping[str, Any], parts: Mapping[str, str]) -> dict[str, Any]:
    """A copy of `fields` with the rewritten parts put back in their places."""
    out = dict(fields)
    if kind.conversation:
        msgs = [dict(m) if isinstance(m, dict) else m for m in fields.get("messages") or []]
        for key, text in parts.items():
            i = int(key.removeprefix("turn_")) - 1
            msgs[i]["content"] = text
        out["messages"] = msgs
        return out
    out.update(parts)
    return out


def what(language: str, kind: TaskKind, method: str) -> str:
    words = _WHAT.get(language, _WHAT["en"])
    return words.get(side(kind, method), words["text"])


def parts_schema(keys: Sequence[str]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {k: {"type": "string"} for k in keys},
        "required": list(keys),
        "additionalProperties": False,
    }


def paraphrase_schema(keys: Sequence[str], n: int) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {
            "paraphrases": {"type": "array", "items": parts_schema(keys), "minItems": n, "maxItems": n}
        },
        "required": ["paraphrases"],
        "additionalProperties": False,
    }


def shape(keys: Sequence[str], language: str) -> str:
    """`{"instruction": "<…>"}`: the reply's shape as the prompt shows it."""
    slot = "<改写后的文本>" if language == "zh" else "<the new text>"
    return "{" + ", ".join(f'"{k}": "{slot}"' for k in keys) + "}"
