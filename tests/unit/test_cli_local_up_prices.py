"""``orchestrator local up --model-prices``: offline answers can cost money locally, so budgets can
be tried; a bad price is refused before anything starts."""

from __future__ import annotations

from pathlib import Path

import pytest

from infra.cli import main
from infra.cli.local_cloud import _price_context
from orchestrator.core.records import TokenUsage
from orchestrator.providers.offline import OfflineProvider
from orchestrator.providers.pricing import PriceTable

PRICES = '{"offline/": {"input": 3, "output": 15}}'


@pytest.mark.parametrize(
    ("prices", "problem"),
    [
        ("{", "--model-prices: "),
        ('{"offline": {"input": 1}}', "expected 'provider/model-prefix'"),
        ("[1]", "JSON object"),
    ],
)
def test_a_bad_price_is_one_line_and_exit_2_before_anything_starts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], prices: str, problem: str
) -> None:
    code = main(["--state-dir", str(tmp_path), "local", "up", "--api-port", "9", "--model-prices", prices])
    out, err = capsys.readouterr()
    assert code == 2 and out == "" and err.count("\n") == 1 and problem in err
    assert not (tmp_path / "cdk.out").exists()  # nothing was synthesized


def test_offline_answers_are_priced_like_the_model_they_stand_for() -> None:
    # Given the context local up passes on
    context = _price_context(PRICES)
    assert context == {"modelPrices": PRICES}
    assert _price_context(None) is None
    # Then the price table it builds prices every offline model (the gateway applies it to answers)
    table = PriceTable.with_overrides(context["modelPrices"])
    usage = TokenUsage(input_tokens=1_000_000, output_tokens=100_000)
    assert table.cost_usd(OfflineProvider.name, OfflineProvider().model, usage) == pytest.approx(3 + 1.5)
