from __future__ import annotations

import pytest

from synthpipe.stages.dedup.normalize import exact_key, normalize


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Hello,  World!!", "hello world"),
        ("ＡＢＣ　１２３", "abc 123"),  # full-width letters, digits and space fold to ASCII
        ("Straße", "STRASSE"),  # casefold, not lower
        ("你好，世界！", "你好 世界"),  # CJK punctuation goes, and spaces between CJK characters do too
        ("「東京」は日本の首都です。", "東京は日本の首都です"),
        ("tabs\tand\nnewlines  here", "tabs and newlines here"),
        ("  padded  ", "padded"),
    ],
)
def test_variants_normalise_to_the_same_form(a: str, b: str) -> None:
    assert normalize(a) == normalize(b)
    assert exact_key(normalize(a)) == exact_key(normalize(b))


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("return item 3", "return item 4"),
        ("you can return it", "you cannot return it"),
        ("退货", "退款"),
    ],
)
def test_different_words_stay_different(a: str, b: str) -> None:
    assert normalize(a) != normalize(b)
    assert exact_key(normalize(a)) != exact_key(normalize(b))


def test_normal_form_is_single_spaced_with_no_punctuation() -> None:
    assert normalize("Wait... what?! (really)") == "wait what really"
    assert normalize("mixed 中文, text") == "mixed中文text"
    assert normalize("") == ""
    assert normalize("!!! ... ???") == ""
