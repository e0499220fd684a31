"""Domains where synthetic data is risky get a clear warning, never a silent pass."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from synthpipe.recipe import Recipe

RISKY = {
    "medical diagnosis": ["diagnos", "symptom", "prescri", "dosage", "诊断", "症状", "处方", "用药", "病情"],
    "legal judgement": [
        "verdict",
        "sentenc",
        "court ruling",
        "legal advice",
        "lawsuit",
        "判决",
        "量刑",
        "诉讼",
        "法律意见",
    ],
    "contract validity": ["contract valid", "enforceab", "合同效力", "合同是否有效", "合同无效"],
    "multi-modal pairs": ["image caption", "image-text", "picture", "图文", "图片描述", "看图"],
}
# More words for a task described in free text (`synthpipe advise`). Recipe warnings keep to RISKY: in a
# recipe, "image" or "语音" is more often a product than the data itself.
DESCRIBED = {
    "medical diagnosis": [
        "medical diagnos",
        "treatment plan",
        "医疗诊断",
        "诊疗",
        "看病",
        "开药",
        "治疗方案",
    ],
    "legal judgement": [
        "legal judg",
        "court judg",
        "court decision",
        "ruling",
        "prison",
        "判案",
        "判刑",
        "定罪",
        "裁决",
        "罪名",
    ],
    "contract validity": ["valid contract", "contract is valid", "void contract", "合同有效", "契约效力"],
    "multi-modal pairs": [
        "multimodal",
        "multi-modal",
        "image",
        "photo",
        "audio",
        "speech recognition",
        "speech-to-text",
        "text-to-speech",
        "video caption",
        "video clip",
        "vqa",
        "visual question",
        "多模态",
        "图片",
        "图像",
        "照片",
        "配图",
        "语音",
        "音频",
        "视频描述",
        "视频字幕",
    ],
}
# Whole words and phrases that hold a risky word but mean something else ("sentenc" is in "sentence"),
# taken out of a recipe's or a description's text first.
NOT_RISKY = [
    "sentence",
    "sentences",
    "brand image",
    "public image",
    "big picture",
    "fault diagnosis",
    "diagnostic log",
    "diagnostic logs",
    "故障诊断",
    "网络诊断",
]
_NOT_RISKY = re.compile("|".join(rf"\b{re.escape(p)}\b" if p.isascii() else re.escape(p) for p in NOT_RISKY))
_WORD_REST = re.compile(r"[a-z-]*")
WHY = (
    "synthetic data is risky here: errors look plausible and a small model cannot verify them. Use real, "
    "expert-reviewed data, or review every record, not a sample."
)


def risk_warnings(recipe: Recipe) -> list[str]:
    text = " ".join(
        [
            recipe.name,
            recipe.role,
            recipe.description,
            recipe.constraints.domain or "",
            *recipe.topics,
            *(s for subs in recipe.subtopics.values() for s in subs),
        ]
    ).lower()
    return [f"risky domain ({d}): {WHY}" for d in risky_domains(text)]


def risky_domains(text: str, described: bool = False) -> dict[str, list[str]]:
    """The risky domains `text` mentions, each with the words that show it as `text` writes them (a
    stem grown to its whole word: "Diagnosis" for "diagnos"). The phrases of NOT_RISKY never count ("one
    sentence" in a recipe is no court sentence). `described`: `text` describes a task in free text, so the
    words of DESCRIBED count too."""
    low = text.lower()
    shown = text if len(low) == len(text) else low  # lower() can change the length of a few characters
    low = _NOT_RISKY.sub(lambda m: " " * len(m.group(0)), low)
    found: dict[str, list[str]] = {}
    for domain, words in RISKY.items():
        hits = []
        for word in [*words, *DESCRIBED.get(domain, [])] if described else words:
            at = low.find(word)
            if at >= 0:
                end = at + len(word)
                if word.isascii():
                    end += len(_WORD_REST.match(low, end).group(0))  # type: ignore[union-attr]
                hits.append(shown[at:end])
        if hits:  # "image captions", not also "image"
            found[domain] = [h for h in dict.fromkeys(hits) if not any(h != o and h in o for o in hits)]
    return found
