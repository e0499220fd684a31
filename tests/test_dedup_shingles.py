from __future__ import annotations

import random
import subprocess
import sys
from pathlib import Path

import pytest

import synthpipe

np = pytest.importorskip("numpy")

from synthpipe.stages.dedup.minhash import jaccard  # noqa: E402
from synthpipe.stages.dedup.normalize import normalize  # noqa: E402
from synthpipe.stages.dedup.shingles import Shingler, cjk_ratio, is_cjk  # noqa: E402

WORDS = "the a refund order item days within return policy card you we can must store 30 unused".split()  # noqa: SIM905
HAN = "退款订单商品天内可以申请必须保持未使用原包装我们的客服"


def reference(text: str, word_n: int, char_n: int) -> set[tuple[str, ...]]:
    """Plain-Python shingles of a normalised text: what the vectorised Shingler must agree with."""
    kind = "char" if is_cjk(text) else "word"  # a word never equals a character, even "a" and "a"
    tokens = list(text) if kind == "char" else text.split()
    n = char_n if kind == "char" else word_n
    if not tokens:
        return set()
    if len(tokens) < n:
        return {(kind, *tokens)}
    return {(kind, *tokens[i : i + n]) for i in range(len(tokens) - n + 1)}


def ref_jaccard(a: set[tuple[str, ...]], b: set[tuple[str, ...]]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def random_text(rng: random.Random) -> str:
    kind = rng.random()
    if kind < 0.4:
        return " ".join(rng.choices(WORDS, k=rng.randint(0, 14)))
    if kind < 0.8:
        return "".join(rng.choices(HAN, k=rng.randint(1, 20)))
    return "".join(rng.choices(HAN, k=rng.randint(2, 8))) + " card " + "".join(rng.choices(HAN, k=3))


@pytest.mark.parametrize(("word_n", "char_n"), [(1, 2), (2, 3), (3, 1)])
def test_jaccard_of_hashed_shingles_equals_jaccard_of_the_strings(word_n: int, char_n: int) -> None:
    rng = random.Random(word_n * 10 + char_n)
    texts = [normalize(random_text(rng)) for _ in range(300)]
    texts += [
        t + " x" if not is_cjk(t) else t + "单" for t in texts[:100]
    ]  # close pairs, not just random ones
    shingler = Shingler(word_n, char_n)
    flat, offsets = shingler.batch(texts)
    sets = [np.unique(flat[offsets[i] : offsets[i + 1]]) for i in range(len(texts))]
    refs = [reference(t, word_n, char_n) for t in texts]
    for i in range(len(texts)):
        assert len(sets[i]) == len(refs[i]), texts[i]
    for _ in range(2000):
        i, j = rng.randrange(len(texts)), rng.randrange(len(texts))
        assert jaccard(sets[i], sets[j]) == pytest.approx(ref_jaccard(refs[i], refs[j])), (texts[i], texts[j])
    for i in range(100):
        j = 300 + i
        assert jaccard(sets[i], sets[j]) == pytest.approx(ref_jaccard(refs[i], refs[j]))


def test_a_text_gets_the_same_shingles_alone_or_in_any_batch() -> None:
    shingler = Shingler()
    text = normalize("You can return an unused item within 30 days.")
    alone = shingler.shingles(text)
    flat, offsets = shingler.batch(["退款申请需要三个工作日", text, "", "x"])
    assert np.array_equal(np.unique(flat[offsets[1] : offsets[2]]), alone)
    assert offsets[3] == offsets[2]  # the empty text has no shingles
    assert offsets[4] - offsets[3] == 1  # a text shorter than n is one shingle


def test_hashes_do_not_depend_on_the_process() -> None:
    src = str(Path(synthpipe.__file__).resolve().parents[1])
    code = (
        f"import sys; sys.path.insert(0, {src!r}); from synthpipe.stages.dedup.shingles import Shingler; "
        "print(Shingler(2, 3).shingles('you can return it 退款申请').tolist())"
    )
    runs = [
        subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            check=True,
            env={"PYTHONHASHSEED": seed, "PATH": ""},
        ).stdout
        for seed in ("1", "2")
    ]
    assert runs[0] == runs[1]
    assert runs[0].strip() == str(Shingler(2, 3).shingles("you can return it 退款申请").tolist())


def test_cjk_ratio_picks_characters_for_chinese_and_japanese_only() -> None:
    assert is_cjk(normalize("退货政策：三十天内可以退货。"))
    assert is_cjk(normalize("東京は日本の首都です"))
    assert not is_cjk(normalize("Return policy: 30 days (退货)"))
    assert cjk_ratio("abc") == 0.0
    assert cjk_ratio("") == 0.0


def test_missing_numpy_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    from synthpipe.core.errors import MissingDependencyError
    from synthpipe.stages.dedup.shingles import numpy as load_numpy

    monkeypatch.setitem(sys.modules, "numpy", None)
    with pytest.raises(MissingDependencyError, match=r"synthpipe\[minhash\]"):
        load_numpy()
