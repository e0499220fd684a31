"""Export to LLaMA-Factory (issue 14): the alpaca and sharegpt layouts with the dataset_info.json that
LLaMA-Factory reads, each row readable with the columns the entry maps. The other formats are tested in
tests/test_export.py."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import synthpipe

from .conftest import qa
from .test_export import chat, mixed_file, read_jsonl, record, run_dir, write_jsonl

__all__ = ["mixed_file", "run_dir"]  # fixtures, used by name

# --- LLaMA-Factory -------------------------------------------------------------------------------------
# How LLaMA-Factory reads a dataset, re-implemented from hiyouga/LLaMA-Factory@ff6d4d12:
# src/llamafactory/data/parser.py (DatasetAttr and its join: a given "columns"/"tags" block sets every
# column/tag it does not name to None) and src/llamafactory/data/converter.py (AlpacaDatasetConverter,
# SharegptDatasetConverter: every mapped column is read as example[column]); data/README.md documents both.
LF_DEFAULTS = {
    "prompt": "instruction",
    "query": "input",
    "response": "output",
    "history": None,
    "messages": "conversations",
    "system": None,
    "role_tag": "from",
    "content_tag": "value",
    "user_tag": "human",
    "assistant_tag": "gpt",
    "observation_tag": "observation",
    "function_tag": "function_call",
    "system_tag": "system",
}
LF_COLUMNS = ("prompt", "query", "response", "history", "messages", "system", "tools")
LF_COLUMNS += ("images", "videos", "audios", "chosen", "rejected", "kto_tag")
LF_TAGS = (
    "role_tag",
    "content_tag",
    "user_tag",
    "assistant_tag",
    "observation_tag",
    "function_tag",
    "system_tag",
)


def lf_attr(entry: dict[str, Any]) -> dict[str, Any]:
    attr = {**LF_DEFAULTS, "formatting": entry.get("formatting", "alpaca"), "file_name": entry["file_name"]}
    if "columns" in entry:
        attr.update({c: entry["columns"].get(c) for c in LF_COLUMNS})
    if "tags" in entry:
        attr.update({t: entry["tags"].get(t) for t in LF_TAGS})
    return attr


def lf_load(path: Path) -> list[dict[str, Any]]:
    """The rows as `datasets.load_dataset("json")` gives them: every column in every row, None if absent."""
    rows = read_jsonl(path)
    keys = {k for r in rows for k in r}
    return [{k: r.get(k) for k in keys} for r in rows]


def lf_convert(attr: dict[str, Any], ex: dict[str, Any]) -> tuple[list[dict], list[dict], str]:
    if attr["formatting"] == "alpaca":
        prompt = []
        if attr["history"] and isinstance(ex[attr["history"]], list):
            for old_prompt, old_response in ex[attr["history"]]:
                prompt += [
                    {"role": "user", "content": old_prompt},
                    {"role": "assistant", "content": old_response},
                ]
        query = [ex[attr[k]] for k in ("prompt", "query") if attr[k] and ex[attr[k]]]
        prompt.append({"role": "user", "content": "\n".join(query)})
        response = []
        if attr["response"] and isinstance(ex[attr["response"]], str):
            response = [{"role": "assistant", "content": ex[attr["response"]]}]
        return prompt, response, ex[attr["system"]] if attr["system"] else ""
    mapping = {
        attr["user_tag"]: "user",
        attr["assistant_tag"]: "assistant",
        attr["observation_tag"]: "observation",
        attr["function_tag"]: "function",
        attr["system_tag"]: "system",
    }
    accept = ((attr["user_tag"], attr["observation_tag"]), (attr["assistant_tag"], attr["function_tag"]))
    messages = ex[attr["messages"]]
    if attr["system_tag"] and messages and messages[0][attr["role_tag"]] == attr["system_tag"]:
        system, messages = messages[0][attr["content_tag"]], messages[1:]
    else:
        system = ex[attr["system"]] if attr["system"] else ""
    aligned = []
    for i, m in enumerate(messages):
        assert m[attr["role_tag"]] in accept[i % 2], (
            f"LLaMA-Factory would skip it: invalid role tag in {messages}"
        )
        aligned.append({"role": mapping[m[attr["role_tag"]]], "content": m[attr["content_tag"]]})
    assert len(aligned) % 2 == 0, f"LLaMA-Factory would skip it: invalid message count in {messages}"
    return aligned[:-1], aligned[-1:], system


def lf_read(folder: Path) -> dict[str, list[tuple[list[dict], list[dict], str]]]:
    info = json.loads((folder / "dataset_info.json").read_text())
    out = {}
    for name, entry in info.items():
        attr = lf_attr(entry)
        out[name] = [lf_convert(attr, ex) for ex in lf_load(folder / attr["file_name"])]
    return out


def test_llamafactory_alpaca_layout_reads_as_llamafactory_reads_it(mixed_file: Path, tmp_path: Path) -> None:
    result = synthpipe.export(mixed_file, "llamafactory", tmp_path / "lf", weights=False)
    info = json.loads((result.out / "dataset_info.json").read_text())
    assert set(info) == {"lf_train", "lf_unsplit", "lf_eval"}  # train, eval, and records of no split
    assert info["lf_train"]["columns"] == {"prompt": "instruction", "query": "input", "response": "output"}
    assert info["lf_unsplit"]["columns"] == {
        **info["lf_train"]["columns"],
        "system": "system",
        "history": "history",
    }
    data = lf_read(result.out)
    prompt, response, system = data["lf_train"][1]
    assert prompt == [{"role": "user", "content": qa(1)["instruction"] + "\nOrder 4411"}]
    assert response == [{"role": "assistant", "content": qa(1)["output"]}] and system == ""
    prompt, response, system = data["lf_unsplit"][0]  # d1: the history comes back as turns
    assert [m["content"] for m in prompt] == ["Hi", "Hello!", "Can I return boots?"]
    assert response[0]["content"] == "Yes, within 30 days."
    assert data["lf_unsplit"][1][2] == "You are Northwind support."
    assert data["lf_eval"][0][1] == [{"role": "assistant", "content": "refund"}]
    assert "eval_dataset: lf_eval" in (result.out / "README.md").read_text()


def test_llamafactory_sharegpt_layout_for_dialogues(tmp_path: Path) -> None:
    data = write_jsonl(
        tmp_path / "chats.jsonl",
        [
            record("d1", "dialogue", chat("Hi", "Hello!", "Boots?", "Yes.")),
            record("d2", "dialogue", chat("Refund?", "In 5 days.", system="Support.")),
            record("q", "qa", qa(0)),  # one exchange in this layout
        ],
    )
    result = synthpipe.export(data, "llamafactory", system="Be brief.")
    assert result.out == tmp_path / "export" / "chats.llamafactory"
    info = json.loads((result.out / "dataset_info.json").read_text())
    assert info == {
        "chats": {
            "file_name": "chats.jsonl",
            "formatting": "sharegpt",
            "columns": {"messages": "conversations", "system": "system"},
            "tags": {
                "role_tag": "from",
                "content_tag": "value",
                "user_tag": "human",
                "assistant_tag": "gpt",
                "system_tag": "system",
            },
        }
    }
    (p1, r1, s1), (_, r2, s2), (p3, r3, s3) = lf_read(result.out)["chats"]
    assert [m["role"] for m in p1] == ["user", "assistant", "user"] and r1 == [
        {"role": "assistant", "content": "Yes."}
    ]
    assert (s1, s2, s3) == ("Be brief.", "Support.", "Be brief.")
    assert p3 == [{"role": "user", "content": qa(0)["instruction"]}] and r3[0]["content"] == qa(0)["output"]


def test_llamafactory_maps_only_columns_every_row_can_be_read_with(run_dir: Path) -> None:
    # a mapped column missing from the data would be a KeyError in LLaMA-Factory's converter
    result = synthpipe.export(run_dir, "llamafactory")
    entry = json.loads((result.out / "dataset_info.json").read_text())["qa_en"]
    assert entry["columns"] == {"prompt": "instruction", "query": "input", "response": "output"}
    assert len(lf_read(result.out)["qa_en"]) == 4
