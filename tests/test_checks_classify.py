"""Classify rules: the label must come from the allowed set, the text must be there, and label counts."""

from __future__ import annotations

from typing import Any

import pytest

from synthpipe.core.records import Meta, Record
from synthpipe.stages.rules import RuleChecker, label_balance

ZH_LABELS = ["正面", "负面", "中性"]
EN_LABELS = ["positive", "negative", "neutral"]


def check(fields: dict[str, Any], labels: list[str], lang: str | None = None) -> tuple[set[str], Record]:
    rec = Record("r1", fields, Meta(task="classify"))
    return {r.code for r in RuleChecker("classify", lang, labels).check(rec)}, rec


@pytest.mark.parametrize(
    "text,label,labels,lang",
    [
        ("物流很快，包装也很用心。", "正面", ZH_LABELS, "zh"),
        ("一般般", "中性", ZH_LABELS, "zh"),
        ("Broke after two uses.", "negative", EN_LABELS, "en"),
        ("Meh.", "neutral", EN_LABELS, "en"),
        ("Love it!", "positive", EN_LABELS, None),
    ],
)
def test_allowed_labels_pass(text: str, label: str, labels: list[str], lang: str | None) -> None:
    found, rec = check({"text": text, "label": label}, labels, lang)
    assert found == set() and rec.meta.flags == []


@pytest.mark.parametrize(
    "label,labels",
    [
        ("好评", ZH_LABELS),
        ("中性偏正", ZH_LABELS),
        ("正面/负面", ZH_LABELS),
        ("消极", ZH_LABELS),
        ("mixed", EN_LABELS),
        ("positive.", EN_LABELS),
        ("negativ", EN_LABELS),
        ("N/A", EN_LABELS),
        (2, ["0", "1"]),
    ],
)
def test_labels_outside_the_set_are_caught(label: Any, labels: list[str]) -> None:
    found, _ = check({"text": "还行", "label": label}, labels)
    assert found == {"label_not_allowed"}


@pytest.mark.parametrize(
    "label,canonical,labels",
    [
        ("Positive", "positive", EN_LABELS),
        (" NEGATIVE ", "negative", EN_LABELS),
        ("正面 ", "正面", ZH_LABELS),
        (1, "1", ["0", "1"]),
    ],
)
def test_case_and_whitespace_variants_are_accepted_and_canonicalised(
    label: Any, canonical: str, labels: list[str]
) -> None:
    found, rec = check({"text": "Great value", "label": label}, labels)
    assert found == set()
    assert rec.fields["label"] == canonical
    assert [f.code for f in rec.meta.flags] == ["label_normalised"]


@pytest.mark.parametrize(
    "fields,code",
    [
        ({"label": "正面"}, "missing_field"),
        ({"text": "不错", "label": None}, "missing_field"),
        ({"text": "", "label": "正面"}, "empty_field"),
        ({"text": "  ", "label": "positive"}, "empty_field"),
        ({"text": "不错", "label": " "}, "empty_field"),
        ({"text": "Nice", "label": ["positive"]}, "wrong_type"),
        ({"text": "Nice", "label": True}, "wrong_type"),
        ({"text": ["Nice"], "label": "positive"}, "wrong_type"),
    ],
)
def test_text_and_label_structure(fields: dict[str, Any], code: str) -> None:
    labels = ZH_LABELS + EN_LABELS
    found, _ = check(fields, labels)
    assert code in found and "label_not_allowed" not in found


@pytest.mark.parametrize(
    "text,lang",
    [
        ("The delivery was quick and the box was well packed.", "zh"),
        ("物流很快，包装也很用心，下次还会再买。", "en"),
    ],
)
def test_text_in_the_wrong_language_is_caught_when_a_language_is_given(text: str, lang: str) -> None:
    found, _ = check({"text": text, "label": "neutral"}, EN_LABELS + ["neutral"], lang)
    assert "wrong_language" in found
    found, _ = check({"text": text, "label": "neutral"}, EN_LABELS, None)
    assert "wrong_language" not in found  # no instruction to take a language from


def test_label_balance_counts_canonical_labels_including_zero() -> None:
    recs = [
        Record(str(i), {"text": "t", "label": lb}, Meta(task="classify"))
        for i, lb in enumerate(["positive", "Positive", "negative", "spam", None])
    ]
    assert label_balance(recs, EN_LABELS) == {
        "positive": 2,
        "<missing>": 1,
        "negative": 1,
        "spam": 1,
        "neutral": 0,
    }
    assert label_balance(recs) == {"<missing>": 1, "Positive": 1, "negative": 1, "positive": 1, "spam": 1}
