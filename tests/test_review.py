"""The review: stratified sample, decisions kept and honoured, the token and the interface, calibration."""

from __future__ import annotations

import json
import socket
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import synthpipe
from synthpipe.cli import cli
from synthpipe.core.records import Meta, Reason, Record
from synthpipe.reviews import Session, calibration, open_source, read_decisions, stratified_sample

pytest.importorskip("starlette")
pytest.importorskip("uvicorn")


def rec(
    i: int,
    *,
    task: str = "qa",
    origin: str = "generated",
    score: float | None = None,
    topic: str = "t0",
    judged_out: bool = False,
) -> Record:
    meta = Meta(task=task, origin=origin, plan={"topic": topic})
    if score is not None:
        meta.scores = {
            "overall": score,
            "judge": {"accuracy": score, "style": min(5.0, score + 1), "overall": score, "reason": f"r{i}"},
        }
    if judged_out:
        meta.reasons.append(Reason("judge_low_score", f"overall {score} < 3.5", "judge"))
    fields = {
        "instruction": f"How do I return item number {i} from order {i * 7}?",
        "input": "",
        "output": f"Open order {i * 7} in the app and choose Return items for item {i}; a label arrives by email.",
    }
    return Record(f"id{i}", fields, meta)


def write_run(tmp: Path, accepted: list[Record], rejected: list[Record] = ()) -> Path:
    run = tmp / "run"
    run.mkdir()
    (run / "accepted.jsonl").write_text("".join(r.dumps() + "\n" for r in accepted), encoding="utf-8")
    (run / "rejected.jsonl").write_text("".join(r.dumps() + "\n" for r in rejected), encoding="utf-8")
    return run


# --- the sample ------------------------------------------------------------------------------------
def test_the_sample_is_stratified_and_reproducible_from_the_seed() -> None:
    records = [
        rec(i, origin="seed" if i % 10 == 0 else "generated", score=1 + (i % 5), topic=f"t{i % 2}")
        for i in range(200)
    ]
    a = stratified_sample(records, 20, seed=1)
    assert [r.id for r in a] == [r.id for r in stratified_sample(records, 20, seed=1)]
    assert [r.id for r in a] != [r.id for r in stratified_sample(records, 20, seed=2)]
    assert len(a) == 20 and len({r.id for r in a}) == 20
    # every origin, score band and topic is in it, in about its share
    assert {r.meta.origin for r in a} == {"seed", "generated"}
    assert sum(r.meta.origin == "seed" for r in a) in (2, 3)
    assert {r.meta.plan["topic"] for r in a} == {"t0", "t1"}
    assert len({round(r.meta.scores["overall"]) for r in a}) >= 4
    assert len(stratified_sample(records[:5], 20)) == 5  # never more than there is


def test_a_run_review_draws_from_accepted_and_judge_rejected_records(tmp_path: Path) -> None:
    run = write_run(
        tmp_path,
        [rec(i, score=4.5) for i in range(10)],
        [rec(i, score=2, judged_out=True) for i in range(10, 16)],
    )
    source = open_source(run)
    assert len(source.records) == 16 and source.threshold == 3.5
    ids = {r.id for r in Session(source, 8).sample}
    assert ids & {f"id{i}" for i in range(10, 16)} and ids & {f"id{i}" for i in range(10)}


# --- decisions -------------------------------------------------------------------------------------
def test_decisions_are_kept_as_made_and_a_new_session_resumes(tmp_path: Path) -> None:
    run = write_run(tmp_path, [rec(i, score=4) for i in range(6)])
    s = Session(open_source(run), 4)
    first, second, third = (r.id for r in s.sample[:3])
    s.decide(first, "accept")
    with pytest.raises(synthpipe.UsageError, match="needs a reason"):
        s.decide(second, "reject")
    with pytest.raises(synthpipe.UsageError, match="reason 'meh'"):
        s.decide(second, "reject", ["meh"])
    s.decide(second, "reject", ["wrong_fact"], "order numbers are invented")
    fields = dict(s.by_id[third].fields, output="Open the order in the app and choose Return items.")
    decision, problems = s.decide(third, "edit", fields=fields)
    assert decision is not None and not problems
    # an edit that fails the rule checks is refused and not kept
    bad, problems = s.decide(s.sample[3].id, "edit", fields=dict(s.sample[3].fields, output=""))
    assert bad is None and problems and "empty" in problems[0]
    s.move(3)
    again = Session(open_source(run), 4)
    assert {k: d.action for k, d in again.decisions.items()} == {
        first: "accept",
        second: "reject",
        third: "edit",
    }
    assert again.position == 3
    # the last decision on a record wins, and a torn last line (a kill while writing) is skipped
    again.decide(first, "reject", ["off_topic"])
    with (run / "review" / "decisions.jsonl").open("ab") as fh:
        fh.write(b'{"id": "id1", "act')
    assert read_decisions(run / "review" / "decisions.jsonl")[first].action == "reject"


def test_export_honours_a_runs_review(tmp_path: Path) -> None:
    accepted = [rec(i, score=4.5) for i in range(4)]
    run = write_run(tmp_path, accepted, [rec(9, score=2, judged_out=True)])
    s = Session(open_source(run), 5)
    s.decide("id0", "reject", ["wrong_fact"])
    s.decide(
        "id1",
        "edit",
        fields=dict(accepted[1].fields, output="Choose Return items in the app; a label arrives by email."),
    )
    s.decide("id9", "accept")  # the judge rejected it, a person accepted it
    out = synthpipe.export(run, "alpaca", tmp_path / "out.jsonl")
    rows = [json.loads(line) for line in out.out.read_text().splitlines()]
    assert [r["_meta"]["id"] for r in rows] == ["id1", "id2", "id3", "id9"]
    assert rows[0]["output"].startswith("Choose Return items")


def test_a_pool_review_makes_one_new_version(tmp_path: Path) -> None:
    pool = tmp_path / "pool"
    synthpipe.Pool.init(pool)
    p = synthpipe.Pool(pool)
    data = tmp_path / "a.jsonl"
    data.write_text("".join(rec(i).dumps() + "\n" for i in range(6)), encoding="utf-8")
    p.add(data)
    p.split(0.34)
    s = Session(open_source(f"pool:{pool}@2"), 6)
    s.decide("id0", "reject", ["duplicate"])
    s.decide(
        "id1",
        "edit",
        fields=dict(s.by_id["id1"].fields, output="Choose Return items in the app and print the label."),
    )
    s.decide("id2", "accept")
    assert s.finish()["version"] == 3
    ids = [r.id for r in p.records()]
    assert "id0" not in ids and "id1" not in ids and "id1.e3" in ids and len(ids) == 5
    edited = next(r for r in p.records() if r.id == "id1.e3")
    assert edited.meta.extra["edited_from"] == "id1" and edited.fields["output"].startswith("Choose")
    before = {r.id: r.meta.extra.get("split") for r in p.records(2)}
    assert edited.meta.extra["split"] == before["id1"]  # an edit keeps its split
    assert len(list(p.records(2))) == 6  # the reviewed version is unchanged


# --- the server ------------------------------------------------------------------------------------
def _get(url: str) -> tuple[int, Any]:
    try:
        with urllib.request.urlopen(url, timeout=10) as res:
            return res.status, json.loads(res.read() or b"null")
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"null")


def _post(url: str, body: dict, token: str | None) -> tuple[int, Any]:
    headers = {"Content-Type": "application/json"} | ({"X-Review-Token": token} if token else {})
    req = urllib.request.Request(url, data=json.dumps(body).encode(), headers=headers, method="POST")
    try:
        with urllib.request.urlopen(req, timeout=10) as res:
            return res.status, json.loads(res.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_requests_without_the_token_are_refused_and_only_loopback_listens(tmp_path: Path) -> None:
    run = write_run(tmp_path, [rec(i, score=4) for i in range(3)])
    with synthpipe.review(run, sample=3) as server:
        base = f"http://127.0.0.1:{server.port}"
        assert server.sock.getsockname()[0] == "127.0.0.1"
        assert _get(f"{base}/?token=wrong")[0] == 403
        assert _get(f"{base}/api/state")[0] == 403
        status, body = _post(f"{base}/api/decide", {"id": "id0", "action": "accept"}, None)
        assert status == 403 and "token" in body["error"]
        assert not (run / "review" / "decisions.jsonl").exists()
        status, state = _get(f"{base}/api/state?token={server.token}")
        assert status == 200 and state["total"] == 3
        assert _post(f"{base}/api/decide", {"id": "id0", "action": "accept"}, server.token)[0] == 200
        assert _post(f"{base}/api/decide", {"id": "nope", "action": "accept"}, server.token)[0] == 400
        # nothing answers on the machine's other addresses
        others = {a[4][0] for a in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)} - {
            "127.0.0.1"
        }
        for addr in others:
            with socket.socket() as s, pytest.raises(OSError):
                s.settimeout(2)
                s.connect((addr, server.port))
    assert read_decisions(run / "review" / "decisions.jsonl")["id0"].action == "accept"


def test_bad_input_to_review_is_a_clear_error(tmp_path: Path) -> None:
    def error(*args: str) -> str:
        res = CliRunner().invoke(cli, ["review", *args])
        assert res.exit_code == 2 and "Traceback" not in res.output, res.output
        return res.output

    assert "not a run directory" in error(str(tmp_path))
    empty = write_run(tmp_path, [])
    assert "no records to review" in error(str(empty))
    run = tmp_path / "run2"
    run.mkdir()
    (run / "accepted.jsonl").write_text(rec(0).dumps() + "\n")
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        assert "is in use" in error(str(run), "--port", str(busy.getsockname()[1]))
    assert "--json goes with --report" in error(str(run), "--json")
    assert "give a port from 1 to 65535" in error(str(run), "--port", "99999")
    assert "not a pool" in error(f"pool:{tmp_path / 'nopool'}")


# --- the judge against the reviewers ---------------------------------------------------------------
def test_calibration_measures_the_judge_against_the_decisions(tmp_path: Path) -> None:
    accepted = [rec(i, score=s) for i, s in enumerate([4.5, 4.5, 4.0, 4.0, 3.5, 3.5])]
    rejected = [
        rec(i, score=s, judged_out=True) for i, s in zip(range(6, 10), [3.0, 3.0, 2.0, 1.0], strict=True)
    ]
    run = write_run(tmp_path, accepted, rejected)
    s = Session(open_source(run), 10)
    # people: accept the 4.5s, 4.0s and one 3.0; reject both 3.5s and the rest
    for r in accepted[:4] + rejected[:1]:
        s.decide(r.id, "accept")
    for r in accepted[4:] + rejected[1:]:
        s.decide(r.id, "reject", ["low_quality"])
    report = calibration(run)
    # judge (threshold 3.5) vs people: agree on 4 + 3 = 7 of 10
    assert report["reviewed"] == 10 and report["accuracy"] == 0.7
    assert report["confusion"] == {
        "judge accept, human accept": 4,
        "judge accept, human reject": 2,
        "judge reject, human accept": 1,
        "judge reject, human reject": 3,
    }
    # kappa: p_o 0.7, p_e 0.6*0.5 + 0.4*0.5 = 0.5 -> 0.4
    assert report["kappa"] == 0.4
    assert (
        report["criteria"]["accuracy"]["accepted"]["n"] == 5
        and report["criteria"]["accuracy"]["rejected"]["mean"] == 2.6
    )
    # a threshold of 3.75 matches 9 of 10
    assert report["best_threshold"] == {"threshold": 3.75, "accuracy": 0.9}
    assert report["current_threshold_accuracy"] == 0.7
    out = CliRunner().invoke(cli, ["review", str(run), "--report"])
    assert out.exit_code == 0 and "kappa 0.4" in out.output and "best judge threshold: 3.75" in out.output


def test_calibration_without_judge_scores_says_so(tmp_path: Path) -> None:
    run = write_run(tmp_path, [rec(i) for i in range(3)])
    Session(open_source(run), 3).decide("id0", "accept")
    assert "no reviewed record has a judge score" in calibration(run)["note"]


def test_pool_add_and_eval_read_a_run_as_its_review_left_it(tmp_path: Path) -> None:
    from synthpipe.evaluation.questions import _from_source

    accepted = [rec(i, score=4.5) for i in range(3)]
    run = write_run(tmp_path, accepted, [rec(9, score=2, judged_out=True)])
    s = Session(open_source(run), 4)
    s.decide("id0", "reject", ["wrong_fact"])
    s.decide("id9", "accept")
    with (run / "review" / "decisions.jsonl").open("ab") as fh:
        fh.write(b'["id2"]\n{"id": 5, "action": "accept"}\n')  # not decisions: skipped
    pool = tmp_path / "pool"
    synthpipe.Pool.init(pool)
    synthpipe.Pool(pool).add(run)
    assert sorted(r.id for r in synthpipe.Pool(pool).records()) == ["id1", "id2", "id9"]
    assert sorted(r.id for r in _from_source(run, None).records) == ["id1", "id2", "id9"]


def test_a_pool_review_resumes_at_its_version_and_ends_once(tmp_path: Path) -> None:
    pool = tmp_path / "pool"
    synthpipe.Pool.init(pool)
    data = tmp_path / "a.jsonl"
    data.write_text("".join(rec(i).dumps() + "\n" for i in range(4)), encoding="utf-8")
    synthpipe.Pool(pool).add(data)
    first = Session(open_source(f"pool:{pool}"), 4)
    first.decide("id0", "reject", ["off_topic"])
    synthpipe.Pool(pool).weight(2, origin="generated")  # the pool moves on meanwhile: version 2
    again = Session(open_source(f"pool:{pool}"), 4)  # the same command: the review under way, version 1
    assert again.source.version == 1 and "id0" in again.decisions
    done = again.finish()
    assert done["version"] == 3 and again.finish() == done  # a second Finish makes nothing new
    assert calibration(f"pool:{pool}")["reviewed"] == 1
    assert Session(open_source(f"pool:{pool}"), 3).source.version == 3  # a new review: the latest


def test_a_token_that_is_not_ascii_is_refused_not_a_server_error(tmp_path: Path) -> None:
    run = write_run(tmp_path, [rec(0)])
    with synthpipe.review(run, sample=1) as server:
        assert _get(f"http://127.0.0.1:{server.port}/api/state?token=%C3%A9")[0] == 403
