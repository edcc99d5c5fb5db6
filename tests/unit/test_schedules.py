import pytest

from ddbflow.engine.schedules import rate_seconds


@pytest.mark.parametrize(
    ("expression", "seconds"),
    [("rate(15 minutes)", 900), ("rate(1 minute)", 60), ("rate(2 hours)", 7200), ("rate(1 day)", 86400)],
)
def test_rate_expressions_in_seconds(expression: str, seconds: int) -> None:
    assert rate_seconds(expression) == seconds


@pytest.mark.parametrize(
    "expression", ["rate(1 minutes)", "rate(5 minute)", "rate(0 minutes)", "cron(0/15 * * * ? *)", "every 5m"]
)
def test_what_aws_refuses_or_the_engine_does_not_model_is_an_error(expression: str) -> None:
    with pytest.raises(ValueError, match="rate"):
        rate_seconds(expression)
