import pytest

from ddbflow_lambda.core.errors import TableNotFound, TableNotProvisioned
from ddbflow_lambda.core.table import is_active, throughput_state, update_request
from ddbflow_lambda.core.target import Target

DESCRIPTION = {
    "TableName": "orders",
    "TableStatus": "ACTIVE",
    "ProvisionedThroughput": {
        "ReadCapacityUnits": 50,
        "WriteCapacityUnits": 100,
        "NumberOfDecreasesToday": 2,
    },
    "GlobalSecondaryIndexes": [
        {
            "IndexName": "by-customer",
            "IndexStatus": "UPDATING",
            "ProvisionedThroughput": {"ReadCapacityUnits": 20, "WriteCapacityUnits": 30},
        }
    ],
}


def test_table_and_index_read_through_one_path() -> None:
    table = throughput_state(DESCRIPTION, Target("orders"))
    index = throughput_state(DESCRIPTION, Target("orders", "by-customer"))
    assert (table["read"], table["write"], table["decreases_today"], is_active(table)) == (50, 100, 2, True)
    assert (index["read"], index["write"], index["status"], is_active(index)) == (20, 30, "UPDATING", False)


def test_update_request_changes_one_dimension_and_keeps_the_other() -> None:
    table = throughput_state(DESCRIPTION, Target("orders"))
    assert update_request(Target("orders"), table | {"write": 150}) == {
        "TableName": "orders",
        "ProvisionedThroughput": {"ReadCapacityUnits": 50, "WriteCapacityUnits": 150},
    }
    index = throughput_state(DESCRIPTION, Target("orders", "by-customer"))
    assert update_request(Target("orders", "by-customer"), index | {"read": 40}) == {
        "TableName": "orders",
        "GlobalSecondaryIndexUpdates": [
            {
                "Update": {
                    "IndexName": "by-customer",
                    "ProvisionedThroughput": {"ReadCapacityUnits": 40, "WriteCapacityUnits": 30},
                }
            }
        ],
    }


def test_missing_index_and_on_demand_table_are_named() -> None:
    with pytest.raises(TableNotFound, match="no global secondary index 'by-x'"):
        throughput_state(DESCRIPTION, Target("orders", "by-x"))
    on_demand = DESCRIPTION | {"BillingModeSummary": {"BillingMode": "PAY_PER_REQUEST"}}
    with pytest.raises(TableNotProvisioned, match="on-demand"):
        throughput_state(on_demand, Target("orders"))
