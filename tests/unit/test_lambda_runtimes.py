"""`make lint`'s runtime check: a function on a runtime AWS has deprecated fails the lint, on the day the
deprecation takes effect, whether the runtime comes from Globals or from the function itself."""

from datetime import date
from pathlib import Path

import pytest

from ddbflow.lambda_runtimes import DEPRECATION, main, problems

ROOT = Path(__file__).resolve().parents[2]

HAND_MADE = """\
Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Runtime: python3.13
Resources:
  Inherits:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
  Overrides:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      Runtime: python3.11
  Plain:
    Type: AWS::Lambda::Function
    Properties:
      Handler: app.handler
      Runtime: python3.12
  Table:
    Type: AWS::DynamoDB::Table
"""


@pytest.fixture
def hand_made(tmp_path: Path) -> Path:
    path = tmp_path / "template.yaml"
    path.write_text(HAND_MADE)
    return path


def test_a_function_on_a_deprecated_runtime_fails_from_its_deprecation_date(
    hand_made: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # GIVEN python3.11, deprecated 2026-06-30, on one function that overrides the Globals runtime
    # WHEN the check runs the day before and on the day
    assert main([str(hand_made), "--today", "2026-06-29"]) == 0
    assert main([str(hand_made), "--today", "2026-06-30"]) == 1
    # THEN it names the function, the runtime, the date and what to move to
    err = capsys.readouterr().err
    assert "Overrides: runtime python3.11 was deprecated by AWS on 2026-06-30" in err
    assert "python3.13" in err and "Inherits" not in err and "Plain" not in err


def test_the_globals_runtime_counts_for_every_function_that_inherits_it(hand_made: Path) -> None:
    from cfnlint.decode import cfn_yaml

    doc = cfn_yaml.load(str(hand_made))
    on_the_day = problems(doc, DEPRECATION["python3.13"])
    assert [p.split(":")[0] for p in on_the_day] == ["Inherits", "Overrides", "Plain"]


def test_a_runtime_missing_from_the_table_fails(tmp_path: Path) -> None:
    path = tmp_path / "template.yaml"
    path.write_text(HAND_MADE.replace("python3.12", "python3.99"))
    from cfnlint.decode import cfn_yaml

    found = problems(cfn_yaml.load(str(path)), date(2026, 1, 1))
    assert found == [
        "Plain: runtime python3.99 is not in ddbflow/lambda_runtimes.py's table; look up its deprecation "
        "date on AWS's Lambda runtimes page and add it"
    ]


def test_the_project_template_deploys_a_runtime_supported_on_the_day_the_issue_was_measured() -> None:
    assert main([str(ROOT / "template.yaml"), "--today", "2026-12-01"]) == 0
