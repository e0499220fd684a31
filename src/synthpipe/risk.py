"""Domains where synthetic data is risky get a clear warning, never a silent pass."""

from __future__ import annotations

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
    found = [domain for domain, words in RISKY.items() if any(w in text for w in words)]
    return [f"risky domain ({d}): {WHY}" for d in found]
