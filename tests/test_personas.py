"""The shipped persona pools: their content rules and the loader that picks them by domain."""

from __future__ import annotations

import fnmatch
import re
import tomllib
from importlib import resources
from itertools import combinations
from pathlib import Path

import pytest
import yaml

from synthpipe.core.errors import UsageError
from synthpipe.prompts.personas import load_pool, pool_names

LANGS = ("en", "zh")
RISKY = {"en": ("diagnos", "prescri", "lawsuit"), "zh": ("诊断", "处方", "开药", "起诉")}
CJK = re.compile(r"[\u4e00-\u9fff]")
TRAILING = tuple(".,;:!?。，；：！？、…")


def raw(lang: str) -> dict[str, list[str]]:
    text = resources.files("synthpipe.prompts.personas").joinpath(f"{lang}.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def every(lang: str) -> list[str]:
    return [p for personas in raw(lang).values() for p in personas]


def edit_distance(a: list[str] | str, b: list[str] | str) -> int:
    prev = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        cur = [i]
        for j, y in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (x != y)))
        prev = cur
    return prev[-1]


@pytest.mark.parametrize("lang", LANGS)
def test_pool_is_a_mapping_of_domain_to_list_of_strings(lang):
    data = raw(lang)
    assert isinstance(data, dict)
    for domain, personas in data.items():
        assert isinstance(domain, str)
        assert isinstance(personas, list)
        assert all(isinstance(p, str) for p in personas), domain


@pytest.mark.parametrize("lang", LANGS)
def test_pool_is_large_enough_overall_and_per_domain(lang):
    assert len(every(lang)) >= 100
    thin = {d: len(p) for d, p in raw(lang).items() if len(p) < 10}
    assert not thin


def test_both_languages_have_the_same_domains():
    assert pool_names("en") == pool_names("zh")
    assert set(pool_names("en")) >= {"general", "retail", "finance", "health_admin", "software", "food"}


@pytest.mark.parametrize("lang", LANGS)
def test_no_persona_repeats_within_a_language(lang):
    seen: dict[str, int] = {}
    for p in every(lang):
        key = p.strip().lower()
        seen[key] = seen.get(key, 0) + 1
    assert [p for p, n in seen.items() if n > 1] == []


def test_no_two_english_personas_differ_by_one_word():
    words = [p.lower().split() for p in every("en")]
    close = [(" ".join(a), " ".join(b)) for a, b in combinations(words, 2) if edit_distance(a, b) <= 1]
    assert close == []


def test_no_two_chinese_personas_differ_by_one_character():
    close = [(a, b) for a, b in combinations(every("zh"), 2) if edit_distance(a, b) <= 1]
    assert close == []


def test_english_personas_are_ascii_noun_phrases_of_4_to_16_words():
    for p in every("en"):
        assert p.isascii(), p
        assert p.startswith(("a ", "an ")), p
        assert 4 <= len(p.split()) <= 16, p
        assert p == p.strip() and "  " not in p, p


def test_chinese_personas_are_cjk_phrases_of_5_to_24_characters():
    for p in every("zh"):
        assert CJK.search(p), p
        assert not re.search(r"[A-Za-z]", p), p
        assert 5 <= len(p) <= 24, p
        assert p == p.strip(), p


@pytest.mark.parametrize("lang", LANGS)
def test_no_trailing_punctuation(lang):
    assert [p for p in every(lang) if p.endswith(TRAILING)] == []


@pytest.mark.parametrize("lang", LANGS)
def test_no_risky_terms(lang):
    hits = [(term, p) for p in every(lang) for term in RISKY[lang] if term in p.lower()]
    assert hits == []


def test_load_pool_one_domain_is_the_file_list_in_order():
    assert load_pool("en", "retail") == raw("en")["retail"]
    assert load_pool("zh", ["finance"]) == raw("zh")["finance"]


def test_load_pool_several_domains_follow_the_given_order():
    data = raw("en")
    assert load_pool("en", ["travel", "food"]) == data["travel"] + data["food"]
    assert load_pool("en", ["food", "travel"]) == data["food"] + data["travel"]


def test_load_pool_drops_repeats_when_a_domain_is_given_twice():
    assert load_pool("zh", ["retail", "retail"]) == load_pool("zh", "retail")


@pytest.mark.parametrize("lang", LANGS)
def test_load_pool_all_is_every_domain(lang):
    pool = load_pool(lang, "all")
    assert pool == every(lang)
    assert load_pool(lang, ["all"]) == pool


def test_unknown_domain_names_itself_and_the_known_domains():
    with pytest.raises(UsageError) as err:
        load_pool("en", ["retail", "retial"])
    message = str(err.value)
    assert "'retial'" in message
    assert all(name in message for name in pool_names("en"))
    assert "all" in message


def test_unknown_language_names_itself_and_the_known_languages():
    with pytest.raises(UsageError) as err:
        load_pool("fr", "retail")
    assert "'fr'" in str(err.value)
    assert "en" in str(err.value) and "zh" in str(err.value)
    with pytest.raises(UsageError):
        pool_names("fr")


def test_pool_files_are_package_resources():
    here = resources.files("synthpipe.prompts.personas")
    assert here.joinpath("en.yaml").is_file()
    assert here.joinpath("zh.yaml").is_file()


def test_pool_files_are_listed_in_package_data():
    # An editable install finds the files anyway, so check the pattern that puts them in a built wheel.
    pyproject = Path(__file__).resolve().parents[1] / "pyproject.toml"
    patterns = tomllib.loads(pyproject.read_text(encoding="utf-8"))["tool"]["setuptools"]["package-data"][
        "synthpipe"
    ]
    for lang in LANGS:
        assert any(fnmatch.fnmatch(f"prompts/personas/{lang}.yaml", pat) for pat in patterns), lang
