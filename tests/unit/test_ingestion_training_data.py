"""Instruction pairs from the analysis of the sample repository: what each kind of pair holds,
their order, and the JSONL text."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

from orchestrator.ingestion.archive import SourceFile, build_archive, read_archive
from orchestrator.ingestion.code_analysis import analyze_repository
from orchestrator.ingestion.doc_analysis import analyze_documentation
from orchestrator.ingestion.training_data import (
    TRUNCATION_MARKER,
    TrainingData,
    build_training_data,
    training_examples,
)

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "repositories" / "inventory_service"


def _sample_training_data() -> TrainingData:
    files = read_archive(build_archive(SAMPLE)).files
    code = analyze_repository(files)
    return build_training_data(files, code, analyze_documentation(files, code))


def _build(files: list[SourceFile], **options: int) -> list[dict[str, str]]:
    code = analyze_repository(files)
    examples = training_examples(files, code, analyze_documentation(files, code), **options)
    return [example.model_dump() for example in examples]


def test_every_line_is_an_instruction_pair_and_the_count_matches() -> None:
    data = _sample_training_data()

    lines = data.jsonl.splitlines()
    assert data.jsonl.endswith("\n")
    assert data.count == len(lines) > 20
    assert all(set(json.loads(line)) == {"instruction", "input", "output"} for line in lines)


def test_a_documented_function_gives_an_explanation_pair_without_its_docstring_in_the_input() -> None:
    data = _sample_training_data()
    pairs = [json.loads(line) for line in data.jsonl.splitlines()]

    # When the pair of parse_config_file is looked up
    [pair] = [
        p
        for p in pairs
        if p["instruction"]
        == "Explain what `inventory.config.parse_config_file` in `inventory/config.py` does."
    ]

    # Then its input is the function's code and its output the docstring (not also in the input)
    assert pair["input"].startswith("def parse_config_file(path: str | Path) -> Settings:\n    try:")
    assert pair["output"].startswith("Parse the TOML configuration file at ``path`` into settings.")
    assert "Parse the TOML" not in pair["input"]
    # And undocumented functions give no pair
    assert not any("test_gold_customers" in p["instruction"] for p in pairs)


def test_methods_are_explained_with_their_class_in_the_name_and_dedented() -> None:
    data = _sample_training_data()
    pairs = {json.loads(line)["instruction"]: json.loads(line) for line in data.jsonl.splitlines()}

    name = "inventory.repository.InMemoryInventoryRepository.reserve"
    pair = pairs[f"Explain what `{name}` in `inventory/repository.py` does."]

    assert pair["input"].startswith("def reserve(self, sku: str, quantity: int) -> Reservation:")


def test_a_module_docstring_gives_a_summary_pair_and_a_section_a_question() -> None:
    data = _sample_training_data()
    pairs = {json.loads(line)["instruction"]: json.loads(line) for line in data.jsonl.splitlines()}

    summary = pairs["Summarize the module `inventory.pricing` (`inventory/pricing.py`)."]
    assert (
        summary["output"]
        == "Price quotes: customer tier, bulk and coupon discounts, never below the floor price."
    )
    assert summary["input"].startswith("from __future__ import annotations")

    question = pairs['What does `docs/pricing.md` say about "Coupons" (in "Pricing")?']
    assert question["input"] == ""
    assert question["output"].startswith("A valid coupon takes a fixed amount off the order")


def test_the_order_is_modules_by_path_then_documents_and_it_never_changes() -> None:
    first = _sample_training_data()
    second = _sample_training_data()

    assert first == second
    instructions = [json.loads(line)["instruction"] for line in first.jsonl.splitlines()]
    assert instructions[0] == "Summarize the module `inventory` (`inventory/__init__.py`)."
    code_pairs = [i for i in instructions if not i.startswith("What does")]
    assert instructions[: len(code_pairs)] == code_pairs  # every code pair before the documents'
    assert instructions[-1] == 'What does `docs/pricing.md` say about "Floor price" (in "Pricing")?'


def test_a_one_line_function_keeps_valid_code_and_long_inputs_are_cut() -> None:
    source = textwrap.dedent(
        '''
        def stub():
            """Does nothing yet."""


        def long():
            """Adds many numbers."""
            total = 0
        '''
    ).lstrip() + "".join(f"    total += {n}\n" for n in range(500))
    files = [SourceFile(path="pkg/mod.py", text=source, size=len(source))]

    stub, long = _build(files, max_input_chars=300)

    assert stub["input"] == "def stub():\n    ..."
    assert len(long["input"]) == 300
    assert long["input"].endswith(TRUNCATION_MARKER)
