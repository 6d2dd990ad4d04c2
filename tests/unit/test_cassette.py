"""Cassettes: record real answers once, replay them offline with identical results and costs."""

from __future__ import annotations

import json
import multiprocessing
import threading
from dataclasses import replace
from pathlib import Path

import pytest

from orchestrator.core.errors import (
    ProviderNotConfigured,
    ProviderThrottled,
    ReplayEntryMissing,
    SimulatedPhaseFailure,
)
from orchestrator.core.records import SimulatedFailure, TokenUsage
from orchestrator.providers.base import ModelRequest, ModelResponse
from orchestrator.providers.cassette import (
    Cassette,
    CassetteEntry,
    RecordingProvider,
    ReplayProvider,
    open_cassette,
    request_key,
)
from orchestrator.providers.offline import OfflineProvider
from orchestrator.providers.pricing import cost_usd

MODEL = "claude-sonnet-4-5"
SCHEMA = {"type": "object", "properties": {"summary": {"type": "string"}}}


class FakeModel:
    """A stand-in for a real provider: answers every prompt differently, counts its calls."""

    name = "anthropic"

    def __init__(self, model: str = MODEL, label: str = "answer") -> None:
        self.model = model
        self.label = label
        self.calls = 0
        self._lock = threading.Lock()

    def complete(self, request: ModelRequest) -> ModelResponse:
        with self._lock:
            self.calls += 1
            number = self.calls
        usage = TokenUsage(input_tokens=1200 + number, output_tokens=300, cached_input_tokens=50)
        return ModelResponse(
            text=json.dumps({"summary": f"{self.label} {number} to {request.prompt}"}),
            provider=self.name,
            model=self.model,
            usage=usage,
            cost_usd=cost_usd(self.name, self.model, usage),
            data={"summary": f"{self.label} {number} to {request.prompt}"},
        )


def a_request(**changes: object) -> ModelRequest:
    request = ModelRequest(
        system="You plan projects.",
        prompt="Topic: a bike-sharing app",
        phase="plan",
        agent="planner",
        prompt_version="v2",
        schema=SCHEMA,
        temperature=0.2,
    )
    return replace(request, **changes)  # type: ignore[arg-type]


def recorded(tmp_path: Path, *requests: ModelRequest) -> tuple[Cassette, list[ModelResponse]]:
    cassette = Cassette(str(tmp_path / "run.jsonl"))
    recorder = RecordingProvider(FakeModel(), cassette)
    return cassette, [recorder.complete(request) for request in requests]


def test_a_replayed_answer_is_the_recorded_one_with_the_same_cost(tmp_path: Path) -> None:
    # Given an answer recorded from a (fake) Anthropic model
    cassette, [original] = recorded(tmp_path, a_request())

    # When a fresh process replays the cassette for the same prompt
    replayer = ReplayProvider(Cassette(cassette.path), model=f"anthropic/{MODEL}")
    replayed = replayer.complete(a_request())

    # Then text, data, usage and cost are the recording's, and no HTTP call was made
    assert replayed.text == original.text
    assert replayed.data == original.data
    assert replayed.usage == original.usage
    assert replayed.cost_usd == original.cost_usd > 0
    assert (replayed.provider, replayed.model, replayed.calls, replayed.offline) == (
        "replay",
        f"anthropic/{MODEL}",
        0,
        False,
    )


def test_the_recorder_returns_the_inner_answer_unchanged_and_writes_one_line(tmp_path: Path) -> None:
    # Given a recorder around a fake model
    cassette = Cassette(str(tmp_path / "run.jsonl"))
    inner = FakeModel()
    recorder = RecordingProvider(inner, cassette)

    # When it answers a prompt
    response = recorder.complete(a_request())

    # Then the answer is the model's, and the cassette holds one entry describing it
    assert recorder.name == "anthropic" and recorder.model == MODEL
    assert response.provider == "anthropic" and inner.calls == 1
    [line] = Path(cassette.path).read_text().splitlines()
    entry = json.loads(line)
    assert entry["key"] == request_key("anthropic", MODEL, a_request())
    assert (entry["provider"], entry["model"], entry["agent"], entry["prompt_version"]) == (
        "anthropic",
        MODEL,
        "planner",
        "v2",
    )
    assert entry["usage"] == {
        "input_tokens": 1201,
        "output_tokens": 300,
        "cached_input_tokens": 50,
        "cache_write_tokens": 0,
    }
    assert entry["recorded_at"]


@pytest.mark.parametrize(
    "change",
    [
        {"prompt": "Topic: a payroll system"},
        {"prompt_version": "v3"},
        {"schema": {"type": "object", "properties": {"title": {"type": "string"}}}},
        {"system": "You review code."},
        {"temperature": 0.7},
        {"max_tokens": 4096},
    ],
    ids=lambda change: next(iter(change)),
)
def test_a_different_question_is_a_miss_that_says_how_to_record_it(
    tmp_path: Path, change: dict[str, object]
) -> None:
    # Given a cassette with one recorded prompt
    cassette, _ = recorded(tmp_path, a_request())
    replayer = ReplayProvider(cassette, model=f"anthropic/{MODEL}")

    # When a request differing in what the model is asked is replayed
    with pytest.raises(ReplayEntryMissing) as caught:
        replayer.complete(a_request(**change))

    # Then the error names the agent, step, prompt version, model, key and how to record it
    message = str(caught.value)
    version = change.get("prompt_version", "v2")
    key = request_key("anthropic", MODEL, a_request(**change))
    for part in ("'planner'", "'plan'", f"'{version}'", f"anthropic/{MODEL}", key[:12]):
        assert part in message
    assert "MODEL_CASSETTE_MODE=record" in message
    assert cassette.path in message


def test_the_same_prompt_for_another_model_is_a_miss(tmp_path: Path) -> None:
    # Given a prompt recorded from claude-sonnet-4-5
    cassette, _ = recorded(tmp_path, a_request())

    # When it is replayed as if recorded from another model
    # Then nothing is found
    with pytest.raises(ReplayEntryMissing):
        ReplayProvider(cassette, model="anthropic/claude-opus-4").complete(a_request())


def test_a_retry_or_another_item_replays_the_same_answer(tmp_path: Path) -> None:
    # Given a recorded first attempt
    cassette, [original] = recorded(tmp_path, a_request())
    replayer = ReplayProvider(cassette, model=f"anthropic/{MODEL}")

    # When the same prompt comes again as attempt 2, for a map item, after some latency
    retried = replayer.complete(a_request(attempt=2, item=3, latency_ms=50, title="Plan"))

    # Then the same answer is replayed
    assert retried.text == original.text


def test_recording_the_same_prompt_twice_keeps_the_first_answer(tmp_path: Path) -> None:
    # Given a prompt recorded once
    cassette, [first] = recorded(tmp_path, a_request())

    # When it is recorded again (the model answers differently this time), also by another process
    again = RecordingProvider(FakeModel(label="again"), cassette).complete(a_request())
    other = RecordingProvider(FakeModel(label="other"), Cassette(cassette.path)).complete(
        a_request(attempt=2)
    )

    # Then the cassette still holds one line, the first answer, which replay returns
    assert first.text not in (again.text, other.text)
    assert len(Path(cassette.path).read_text().splitlines()) == 1
    replayed = ReplayProvider(Cassette(cassette.path), model=f"anthropic/{MODEL}").complete(a_request())
    assert replayed.text == first.text


def test_twenty_threads_recording_at_once_lose_no_entry(tmp_path: Path) -> None:
    # Given one cassette and twenty threads, each with its own long prompt
    cassette = Cassette(str(tmp_path / "run.jsonl"))
    recorder = RecordingProvider(FakeModel(), cassette)
    requests = [a_request(prompt=f"Topic: project {n} " + "x" * 20_000) for n in range(20)]
    start = threading.Barrier(20)
    failures: list[BaseException] = []

    def record(request: ModelRequest) -> None:
        start.wait()
        try:
            recorder.complete(request)
        except BaseException as exc:  # surfaced by the assertion below
            failures.append(exc)

    # When they all record at the same moment
    threads = [threading.Thread(target=record, args=(request,)) for request in requests]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # Then every line parses and every prompt replays from a fresh read of the file
    assert failures == []
    lines = Path(cassette.path).read_text().splitlines()
    assert len(lines) == 20
    keys = {json.loads(line)["key"] for line in lines}
    assert keys == {request_key("anthropic", MODEL, request) for request in requests}
    replayer = ReplayProvider(Cassette(cassette.path), model=f"anthropic/{MODEL}")
    for request in requests:
        assert request.prompt in replayer.complete(request).text


def test_two_cassette_objects_on_one_file_do_not_interleave(tmp_path: Path) -> None:
    # Given two independent Cassette objects on the same file (as two processes would have)
    path = str(tmp_path / "run.jsonl")
    writers = [RecordingProvider(FakeModel(), Cassette(path)) for _ in range(2)]
    requests = [a_request(prompt=f"Topic: {n} " + "y" * 5_000) for n in range(10)]

    # When both record all the prompts concurrently
    threads = [
        threading.Thread(target=lambda w=writer: [w.complete(r) for r in requests]) for writer in writers
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # Then every line parses and each prompt appears once
    lines = Path(path).read_text().splitlines()
    keys = [CassetteEntry.model_validate_json(line).key for line in lines]
    assert sorted(keys) == sorted({request_key("anthropic", MODEL, r) for r in requests})


def test_an_answer_recorded_by_another_process_after_loading_is_found(tmp_path: Path) -> None:
    # Given a replayer that has already read its cassette
    cassette, _ = recorded(tmp_path, a_request())
    replayer = ReplayProvider(Cassette(cassette.path), model=f"anthropic/{MODEL}")
    replayer.complete(a_request())

    # When another process records a new prompt
    later = a_request(prompt="Topic: a recorded-later prompt")
    RecordingProvider(FakeModel(), Cassette(cassette.path)).complete(later)

    # Then the replayer finds it
    assert "recorded-later" in replayer.complete(later).text


def test_a_corrupt_line_is_an_error_naming_the_file_and_line(tmp_path: Path) -> None:
    # Given a cassette whose second line is broken
    cassette, _ = recorded(tmp_path, a_request())
    with open(cassette.path, "a") as handle:
        handle.write('{"key": "abc", "provider": "anthropic"\n')

    # When it is read
    with pytest.raises(ProviderNotConfigured) as caught:
        Cassette(cassette.path).get("anything")

    # Then the error names the file and line 2
    assert cassette.path in str(caught.value)
    assert "line 2" in str(caught.value)


def test_a_line_missing_fields_is_an_error_naming_the_field(tmp_path: Path) -> None:
    # Given a cassette whose first line is JSON but no entry
    path = tmp_path / "run.jsonl"
    path.write_text('{"key": "abc", "provider": "anthropic", "model": "m"}\n')

    # When it is read
    with pytest.raises(ProviderNotConfigured) as caught:
        Cassette(str(path)).get("abc")

    # Then the error says which line lacks what
    assert "line 1" in str(caught.value) and "text" in str(caught.value)


def test_a_missing_cassette_file_is_an_empty_cassette(tmp_path: Path) -> None:
    # Given a path where nothing was recorded yet
    replayer = ReplayProvider(Cassette(str(tmp_path / "none.jsonl")), model=f"anthropic/{MODEL}")

    # When it is replayed, then the miss is the usual clear error
    with pytest.raises(ReplayEntryMissing):
        replayer.complete(a_request())


@pytest.mark.parametrize("model", ["claude-sonnet-4-5", "", "anthropic/", "/claude"])
def test_a_replay_model_without_provider_slash_model_is_refused(tmp_path: Path, model: str) -> None:
    # Given a replay model that does not say which provider recorded it
    # When the replay provider is built, then it is refused with the expected form
    with pytest.raises(ProviderNotConfigured, match="'<provider>/<model>'"):
        ReplayProvider(Cassette(str(tmp_path / "run.jsonl")), model=model)


def test_a_simulated_failure_is_raised_before_the_cassette_is_read(tmp_path: Path) -> None:
    # Given a recorded prompt and a run asking step 'plan' to fail twice, transiently
    cassette, [original] = recorded(tmp_path, a_request())
    replayer = ReplayProvider(cassette, model=f"anthropic/{MODEL}")
    failure = SimulatedFailure(step="plan", times=2, error="ProviderThrottled")

    # When attempts 1, 2 and 3 are replayed
    # Then the first two fail as asked and the third replays the recording
    for attempt in (1, 2):
        with pytest.raises(ProviderThrottled):
            replayer.complete(a_request(simulate_failure=failure, attempt=attempt))
    assert replayer.complete(a_request(simulate_failure=failure, attempt=3)).text == original.text
    with pytest.raises(SimulatedPhaseFailure):
        replayer.complete(a_request(simulate_failure=SimulatedFailure(step="plan")))


def test_offline_answers_are_not_recorded_unless_asked(tmp_path: Path) -> None:
    # Given recorders around the offline provider, one of them told to record offline answers
    path = tmp_path / "run.jsonl"
    plain = RecordingProvider(OfflineProvider(), Cassette(str(path)))

    # When the plain one answers, then nothing is written
    assert plain.complete(a_request()).offline
    assert not path.exists()

    # When the one with record_offline answers, then the answer replays as offline-deterministic-1
    RecordingProvider(OfflineProvider(), Cassette(str(path)), record_offline=True).complete(a_request())
    replayed = ReplayProvider(Cassette(str(path)), model="offline/offline-deterministic-1").complete(
        a_request()
    )
    assert replayed.text == OfflineProvider().complete(a_request()).text
    assert replayed.cost_usd == 0.0


def test_open_cassette_gives_one_cassette_per_file(tmp_path: Path) -> None:
    # Given two spellings of one file
    (tmp_path / "sub").mkdir()
    first = open_cassette(str(tmp_path / "run.jsonl"))
    second = open_cassette(str(tmp_path / "sub" / ".." / "run.jsonl"))

    # Then they are one cassette, and another file is another cassette
    assert first is second
    assert open_cassette(str(tmp_path / "other.jsonl")) is not first
    with pytest.raises(ProviderNotConfigured):
        open_cassette("")


def test_the_recorder_passes_other_attributes_through(tmp_path: Path) -> None:
    # Given a recorder around a provider with more than complete()
    inner = FakeModel()
    recorder = RecordingProvider(inner, Cassette(str(tmp_path / "run.jsonl")))

    # Then its other attributes are the inner provider's
    assert recorder.calls == 0
    with pytest.raises(AttributeError):
        _ = recorder.no_such_attribute


def _record_in_a_process(path: str, worker: int) -> None:
    recorder = RecordingProvider(FakeModel(label=f"worker {worker}"), Cassette(path))
    for n in range(10):
        recorder.complete(a_request(prompt=f"Topic: shared {n % 5} / own {worker}-{n} " + "z" * 8_000))
        recorder.complete(a_request(prompt=f"Topic: shared {n % 5}"))  # every process records these


def test_processes_recording_at_once_keep_lines_whole_and_record_each_prompt_once(tmp_path: Path) -> None:
    # Given four processes recording into one cassette, partly the same prompts
    path = str(tmp_path / "run.jsonl")
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_record_in_a_process, args=(path, w)) for w in range(4)]

    # When they run at the same time
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)

    # Then every line parses and each prompt is recorded exactly once
    assert [worker.exitcode for worker in workers] == [0, 0, 0, 0]
    keys = [CassetteEntry.model_validate_json(line).key for line in Path(path).read_text().splitlines()]
    assert len(keys) == len(set(keys)) == 4 * 10 + 5
