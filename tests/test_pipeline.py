"""The flow of `run` with a fake model (queued answers): outcomes, reasons, manifest, resume."""

from __future__ import annotations

import json
from pathlib import Path

import synthpipe
from synthpipe.backends.base import Completion
from synthpipe.backends.fake import FakeBackend
from synthpipe.core.errors import ServerError

from .conftest import qa


def _lines(path: Path) -> list[dict]:
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]


def _run(recipe, out: Path, backend: FakeBackend, **kw) -> dict:
    return synthpipe.run(recipe, out, backends={"generator": backend}, **kw).manifest


def test_every_candidate_lands_in_exactly_one_file_with_its_reasons(write_recipe, tmp_path: Path) -> None:
    _, recipe = write_recipe(count=6)
    fake = FakeBackend(
        [
            qa(0),
            "this is not json at all",
            Completion(text='{"instruction": "How do I', finish_reason="length"),
            ServerError("HTTP 503 from http://127.0.0.1:1/v1/chat/completions"),
            qa(4, output=""),
            qa(5),
        ],
        max_in_flight=1,
    )
    out = tmp_path / "out"
    manifest = _run(recipe, out, fake)
    accepted, rejected, failed = (_lines(out / f"{k}.jsonl") for k in ("accepted", "rejected", "failed"))
    assert manifest["counts"] == {"attempted": 6, "accepted": 2, "rejected": 3, "failed": 1}
    assert len({r["id"] for r in accepted + rejected + failed}) == 6
    codes = {r["meta"]["plan"]["index"]: [x["code"] for x in r["meta"]["reasons"]] for r in rejected}
    assert codes[1] == ["invalid_json"]
    assert codes[2] == ["truncated"]
    assert "empty_field" in codes[4]
    raw = {r["meta"]["plan"]["index"]: r["meta"].get("raw") for r in rejected}
    assert raw[1] == "this is not json at all"
    assert failed[0]["meta"]["error"].startswith("ServerError: HTTP 503")
    assert manifest["reasons"]["invalid_json"] == {"records": 1, "occurrences": 1}
    assert manifest["errors"] == [{"error": failed[0]["meta"]["error"], "records": 1}]
    assert manifest["stages"]["parse"]["reasons"]["truncated"]["records"] == 1
    assert manifest["stages"]["generate"]["failed"] == 1
    assert manifest["status"] == "complete"
    rec = accepted[0]
    assert set(rec) == {"id", "instruction", "input", "output", "meta"}
    for key in ("task", "recipe", "recipe_hash", "model", "prompt_hash", "origin", "created_at"):
        assert rec["meta"][key], key
    assert (out / "review_sample.jsonl").exists()


def test_second_run_of_finished_recipe_makes_no_model_call(write_recipe, tmp_path: Path) -> None:
    _, recipe = write_recipe(count=3)
    out = tmp_path / "out"
    _run(recipe, out, FakeBackend([qa(i) for i in range(3)]))
    again = FakeBackend([])
    manifest = _run(recipe, out, again)
    assert again.calls == []
    assert manifest["counts"]["accepted"] == 3
    assert len(_lines(out / "accepted.jsonl")) == 3


def test_cache_answers_a_fresh_output_dir_without_calls(write_recipe, tmp_path: Path) -> None:
    _, recipe = write_recipe(count=3)
    cache = tmp_path / "shared.sqlite"
    _run(recipe, tmp_path / "a", FakeBackend([qa(i) for i in range(3)]), cache=cache)
    again = FakeBackend([])
    manifest = _run(recipe, tmp_path / "b", again, cache=cache)
    assert again.calls == [] and manifest["counts"]["accepted"] == 3
    assert manifest["usage"]["generator"]["cache_hits"] == 3
    fresh = FakeBackend([qa(i + 3) for i in range(3)])
    _run(recipe, tmp_path / "c", fresh, cache=cache, use_cache=False)
    assert len(fresh.calls) == 3


def test_resume_after_growing_count_only_asks_for_new_items(write_recipe, tmp_path: Path) -> None:
    _, small = write_recipe(count=2)
    out = tmp_path / "out"
    _run(small, out, FakeBackend([qa(0), qa(1)]))
    _, big = write_recipe(count=5)
    more = FakeBackend([qa(i) for i in range(2, 5)])
    manifest = _run(big, out, more)
    assert len(more.calls) == 3
    assert manifest["counts"]["accepted"] == 5
    ids = [r["id"] for r in _lines(out / "accepted.jsonl")]
    assert len(ids) == len(set(ids)) == 5


def test_failed_records_are_retried_on_resume_and_not_duplicated(write_recipe, tmp_path: Path) -> None:
    _, recipe = write_recipe(count=3)
    out = tmp_path / "out"
    m1 = _run(recipe, out, FakeBackend([qa(0), ServerError("boom"), qa(2)], max_in_flight=1))
    assert m1["counts"]["failed"] == 1
    retry = FakeBackend([qa(1)])
    m2 = _run(recipe, out, retry)
    assert len(retry.calls) == 1
    assert m2["counts"] == {"attempted": 3, "accepted": 3, "rejected": 0, "failed": 0}


def test_torn_last_line_from_a_kill_is_repaired_and_redone(write_recipe, tmp_path: Path) -> None:
    _, recipe = write_recipe(count=2)
    out = tmp_path / "out"
    _run(recipe, out, FakeBackend([qa(0), qa(1)], max_in_flight=1))
    acc = out / "accepted.jsonl"
    lines = acc.read_text(encoding="utf-8").splitlines(keepends=True)
    acc.write_text(lines[0] + lines[1][: len(lines[1]) // 2], encoding="utf-8")  # killed mid-write
    again = FakeBackend([])
    manifest = _run(recipe, out, again)  # the cache still has the answer: no model call
    assert again.calls == []
    assert manifest["counts"]["accepted"] == 2
    assert len(_lines(acc)) == 2


def test_exact_duplicates_within_a_run_are_rejected_with_the_kept_id(write_recipe, tmp_path: Path) -> None:
    _, recipe = write_recipe(count=3)
    out = tmp_path / "out"
    manifest = _run(recipe, out, FakeBackend([qa(0), qa(0), qa(2)], max_in_flight=1))
    assert manifest["counts"]["accepted"] == 2
    dup = _lines(out / "rejected.jsonl")[0]
    assert dup["meta"]["reasons"][0]["code"] == "duplicate_exact"


def test_risky_domain_warns_and_manifest_keeps_the_warning(write_recipe, tmp_path: Path) -> None:
    _, recipe = write_recipe(count=1, topics=["diagnosis of chest pain symptoms"])
    warned: list[str] = []
    manifest = synthpipe.run(
        recipe, tmp_path / "o", backends={"generator": FakeBackend([qa(0)])}, on_warning=warned.append
    ).manifest
    assert warned and "medical diagnosis" in warned[0]
    assert manifest["warnings"] == warned


def test_unexpected_stage_error_becomes_a_failed_record_not_a_crash(write_recipe, tmp_path: Path) -> None:
    _, recipe = write_recipe(count=2)

    def explode(messages, schema):
        raise RuntimeError("bug in a plug-in")

    manifest = _run(recipe, tmp_path / "o", FakeBackend([explode, qa(1)], max_in_flight=1))
    assert manifest["counts"] == {"attempted": 2, "accepted": 1, "rejected": 0, "failed": 1}
    failed = _lines(tmp_path / "o" / "failed.jsonl")[0]
    assert "internal error in stage generate: RuntimeError: bug in a plug-in" in failed["meta"]["error"]


def test_a_copy_of_a_few_shot_example_is_rejected_by_the_rules_first(write_recipe, tmp_path: Path) -> None:
    _, recipe = write_recipe(count=2, examples=[qa(7)])
    manifest = _run(recipe, tmp_path / "o", FakeBackend([qa(7), qa(1)], max_in_flight=1))
    assert manifest["counts"]["accepted"] == 1
    assert _lines(tmp_path / "o" / "rejected.jsonl")[0]["meta"]["reasons"][0]["code"] == "copies_example"


def test_a_copy_of_a_few_shot_example_is_rejected_as_duplicate(write_recipe, tmp_path: Path) -> None:
    _, recipe = write_recipe(count=2, examples=[qa(7)], checks={"disable": ["copies_example"]})
    manifest = _run(recipe, tmp_path / "o", FakeBackend([qa(7), qa(1)], max_in_flight=1))
    assert manifest["counts"]["accepted"] == 1
    dup = _lines(tmp_path / "o" / "rejected.jsonl")[0]
    assert dup["meta"]["reasons"][0]["code"] == "duplicate_exact"
    assert "seed-0" in dup["meta"]["reasons"][0]["detail"]


def test_dedup_against_the_pool_rejects_what_the_pool_already_has(write_recipe, tmp_path: Path) -> None:
    pool = tmp_path / "pool.jsonl"
    pool.write_text(json.dumps(qa(2)) + "\n", encoding="utf-8")
    _, recipe = write_recipe(count=2, dedup={"against": ["pool.jsonl"]})
    manifest = _run(
        recipe, tmp_path / "o", FakeBackend([qa(2, output=qa(2)["output"] + "!"), qa(3)], max_in_flight=1)
    )
    assert manifest["counts"]["accepted"] == 1
    dup = _lines(tmp_path / "o" / "rejected.jsonl")[0]
    assert dup["meta"]["reasons"][0]["code"] in ("duplicate_exact", "duplicate_near")
    assert "pool.jsonl" in dup["meta"]["reasons"][0]["detail"]


def test_rerun_with_other_operational_settings_resumes_instead_of_doubling(
    write_recipe, tmp_path: Path
) -> None:
    _, recipe = write_recipe(count=50)
    out = tmp_path / "out"
    first = _run(
        recipe, out, FakeBackend([qa(i) | {"output": f"{qa(i)['output']} ({i})"} for i in range(50)])
    )
    before = {name: _lines(out / f"{name}.jsonl") for name in ("accepted", "rejected")}
    again = FakeBackend([])
    manifest = synthpipe.run(
        recipe.with_model("generator", timeout=5, max_retries=1, requests_per_minute=600),
        out,
        max_in_flight=3,
        backends={"generator": again},
    ).manifest
    assert again.calls == []
    assert manifest["counts"] == first["counts"] and manifest["counts"]["attempted"] == 50
    ids = [r["id"] for name in ("accepted", "rejected") for r in _lines(out / f"{name}.jsonl")]
    assert len(ids) == len(set(ids)) == 50
    assert {name: _lines(out / f"{name}.jsonl") for name in ("accepted", "rejected")} == before


def test_a_recipe_that_changes_the_data_is_refused_naming_the_change(write_recipe, tmp_path: Path) -> None:
    import pytest

    _, recipe = write_recipe(count=2)
    out = tmp_path / "out"
    _run(recipe, out, FakeBackend([qa(0), qa(1)]))
    _, other = write_recipe(count=2, role="a pirate", judge={"threshold": 4.5})
    with pytest.raises(synthpipe.UsageError) as err:
        _run(other, out, FakeBackend([]))
    msg = str(err.value)
    assert "role: '' -> 'a pirate'" in msg and "judge.threshold: 3.5 -> 4.5" in msg
    assert "--out" in msg and "--force" in msg
    assert len(_lines(out / "accepted.jsonl")) == 2  # nothing touched

    fresh = FakeBackend([qa(2), qa(3)])
    manifest = _run(other, out, fresh, force=True)
    assert len(fresh.calls) == 2 and manifest["counts"]["attempted"] == 2
    assert {r["meta"]["recipe_hash"] for r in _lines(out / "accepted.jsonl")} == {other.data_hash}


def test_a_directory_from_an_older_synthpipe_is_not_mixed_into(write_recipe, tmp_path: Path) -> None:
    import pytest

    _, recipe = write_recipe(count=1)
    out = tmp_path / "out"
    _run(recipe, out, FakeBackend([qa(0)]))
    (out / "run.json").unlink()
    with pytest.raises(synthpipe.UsageError, match="without a run.json"):
        _run(recipe, out, FakeBackend([]))


def test_the_manifest_counts_records_and_occurrences_per_stage_and_reason(
    write_recipe, tmp_path: Path
) -> None:
    _, recipe = write_recipe(count=4, constraints={"banned_words": ["refund", "days"]})
    answers = [
        qa(0),  # "30 days" and "full refund": one record, two banned words in one reason
        qa(1, instruction="Refund?", output="Refunds take 5 days."),
        qa(2, output=""),
        "no json",
    ]
    manifest = _run(recipe, tmp_path / "o", FakeBackend(answers, max_in_flight=1))
    c = manifest["counts"]
    assert c["attempted"] == c["accepted"] + c["rejected"] + c["failed"] == 4
    banned = manifest["reasons"]["banned_word"]
    assert banned["records"] == 2 and banned["occurrences"] == 4  # output and instruction of record 1
    rules = manifest["stages"]["rules"]
    assert rules["rejected"] == 3 and rules["reasons"]["banned_word"] == banned
    assert manifest["stages"]["parse"]["reasons"] == {"invalid_json": {"records": 1, "occurrences": 1}}
    assert list(manifest["stages"])[:3] == ["generate", "parse", "rules"]
    assert manifest["stages"]["generate"]["this_run"]["records_in"] == 4
