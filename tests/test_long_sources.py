"""Source documents too long for one prompt, and prompts too long for the model (issue 11)."""

from __future__ import annotations

import random
import re

import pytest

import synthpipe
from synthpipe.backends.fake import FakeBackend
from synthpipe.core.errors import UsageError
from synthpipe.prompts.budget import prompt_tokens, text_tokens
from synthpipe.prompts.passages import PASSAGE_CHARS
from synthpipe.prompts.plan import Planner, passages

from .conftest import EXAMPLES, qa

_EN_SENTENCES = [
    "Returns are accepted within 30 days of delivery.",
    "Refunds go back to the original payment method!",
    "Is return shipping free with the prepaid label?",
    "Final sale items cannot be returned.",
    'The warehouse checks every parcel and says "received."',
]
_ZH_SENTENCES = [
    "退货须在收货后三十天内申请。",
    "退款会原路返回！",
    "自备快递的运费由谁承担？",
    "清仓商品不予退换；",
    "仓库收货后五个工作日内处理退款。",
]


def _squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _legacy_passages(texts: list[str], size: int = PASSAGE_CHARS) -> list[str]:
    """The splitter before issue 11, verbatim: the reference for documents whose paragraphs fit."""
    out: list[str] = []
    for text in texts:
        buf = ""
        for para in text.split("\n\n"):
            if buf and len(buf) + len(para) > size:
                out.append(buf.strip())
                buf = ""
            buf += para + "\n\n"
        if buf.strip():
            out.append(buf.strip())
    return out


def test_megabyte_single_line_english_source_splits_at_sentences_under_the_budget() -> None:
    rng = random.Random(1)
    text = ""
    while len(text) < 1_000_000:
        text += " ".join(rng.choice(_EN_SENTENCES) for _ in range(1000)) + " "
    text = text.strip()
    assert "\n" not in text
    docs = passages([text])
    assert len(docs) > 1_000_000 // PASSAGE_CHARS
    assert max(map(len, docs)) <= PASSAGE_CHARS
    assert _squeeze("".join(docs)) == _squeeze(text)  # all the text, in order
    assert all(d.endswith((".", "!", "?", '."')) for d in docs), "a passage ends inside a sentence"


def test_long_chinese_source_without_newlines_splits_at_chinese_sentence_ends() -> None:
    rng = random.Random(2)
    text = "".join(rng.choice(_ZH_SENTENCES) for _ in range(6000))
    docs = passages([text])
    assert len(docs) > len(text) // PASSAGE_CHARS
    assert max(map(len, docs)) <= PASSAGE_CHARS
    assert "".join(docs) == text
    assert all(d.endswith(("。", "！", "？", "；")) for d in docs)


def test_a_sentence_longer_than_the_budget_is_cut_at_the_limit() -> None:
    han = "退货政策说明" * 700  # 4200 characters, no punctuation, no spaces
    docs = passages([han])
    assert [len(d) for d in docs] == [PASSAGE_CHARS, PASSAGE_CHARS, 4200 - 2 * PASSAGE_CHARS]
    assert "".join(docs) == han
    words = " ".join(f"word{i}" for i in range(1000))  # no sentence end: cut at a space, never in a word
    docs = passages([words])
    assert max(map(len, docs)) <= PASSAGE_CHARS and len(docs) > 1
    assert " ".join(docs).split() == words.split()


def test_a_long_paragraph_of_short_lines_splits_at_line_breaks_and_keeps_the_next_paragraphs() -> None:
    lines = [f"Line {i}: " + "x" * 390 for i in range(10)]
    text = "Intro paragraph.\n\n" + "\n".join(lines) + "\n\nClosing paragraph."
    docs = passages([text])
    assert docs[0] == "Intro paragraph."
    assert max(map(len, docs)) <= PASSAGE_CHARS
    body = [line for d in docs[1:] for line in d.split("\n") if line]
    assert body == [*lines, "Closing paragraph."]  # whole lines, in order
    assert docs[-1].endswith(lines[-1] + "\n\nClosing paragraph."), "the tail shares the next passage"


def test_documents_whose_paragraphs_fit_keep_exactly_their_passages() -> None:
    rng = random.Random(3)
    for _ in range(200):
        paras = []
        for _ in range(rng.randint(1, 30)):
            n = rng.choice([0, 1, 40, 300, 900, 1400, PASSAGE_CHARS - 2, PASSAGE_CHARS])
            para = "".join(rng.choice("ab cd.\n退货。") for _ in range(n))
            paras.append(para.replace("\n\n", "\n"))
        text = "\n\n".join(paras)
        assert passages([text, text[::-1]]) == _legacy_passages([text, text[::-1]])
    for doc in EXAMPLES.glob("*.md"):
        text = doc.read_text(encoding="utf-8")
        assert passages([text]) == _legacy_passages([text]) == [text.strip()]


def test_megabyte_source_run_sends_only_prompts_that_fit_the_context(write_recipe) -> None:
    text = " ".join(_EN_SENTENCES * 4500)  # one line, over 1 MB
    assert len(text) > 1_000_000
    _, recipe = write_recipe(count=3, sources=[{"text": text}])
    fake = FakeBackend([qa(i) for i in range(3)])
    result = synthpipe.run(recipe, backends={"generator": fake})
    assert len(fake.calls) == 3
    spec = recipe.models["generator"]
    for messages, _, options in fake.calls:
        assert prompt_tokens(messages) + options.max_tokens <= spec.n_ctx
    rows = [*result.accepted, *result.rejected]
    assert sorted(r.meta.plan["passage"] for r in rows) == [0, 1, 2]


def _long_examples(n: int = 3, chars: int = 1600) -> list[dict[str, str]]:
    return [qa(i, output=qa(i)["output"] * (chars // 80)) for i in range(n)]


def test_examples_that_overflow_a_small_context_fail_at_planning_without_a_request(
    write_recipe, tmp_path
) -> None:
    _, recipe = write_recipe(examples=_long_examples(), models={"generator": {"n_ctx": 1024}})
    fake = FakeBackend(default=qa(0))
    out = tmp_path / "out"
    with pytest.raises(UsageError) as err:
        synthpipe.run(recipe, out, backends={"generator": fake})
    assert fake.calls == []
    assert not out.exists(), "nothing is written, so the fixed recipe can use the same --out"
    message = str(err.value)
    size = Planner(recipe, check=False).largest_prompt()
    assert size.total + 512 > 1024 and size.examples > size.total / 2
    for part in (
        "recipe.yaml: examples:",
        f"about {size.total} tokens (estimated; {size.examples} in few-shot examples",
        "max_tokens 512",
        "context window of 1024 tokens (models.generator.n_ctx)",
        "use shorter or fewer few-shot examples (3 go into each prompt)",
        "lower models.generator.max_tokens",
        "raise models.generator.n_ctx",
    ):
        assert part in message, (part, message)
    fixed = recipe.replace(examples=_long_examples(chars=160))
    assert synthpipe.run(fixed, out, backends={"generator": fake}).counts["attempted"] == 4


def test_a_server_model_is_checked_only_when_its_context_window_is_given(write_recipe) -> None:
    examples = _long_examples()
    _, unknown = write_recipe(examples=examples, models={"generator": {"backend": "fake"}})
    Planner(unknown)  # no window known: nothing to check, the server decides
    _, known = write_recipe(
        examples=examples, models={"generator": {"backend": "fake", "context_window": 1024}}
    )
    with pytest.raises(
        UsageError, match=r"context window of 1024 tokens \(models\.generator\.context_window\)"
    ):
        Planner(known)
    _, roomy = write_recipe(
        examples=examples, models={"generator": {"backend": "fake", "context_window": 8192}}
    )
    Planner(roomy)


def test_max_tokens_alone_beyond_the_context_is_named(write_recipe) -> None:
    _, recipe = write_recipe(models={"generator": {"n_ctx": 1024, "max_tokens": 2000}})
    with pytest.raises(UsageError, match=r"recipe\.yaml: models\.generator\.max_tokens: .* lower models"):
        Planner(recipe)


def test_token_estimate_counts_cjk_characters_one_each_and_other_text_by_four() -> None:
    assert text_tokens("") == 0
    assert text_tokens("退货政策") == 4
    assert text_tokens("abcdefgh") == 2
    assert text_tokens("退货 policy。") == 3 + 2  # 退 货 。 + " policy" (7 characters)
