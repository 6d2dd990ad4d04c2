"""The tools of the ``repo_ingestion`` template, one agent class per step (see the package)."""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from typing import Any

from pydantic import BaseModel

from orchestrator.agents.base import Agent, AgentContext, AgentServices, output_as
from orchestrator.agents.repo_ingestion.reading import bundle_key, language_of, load_files
from orchestrator.agents.repo_ingestion.schemas import (
    MAX_ARCHIVE_BYTES,
    MAX_CHUNKS,
    SNIPPET_CHARS,
    CodeReport,
    CollectionReport,
    DocumentationReport,
    EmbeddingReport,
    RepoIngestionInputs,
    RepositorySnapshot,
    TrainingReport,
)
from orchestrator.commands.executor import CommandSpec, WriteArtifact
from orchestrator.commands.vectors import IndexVectors
from orchestrator.core.constants import MAX_SUMMARY_LENGTH
from orchestrator.core.errors import InvalidRequest
from orchestrator.ingestion.archive import Archive, read_archive
from orchestrator.ingestion.chunking import chunk_repository
from orchestrator.ingestion.code_analysis import CodeAnalysis, analyze_repository
from orchestrator.ingestion.doc_analysis import DocAnalysis, analyze_documentation
from orchestrator.ingestion.embedders import DEFAULT_DIMENSION, EmbeddingInfo, embed_texts
from orchestrator.ingestion.training_data import build_training_data
from orchestrator.ingestion.uploads import read_upload


class DataCreatorAgent(Agent):
    agent_type = "repo_data_creator"
    title = "Data creator"
    goal = "Take the repository archive (an upload or a URL) and keep its text files for the run."
    output_model = RepositorySnapshot
    uses_model = False
    complexity = "small"
    services = frozenset({"fetch"})

    def work(self, context: AgentContext, services: AgentServices) -> dict[str, Any]:
        inputs = RepoIngestionInputs.model_validate(context.inputs)
        if inputs.archive_upload_id is not None:
            data = read_upload(
                services.workspace, context.tenant_id, inputs.archive_upload_id, MAX_ARCHIVE_BYTES
            )
            source = f"upload:{inputs.archive_upload_id}"
        else:
            if inputs.archive_url is None:
                raise InvalidRequest("the run's inputs name neither an archive URL nor an upload")
            if services.fetch is None:
                raise InvalidRequest("this deployment cannot fetch archives by URL")
            data = services.fetch(inputs.archive_url)
            source = inputs.archive_url
        archive: Archive = read_archive(data, max_compressed_bytes=MAX_ARCHIVE_BYTES)
        if not archive.files:
            raise InvalidRequest(f"the archive from {source} holds no text files")
        key = bundle_key(services)
        services.workspace.put(
            key,
            json.dumps([f.model_dump() for f in archive.files]).encode(),
            "application/json",
            {"orchestrator-run": context.run_id},
        )
        return {
            "source": source,
            "sha256": hashlib.sha256(data).hexdigest(),
            "format": archive.format,
            "archive_bytes": len(data),
            "files": [{"path": f.path, "size": f.size} for f in archive.files],
            "skipped": [s.model_dump() for s in archive.skipped],
            "bundle_key": key,
        }

    def compute(self, context: AgentContext) -> BaseModel:
        facts = context.facts
        languages = Counter(language_of(f["path"]) for f in facts["files"])
        total = sum(f["size"] for f in facts["files"])
        return RepositorySnapshot(
            summary=(
                f"{len(facts['files'])} text files ({total} bytes) from {facts['source']}"
                + (f", {len(facts['skipped'])} skipped" if facts["skipped"] else "")
            )[:MAX_SUMMARY_LENGTH],
            total_bytes=total,
            languages=dict(sorted(languages.items())),
            **facts,
        )

    def warnings(self, output: BaseModel, context: AgentContext) -> list[str]:
        output = output_as(output, RepositorySnapshot)
        return [f"skipped {s.path}: {s.reason}" for s in output.skipped[:10]]


class CodeAnalystAgent(Agent):
    agent_type = "repo_code_analyst"
    title = "Code analyst"
    goal = "Describe the Python code: modules, classes, functions, imports and complexity (AST)."
    output_model = CodeReport
    reads = ("repo_data_creator",)
    uses_model = False

    def work(self, context: AgentContext, services: AgentServices) -> dict[str, Any]:
        return {"analysis": analyze_repository(load_files(context, services)).model_dump(mode="json")}

    def compute(self, context: AgentContext) -> BaseModel:
        analysis = CodeAnalysis.model_validate(context.facts["analysis"])
        s = analysis.summary
        parsed = s.modules / max(1, s.modules + s.files_with_errors)
        hardest = s.most_complex[0] if s.most_complex else None
        text = f"{s.modules} modules, {s.classes} classes, {s.functions} functions, {s.lines_of_code} lines"
        if hardest:
            text += f"; most complex: {hardest.qualified_name} ({hardest.complexity})"
        return CodeReport(summary=text[:MAX_SUMMARY_LENGTH], analysis=analysis, confidence=round(parsed, 2))

    def warnings(self, output: BaseModel, context: AgentContext) -> list[str]:
        output = output_as(output, CodeReport)
        return [f"{error.path}: {error.message}" for error in output.analysis.errors[:10]]

    def commands(self, output: BaseModel, context: AgentContext) -> list[CommandSpec]:
        output = output_as(output, CodeReport)
        s = output.analysis.summary
        lines = [f"# Code analysis: {context.topic}", "", output.summary, "", "## Most complex functions", ""]
        lines += [f"- `{c.qualified_name}` ({c.path}:{c.line}): {c.complexity}" for c in s.most_complex]
        lines += [
            "",
            "## Modules",
            "",
            "| module | classes | functions | lines | summary |",
            "| --- | --- | --- | --- | --- |",
        ]
        lines += [
            f"| `{m.module}` | {len(m.classes)} | {len(m.functions)} | {m.lines_of_code} "
            f"| {m.summary or ''} |"
            for m in output.analysis.modules
        ]
        lines += ["", "## Imports between modules", ""]
        lines += [f"- `{edge.source}` -> `{edge.target}`" for edge in s.import_edges]
        return [
            WriteArtifact(
                path=f"repositories/{context.run_id}/code-analysis.md", content="\n".join(lines) + "\n"
            )
        ]


class DocAnalystAgent(Agent):
    agent_type = "repo_doc_analyst"
    title = "Documentation analyst"
    goal = "Describe the documentation: Markdown documents, their sections and links, and docstrings."
    output_model = DocumentationReport
    reads = ("repo_data_creator",)
    uses_model = False
    complexity = "small"

    def work(self, context: AgentContext, services: AgentServices) -> dict[str, Any]:
        files = load_files(context, services)
        docs = analyze_documentation(files, analyze_repository(files))
        return {"analysis": docs.model_dump(mode="json")}

    def compute(self, context: AgentContext) -> BaseModel:
        analysis = DocAnalysis.model_validate(context.facts["analysis"])
        s = analysis.summary
        return DocumentationReport(
            summary=(
                f"{s.documents} documents, {s.sections} sections, {s.links} links; "
                f"docstrings on {s.documented_functions} of {s.functions} functions"
            )[:MAX_SUMMARY_LENGTH],
            analysis=analysis,
            confidence=round(s.docstring_coverage, 2),
        )

    def commands(self, output: BaseModel, context: AgentContext) -> list[CommandSpec]:
        output = output_as(output, DocumentationReport)
        lines = [f"# Documentation: {context.topic}", "", output.summary, ""]
        for document in output.analysis.documents:
            lines += [f"## {document.path}", ""]
            lines += [f"{'  ' * (h.level - 1)}- {h.text}" for h in document.headings]
            lines.append("")
        return [
            WriteArtifact(path=f"repositories/{context.run_id}/documentation.md", content="\n".join(lines))
        ]


class EmbedderAgent(Agent):
    agent_type = "repo_embedder"
    title = "Embedder"
    goal = "Split the repository into search chunks and embed each one."
    output_model = EmbeddingReport
    reads = ("repo_data_creator",)
    uses_model = False

    def work(self, context: AgentContext, services: AgentServices) -> dict[str, Any]:
        dimension = RepoIngestionInputs.model_validate(context.inputs).embedding_dimension
        chunks = chunk_repository(load_files(context, services))[:MAX_CHUNKS]
        texts = [f"{chunk.title}\n{chunk.path}\n{chunk.text}" for chunk in chunks]
        vectors, info = embed_texts(texts, services.provider(), dimension)
        records = [
            {
                "key": chunk.chunk_id,
                "vector": vector,
                "metadata": {
                    "path": chunk.path,
                    "kind": chunk.kind,
                    "name": chunk.title[:200],
                    "start_line": chunk.start_line,
                    "end_line": chunk.end_line,
                    "snippet": re.sub(r"\s+", " ", chunk.text)[:SNIPPET_CHARS],
                },
            }
            for chunk, vector in zip(chunks, vectors, strict=True)
        ]
        key = f"{services.run_data_prefix}vectors.json"
        services.workspace.put(
            key, json.dumps(records).encode(), "application/json", {"orchestrator-run": context.run_id}
        )
        return {
            "chunks": len(chunks),
            "by_kind": dict(sorted(Counter(chunk.kind for chunk in chunks).items())),
            "embedding": info.model_dump(),
            "vectors_key": key,
        }

    def compute(self, context: AgentContext) -> BaseModel:
        facts = context.facts
        info = EmbeddingInfo.model_validate(facts["embedding"])
        how = "offline feature hashing" if info.offline else f"{info.embedder} {info.model}"
        return EmbeddingReport(
            summary=f"{facts['chunks']} chunks embedded in {info.dimension} dimensions by {how}",
            **facts,
        )

    def warnings(self, output: BaseModel, context: AgentContext) -> list[str]:
        output = output_as(output, EmbeddingReport)
        if output.embedding.offline:
            return ["embedded offline by feature hashing: lexical similarity, not a model's embeddings"]
        return []


class VectorStorageAgent(Agent):
    agent_type = "repo_vector_store"
    title = "Vector storage"
    goal = "Store the chunks' vectors as the run's searchable collection."
    output_model = CollectionReport
    reads = ("repo_embedder",)
    uses_model = False
    complexity = "small"
    services = frozenset({"vectors"})

    def work(self, context: AgentContext, services: AgentServices) -> dict[str, Any]:
        embedded = context.output_of("repo_embedder") or {}
        return {"index": services.require_vectors().index_name(context.tenant_id, context.run_id)} | {
            "vectors": embedded.get("chunks", 0),
            "dimension": (embedded.get("embedding") or {}).get("dimension", DEFAULT_DIMENSION),
            "vectors_key": embedded.get("vectors_key", ""),
        }

    def compute(self, context: AgentContext) -> BaseModel:
        facts = context.facts
        return CollectionReport(
            summary=f"{facts['vectors']} vectors in collection {context.run_id}",
            collection=context.run_id,
            index=facts["index"],
            vectors=facts["vectors"],
            dimension=facts["dimension"],
            search=f"POST /collections/{context.run_id}/search",
        )

    def commands(self, output: BaseModel, context: AgentContext) -> list[CommandSpec]:
        output = output_as(output, CollectionReport)
        return [
            IndexVectors(
                collection=context.run_id,
                vectors_key=context.facts["vectors_key"],
                dimension=output.dimension,
            )
        ]


class TrainingFormatterAgent(Agent):
    agent_type = "repo_training_formatter"
    title = "Training data formatter"
    goal = "Write instruction pairs (JSONL) from the code and documentation analyses."
    output_model = TrainingReport
    reads = ("repo_data_creator", "repo_code_analyst", "repo_doc_analyst")
    uses_model = False
    complexity = "small"

    def work(self, context: AgentContext, services: AgentServices) -> dict[str, Any]:
        code = CodeAnalysis.model_validate((context.output_of("repo_code_analyst") or {})["analysis"])
        docs = DocAnalysis.model_validate((context.output_of("repo_doc_analyst") or {})["analysis"])
        data = build_training_data(load_files(context, services), code, docs)
        kinds = Counter(json.loads(line)["instruction"].split(" ", 1)[0] for line in data.jsonl.splitlines())
        return {"jsonl": data.jsonl, "examples": data.count, "by_instruction": dict(sorted(kinds.items()))}

    def compute(self, context: AgentContext) -> BaseModel:
        facts = context.facts
        path = f"repositories/{context.run_id}/training.jsonl"
        return TrainingReport(
            summary=f"{facts['examples']} instruction pairs in {path}",
            examples=facts["examples"],
            path=path,
            by_instruction=facts["by_instruction"],
        )

    def commands(self, output: BaseModel, context: AgentContext) -> list[CommandSpec]:
        output = output_as(output, TrainingReport)
        return [
            WriteArtifact(path=output.path, content=context.facts["jsonl"], content_type="application/jsonl")
        ]


AGENTS: list[type[Agent]] = [
    DataCreatorAgent,
    CodeAnalystAgent,
    DocAnalystAgent,
    EmbedderAgent,
    VectorStorageAgent,
    TrainingFormatterAgent,
]
