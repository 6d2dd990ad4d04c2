"""The local hashing embedding: tokens, determinism across processes, normalisation, and a
search over the sample repository that finds the function a question is about."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

from orchestrator.ingestion.archive import build_archive, read_archive
from orchestrator.ingestion.chunking import chunk_repository
from orchestrator.ingestion.embedding import DEFAULT_DIMENSION, cosine, hashing_embedding, rank, tokenize

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "samples" / "repositories" / "inventory_service"


def test_identifiers_are_split_into_lower_case_words_without_stop_words() -> None:
    assert tokenize("def parse_config_file(path)") == ["parse", "config", "file", "path"]
    assert tokenize("parseConfigFile HTTPServer") == ["parse", "config", "file", "http", "server"]
    assert tokenize("Parse the configuration file") == ["parse", "configuration", "file"]
    assert tokenize("return self.items is None") == ["items"]


def test_an_embedding_is_l2_normalised_with_the_asked_dimension() -> None:
    vector = hashing_embedding("parse the configuration file")

    assert len(vector) == DEFAULT_DIMENSION == 256
    assert math.isclose(math.sqrt(sum(value * value for value in vector)), 1.0)
    assert len(hashing_embedding("parse", dimension=32)) == 32


def test_a_text_without_words_embeds_to_zeros() -> None:
    assert hashing_embedding("  ... !!! ") == [0.0] * 256
    assert cosine(hashing_embedding(""), hashing_embedding("parse")) == 0.0


def test_the_same_text_gives_the_same_vector_in_another_process() -> None:
    # Given another interpreter with another string hash seed
    code = (
        "import json; from orchestrator.ingestion.embedding import hashing_embedding; "
        "print(json.dumps(hashing_embedding('parse_config_file reads the TOML file')))"
    )
    environment = {**os.environ, "PYTHONHASHSEED": "12345", "PYTHONPATH": str(ROOT / "functions")}
    result = subprocess.run(  # noqa: S603 (this interpreter, fixed arguments)
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=environment
    )

    # Then its vector is this process's vector
    assert json.loads(result.stdout) == hashing_embedding("parse_config_file reads the TOML file")


def test_snake_case_and_camel_case_of_one_name_are_the_same_text() -> None:
    assert math.isclose(
        cosine(hashing_embedding("parse_config_file"), hashing_embedding("parseConfigFile")), 1.0
    )


def test_related_words_are_closer_than_unrelated_ones() -> None:
    config = hashing_embedding("config")

    assert cosine(config, hashing_embedding("configuration")) > cosine(config, hashing_embedding("discount"))


def test_cosine_of_vectors_of_different_lengths_is_refused() -> None:
    with pytest.raises(ValueError, match="different lengths"):
        cosine([1.0, 0.0], [1.0])


def test_a_question_finds_the_function_it_is_about_in_the_sample_repository() -> None:
    # Given every chunk of the sample repository, embedded
    chunks = chunk_repository(read_archive(build_archive(SAMPLE)).files)
    query = hashing_embedding("parse the configuration file")

    # When they are ranked by cosine similarity to the question
    ranked = sorted(chunks, key=lambda chunk: -cosine(query, hashing_embedding(chunk.text)))

    # Then the chunk defining parse_config_file is among the first three
    top = [(chunk.path, chunk.kind, chunk.title) for chunk in ranked[:3]]
    assert ("inventory/config.py", "function", "parse_config_file") in top, top


def test_rank_orders_items_by_similarity() -> None:
    items = ["apply the coupon discount", "parse the config file", "reserve stock"]

    ranked = rank("configuration file parsing", items, lambda text: text)

    assert ranked[0][0] == "parse the config file"
    assert [score for _, score in ranked] == sorted((score for _, score in ranked), reverse=True)
