"""The inputs of the ``repo_ingestion`` template and the reports its tools produce."""

from __future__ import annotations

from pydantic import Field, model_validator

from orchestrator.core.constants import MAX_SUMMARY_LENGTH
from orchestrator.core.records import RequestModel, StrictModel
from orchestrator.ingestion.code_analysis import CodeAnalysis
from orchestrator.ingestion.doc_analysis import DocAnalysis
from orchestrator.ingestion.embedders import DEFAULT_DIMENSION, EmbeddingInfo
from orchestrator.ingestion.uploads import UPLOAD_ID_PATTERN

MAX_ARCHIVE_BYTES = 20 * 1024 * 1024
MAX_CHUNKS = 5_000
SNIPPET_CHARS = 240
Summary = Field(min_length=1, max_length=MAX_SUMMARY_LENGTH)


class RepoIngestionInputs(RequestModel):
    """``inputs`` of a repository ingestion: the archive (uploaded, or at an https URL)."""

    archive_upload_id: str | None = Field(
        default=None,
        pattern=UPLOAD_ID_PATTERN,
        description="an upload (POST /uploads) of a zip, tar or tar.gz",
    )
    archive_url: str | None = Field(
        default=None,
        min_length=8,
        max_length=2000,
        pattern=r"^https?://[^\s]+$",
        description="an https URL of the archive (private, loopback and link-local addresses are refused)",
    )
    embedding_dimension: int = Field(default=DEFAULT_DIMENSION, ge=32, le=1024, description="vector size")

    @model_validator(mode="after")
    def _one_source(self) -> RepoIngestionInputs:
        if (self.archive_upload_id is None) == (self.archive_url is None):
            raise ValueError("give exactly one of archive_upload_id or archive_url")
        return self


class FileEntry(StrictModel):
    path: str
    size: int


class SkippedEntry(StrictModel):
    path: str
    reason: str


class RepositorySnapshot(StrictModel):
    summary: str = Summary
    source: str = Field(description="upload:<id> or the URL")
    sha256: str
    format: str
    archive_bytes: int
    total_bytes: int
    files: list[FileEntry] = Field(max_length=10_000)
    skipped: list[SkippedEntry] = Field(max_length=10_000)
    languages: dict[str, int]
    bundle_key: str = Field(description="where the run keeps the files (its own data)")


class CodeReport(StrictModel):
    summary: str = Summary
    analysis: CodeAnalysis
    confidence: float = Field(ge=0.0, le=1.0, description="share of Python files that parsed")


class DocumentationReport(StrictModel):
    summary: str = Summary
    analysis: DocAnalysis
    confidence: float = Field(ge=0.0, le=1.0, description="docstring coverage of functions and methods")


class EmbeddingReport(StrictModel):
    summary: str = Summary
    chunks: int
    by_kind: dict[str, int]
    embedding: EmbeddingInfo
    vectors_key: str


class CollectionReport(StrictModel):
    summary: str = Summary
    collection: str
    index: str
    vectors: int
    dimension: int
    search: str = Field(description="where to search it")


class TrainingReport(StrictModel):
    summary: str = Summary
    examples: int
    path: str
    by_instruction: dict[str, int]
