"""Every command fails loudly and safely (issue 11): no silent wrong result, no traceback, `error: …` with
exit code 2 for bad input or setup and an untouched output folder, exit code 1 for a run that finished
with failures or stopped because every request failed the same way, and one option surface."""

from __future__ import annotations

import fcntl
import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

import synthpipe
from synthpipe.backends.fake import FakeBackend
from synthpipe.cli import cli
from synthpipe.core.errors import ServerError

from .conftest import qa


def write_jsonl(path: Path, rows: list[dict], bom: bool = False) -> Path:
    text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    return path


def invoke(*args: str):
    return CliRunner().invoke(cli, [str(a) for a in args])


def one_error(res, fragment: str) -> None:
    lines = res.stderr.strip().splitlines()
    assert res.exit_code == 2, (res.exit_code, res.output, res.stderr)
    assert lines and lines[-1].startswith("error: ") and fragment in lines[-1], res.stderr
    assert "Traceback" not in res.output + res.stderr


# --- silent wrong results ----------------------------------------------------------------------------
def test_dedup_fields_that_match_nothing_are_an_error_listing_the_fields(tmp_path: Path) -> None:
    data = write_jsonl(tmp_path / "qa.jsonl", [qa(i) for i in range(4)])
    res = invoke("dedup", data, "--fields", "question,answer")
    one_error(res, "--fields question,answer: no record in")
    assert "instruction, input, output" in res.stderr
    assert not (tmp_path / "qa.dedup").exists()


def test_an_empty_key_never_makes_two_records_duplicates(tmp_path: Path) -> None:
    # every record's `input` is empty: keyed on it alone, they used to be duplicates of each other
    data = write_jsonl(tmp_path / "qa.jsonl", [qa(i) for i in range(4)])
    result = synthpipe.dedup(data, fields=["input"])
    assert result.counts == {"attempted": 4, "accepted": 4, "rejected": 0, "failed": 0}
    from synthpipe.core.records import Meta, Record
    from synthpipe.recipe import validate
    from synthpipe.stages.dedup import Deduper

    rcp = validate({"name": "t", "task": "qa", "dedup": {"fields": ["input"]}}, "test")
    streaming = Deduper(rcp.dedup, "qa")
    recs = [Record(id=str(i), fields=qa(i), meta=Meta(task="qa")) for i in range(3)]
    assert [streaming.check(r) for r in recs] == [None, None, None]


def test_a_dead_server_stops_the_run_early_with_its_error_and_exit_1(write_recipe, tmp_path: Path) -> None:
    models = {
        "generator": {
            "backend": "openai",
            "model": "m",
            "base_url": "http://127.0.0.1:1/v1",
            "max_retries": 0,
            "max_in_flight": 4,
        }
    }
    path, _ = write_recipe(count=60, models=models)
    out = tmp_path / "o"
    res = invoke("run", path, "--out", out)
    assert res.exit_code == 1, res.output + res.stderr
    assert "error: stage generate: the first 8 requests all failed the same way" in res.stderr
    assert "127.0.0.1" in res.stderr and "Traceback" not in res.stderr
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "stopped" and "all failed the same way" in manifest["stopped"]
    assert 8 <= manifest["counts"]["failed"] < 60  # stopped long before trying every candidate
    assert manifest["errors"][0]["records"] >= 8


def test_failures_are_grouped_and_exit_code_is_1(write_recipe, tmp_path: Path, monkeypatch) -> None:
    # the first answer arrives, later ones fail: the run finishes, prints the error, exits 1
    from synthpipe.cli import run as run_cli

    _, recipe = write_recipe(count=3)
    backend = FakeBackend([qa(0), ServerError("HTTP 502 from server"), ServerError("HTTP 502 from server")])
    real = synthpipe.run

    def with_fake(rcp, out, **options):
        return real(rcp, out, backends={"generator": backend}, **{**options, "workers": 0})

    monkeypatch.setattr(run_cli.synthpipe, "run", with_fake)
    res = CliRunner().invoke(cli, ["run", str(recipe.path), "--out", str(tmp_path / "o")])
    assert res.exit_code == 1, res.output + res.stderr
    assert "1 accepted, 0 rejected, 2 failed" in res.output
    assert "failed (2): ServerError: HTTP 502 from server" in res.stderr
    assert "finished with 2 failed records" in res.stderr


def test_a_smaller_count_than_the_directory_holds_is_said(write_recipe, tmp_path: Path) -> None:
    _, recipe = write_recipe(count=4)
    out = tmp_path / "o"
    synthpipe.run(recipe, out, backends={"generator": FakeBackend([qa(i) for i in range(4)])})
    seen: list[str] = []
    result = synthpipe.run(
        recipe, out, count=2, backends={"generator": FakeBackend()}, on_warning=seen.append
    )
    assert result.counts["attempted"] == 4 and result.manifest["planned"] == 2
    assert any("already holds 4 finished candidates, more than the 2 planned" in w for w in seen)
    assert any("more than the 2 planned" in w for w in result.manifest["warnings"])


# --- errors: `error: …`, exit 2, nothing half-written ------------------------------------------------
@pytest.mark.parametrize("command", ["check", "judge", "dedup", "run"])
@pytest.mark.parametrize("bad_out", ["/proc/synthpipe-x", "afile"])
def test_an_impossible_out_is_an_error_in_every_command(
    command: str, bad_out: str, write_recipe, tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "afile").write_text("not a folder")
    data = write_jsonl(tmp_path / "qa.jsonl", [qa(i) for i in range(2)])
    path, _ = write_recipe(count=1)
    target = [path] if command == "run" else [data, "--task", "qa"] if command != "dedup" else [data]
    res = invoke(command, *target, "--out", bad_out)
    one_error(res, bad_out)
    assert (tmp_path / "afile").read_text() == "not a folder"


def test_cache_commands_on_a_file_that_is_not_a_cache(tmp_path: Path) -> None:
    data = write_jsonl(tmp_path / "qa.jsonl", [qa(0)])
    other = tmp_path / "other.sqlite"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.close()
    for target in (data, other):
        before = target.read_bytes()
        one_error(invoke("cache", "stats", target), "is not a synthpipe response cache")
        one_error(invoke("cache", "clear", target, "-y"), "is not a synthpipe response cache")
        assert target.read_bytes() == before


def test_cache_clear_respects_a_live_runs_lock(write_recipe, tmp_path: Path) -> None:
    _, recipe = write_recipe(count=2)
    out = tmp_path / "o"
    synthpipe.run(recipe, out, backends={"generator": FakeBackend([qa(0), qa(1)])})
    assert not (out / ".lock").exists()  # removed after a clean exit
    with (out / ".lock").open("w") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)  # as a live run holds it
        one_error(invoke("cache", "clear", out, "--yes"), "a synthpipe run is writing here")
    res = invoke("cache", "clear", out, "--yes")
    assert res.exit_code == 0 and "removed 2 cached responses" in res.output


def test_a_folder_where_a_file_is_expected(tmp_path: Path) -> None:
    (tmp_path / "d").mkdir()
    one_error(invoke("check", tmp_path / "d", "--task", "qa"), "not a file")
    one_error(invoke("dedup", tmp_path / "d"), "not a file")


def test_a_jsonl_file_with_a_utf8_bom_is_read(tmp_path: Path) -> None:
    data = write_jsonl(tmp_path / "bom.jsonl", [qa(i) for i in range(3)], bom=True)
    res = invoke("check", data, "--task", "qa")
    assert res.exit_code == 0 and "3 accepted, 0 rejected" in res.output


def test_the_wrong_task_for_the_files_shape_names_the_one_that_fits(tmp_path: Path) -> None:
    labelled = write_jsonl(tmp_path / "tl.jsonl", [{"text": "great phone", "label": "positive"}])
    one_error(invoke("check", labelled, "--task", "qa"), "look like text_label data")
    assert "use --task classify --labels A,B" in invoke("check", labelled, "--task", "qa").stderr
    chats = write_jsonl(
        tmp_path / "chat.jsonl",
        [{"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}]}],
    )
    one_error(invoke("check", chats, "--task", "qa"), "use --task dialogue")
    alpaca = write_jsonl(tmp_path / "qa.jsonl", [qa(0)])
    res = invoke("check", alpaca, "--task", "qa", "--labels", "a,b")
    assert res.exit_code == 0 and "warning: --labels is used only by tasks with labels" in res.stderr


# --- one surface ---------------------------------------------------------------------------------------
def test_renamed_options_say_their_new_name(tmp_path: Path) -> None:
    data = write_jsonl(tmp_path / "qa.jsonl", [qa(0)])
    one_error(invoke("judge", data, "--task", "qa", "--threshold", "4"), "--threshold is now --min-score")
    one_error(invoke("dedup", data, "--threshold", "0.9"), "--threshold is now --minhash-threshold")
    one_error(invoke("dedup", data, "--embed-key-env", "K"), "--embed-key-env is now --api-key-env")


def test_lang_errors_are_word_for_word_the_same(tmp_path: Path) -> None:
    data = write_jsonl(tmp_path / "qa.jsonl", [qa(0)])
    a = invoke("check", data, "--task", "qa", "--lang", "fr")
    b = invoke("judge", data, "--task", "qa", "--lang", "fr")
    one_error(a, "unknown language 'fr'")
    assert a.stderr == b.stderr and b.exit_code == 2


def test_short_flags_are_the_same_everywhere() -> None:
    for path, flags in {
        ("run",): ["-o", "-n"],
        ("demo",): ["-o", "-n"],
        ("prompts",): ["-n"],
        ("check",): ["-o"],
        ("judge",): ["-o"],
        ("dedup",): ["-o"],
        ("export",): ["-o"],
        ("cache", "clear"): ["-y"],
    }.items():
        cmd = cli
        for name in path:
            cmd = cmd.commands[name]  # type: ignore[attr-defined]
        opts = {o for p in cmd.params for o in getattr(p, "opts", []) + getattr(p, "secondary_opts", [])}
        assert set(flags) <= opts, (path, opts)


def test_help_text_has_one_style() -> None:
    """Every command and every visible option is described, as capitalised sentences."""
    import click

    def walk(cmd: click.Command, path: tuple[str, ...]) -> None:
        assert (cmd.help or "").strip()[:1].isupper(), path
        for p in cmd.params:
            if isinstance(p, click.Option) and not p.hidden:
                assert p.help and p.help[0].isupper() and p.help.rstrip().endswith("."), (
                    path,
                    p.opts,
                    p.help,
                )
        for name, sub in getattr(cmd, "commands", {}).items():
            walk(sub, (*path, name))

    walk(cli, ())


def test_judge_takes_the_runs_options(tmp_path: Path) -> None:
    data = write_jsonl(tmp_path / "qa.jsonl", [qa(i) for i in range(2)])
    res = invoke("judge", "--help")
    for option in ("--disable", "--rounds", "--no-cache", "--cache", "--max-in-flight", "--progress", "-o"):
        assert option in res.output, option
    job, _, _ = synthpipe.api.files.prepare_judge(
        data, task="qa", disable=["too_short"], rounds=(2, 4), max_in_flight=3, cache=tmp_path / "c.sqlite"
    )
    assert "too_short" in job.recipe.checks.disable and tuple(job.recipe.rounds) == (2, 4)
    assert job.recipe.models["judge"].max_in_flight == 3
    assert job.cache_path == tmp_path / "c.sqlite"


def test_the_wrote_line_lists_every_file_and_no_lock_is_left(tmp_path: Path) -> None:
    data = write_jsonl(tmp_path / "qa.jsonl", [qa(i) for i in range(3)])
    res = invoke("check", data, "--task", "qa")
    line = [x for x in res.output.splitlines() if x.startswith("wrote ")][0]
    out = tmp_path / "qa.checked"
    for name in ("accepted.jsonl", "rejected.jsonl", "manifest.json", "report.html"):
        assert name in line and (out / name).is_file()
    assert not list(out.glob(".*"))


def test_prompts_prints_the_risky_domain_warning(write_recipe) -> None:
    path, _ = write_recipe(description="Answers for patients about medical diagnosis of symptoms")
    res = invoke("prompts", path, "-n", "1")
    assert res.exit_code == 0 and "warning: risky domain" in res.stderr


# --- a killed run's manifest -------------------------------------------------------------------------
def test_a_running_manifest_left_by_a_kill_is_marked_interrupted(write_recipe, tmp_path: Path) -> None:
    _, recipe = write_recipe(count=2)
    out = tmp_path / "o"
    synthpipe.run(recipe, out, backends={"generator": FakeBackend([qa(0), qa(1)])})
    manifest = json.loads((out / "manifest.json").read_text())
    manifest["status"] = "running"  # what a kill -9 leaves behind
    (out / "manifest.json").write_text(json.dumps(manifest))
    from synthpipe.recipe.identity import identity
    from synthpipe.sinks import RunDir

    sink = RunDir(out)
    sink.open(identity(recipe))
    try:
        assert json.loads((out / "manifest.json").read_text())["status"] == "interrupted"
    finally:
        sink.close(False)


def test_the_manifest_is_rewritten_while_a_run_goes(write_recipe, tmp_path: Path, monkeypatch) -> None:
    import asyncio

    from synthpipe.engine import job as job_module

    monkeypatch.setattr(job_module, "MANIFEST_EVERY_S", 0.05)
    _, recipe = write_recipe(count=6)
    out = tmp_path / "o"
    seen: list[dict] = []

    class Slow(FakeBackend):
        async def chat(self, messages, schema, options):
            await asyncio.sleep(0.1)
            seen.append(json.loads((out / "manifest.json").read_text()))
            return await super().chat(messages, schema, options)

    backend = Slow([qa(i) for i in range(6)], max_in_flight=1)
    monkeypatch.setattr("synthpipe.stages.base.ModelStage.records_per_slot", 1)
    synthpipe.run(recipe, out, backends={"generator": backend})
    running = [m for m in seen if m["status"] == "running"]
    # what the stages had done so far is there (records still inside a later stage are not yet counted)
    calls = [m["stages"]["generate"]["this_run"]["calls"] for m in running]
    assert len(running) >= 3 and calls == sorted(calls) and calls[-1] >= 5


BAD_INPUTS = {
    "missing": lambda d: d / "nope.jsonl",
    "folder": lambda d: d / "folder",
    "empty": lambda d: d / "empty.jsonl",
    "not_json_at_all": lambda d: d / "latin1.jsonl",
}


@pytest.mark.parametrize("kind", sorted(BAD_INPUTS))
@pytest.mark.parametrize(
    "command",
    [
        ["check", "--task", "qa"],
        ["judge", "--task", "qa"],
        ["dedup"],
        ["run"],
        ["prompts"],
        ["cache", "stats"],
        ["export", "--format", "alpaca"],
    ],
)
def test_every_command_with_each_bad_input_says_error_and_writes_nothing(
    command: list[str], kind: str, tmp_path: Path
) -> None:
    (tmp_path / "folder").mkdir()
    (tmp_path / "empty.jsonl").write_text("\n")
    (tmp_path / "latin1.jsonl").write_bytes('{"instruction": "caf\u00e9"}\n'.encode("latin-1"))
    target = BAD_INPUTS[kind](tmp_path)
    out = tmp_path / "out"
    args = (
        [command[0], *command[1:2], str(target), *command[2:]]
        if command[0] == "cache"
        else [
            command[0],
            str(target),
            *command[1:],
        ]
    )
    if command[0] not in ("prompts", "cache"):
        args += ["--out", str(out)]
    before = sorted(p.name for p in tmp_path.iterdir())
    res = CliRunner().invoke(cli, args)
    assert res.exit_code == 2, (args, res.output, res.stderr)
    assert res.stderr.startswith("error: ") and "Traceback" not in res.stderr, res.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # nothing created, nothing half-written


def _readme_commands() -> list[list[str]]:
    import shlex

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    commands = []
    for block in readme.split("```bash")[1:]:
        text = block.split("```", 1)[0].replace("\\\n", " ")
        for line in text.splitlines():
            line = line.split(" #", 1)[0].strip()
            if line.startswith("synthpipe "):
                commands.append(shlex.split(line)[1:])
    return commands


@pytest.mark.filterwarnings("ignore:'protected_args' is deprecated:DeprecationWarning")
def test_every_synthpipe_command_in_the_readme_parses() -> None:
    """No README example uses an option that does not exist (or was renamed)."""
    commands = _readme_commands()
    assert len(commands) >= 10
    for args in commands:
        ctx = cli.make_context("synthpipe", list(args))
        cmd, rest, parent = cli, ctx.protected_args + ctx.args, ctx
        while hasattr(cmd, "resolve_command"):
            name, cmd, rest = cmd.resolve_command(parent, rest)
            parent = cmd.make_context(name, list(rest), parent=parent)
            rest = parent.protected_args + parent.args if hasattr(cmd, "resolve_command") else rest
        assert not parent.args, (args, parent.args)


def test_the_readme_check_and_dedup_examples_run(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    write_jsonl(tmp_path / "data.jsonl", [qa(i) for i in range(4)])
    labels = ["refund", "return", "exchange"]
    write_jsonl(
        tmp_path / "intents.jsonl",
        [
            {"text": f"I would like a {lab} for order {i}, please", "label": lab}
            for i, lab in enumerate(labels)
        ],
    )
    (tmp_path / "pool").mkdir()
    write_jsonl(tmp_path / "pool" / "accepted.jsonl", [qa(0)])
    ran = 0
    for args in _readme_commands():
        if args[0] not in ("check", "dedup"):
            continue
        res = CliRunner().invoke(cli, args)
        assert res.exit_code == 0, (args, res.output, res.stderr)
        ran += 1
    assert ran >= 3


def test_no_dependency_progress_bar_when_stderr_is_not_a_terminal(tmp_path: Path) -> None:
    import subprocess
    import sys

    pytest.importorskip("sentence_transformers")
    data = write_jsonl(tmp_path / "qa.jsonl", [qa(i) for i in range(3)])
    res = subprocess.run(
        [sys.executable, "-m", "synthpipe", "dedup", str(data), "--method", "exact,embedding"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert res.returncode == 0, res.stderr
    assert "Loading weights" not in res.stderr and "it/s" not in res.stderr, res.stderr


def test_a_recipe_about_sentences_is_no_legal_risk(write_recipe) -> None:
    # "sentenc" is a risky stem (a court sentence); "one sentence" in a recipe is not, nor is a car's
    # "fault diagnosis"; the words of a real risk still warn
    path, _ = write_recipe(
        description="Summaries of one sentence for support tickets, and fault diagnosis tips"
    )
    res = invoke("prompts", path, "-n", "1")
    assert res.exit_code == 0 and "risky domain" not in res.stderr, res.stderr
    path, _ = write_recipe(description="Predict the sentencing of a defendant from the verdict")
    res = invoke("prompts", path, "-n", "1")
    assert "warning: risky domain (legal judgement)" in res.stderr
