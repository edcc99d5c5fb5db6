import re

from ddbflow_lambda.core.naming import execution_name


def test_execution_names_are_valid_deterministic_and_distinct() -> None:
    name = execution_name("ddbflow-orders::write-high", "2026-11-23T10:02:00.000+0000")
    assert re.fullmatch(r"[A-Za-z0-9_-]{1,80}", name)
    assert name == execution_name("ddbflow-orders::write-high", "2026-11-23T10:02:00.000+0000")
    assert name != execution_name("ddbflow-orders::write-high", "2026-11-23T10:03:00.000+0000")


def test_long_unicode_names_still_fit() -> None:
    name = execution_name("ü" * 300, "x" * 300)
    assert re.fullmatch(r"[A-Za-z0-9_-]{1,80}", name)
