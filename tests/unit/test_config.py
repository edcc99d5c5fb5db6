import pytest

from ddbflow_lambda.core.config import Policy, managed_targets, resolve_policy, validate_config
from ddbflow_lambda.core.errors import InvalidConfig, TableNotManaged
from ddbflow_lambda.core.target import Target


def test_example_config_is_valid(config: dict) -> None:
    assert validate_config(config) == config


@pytest.mark.parametrize(
    ("config", "named"),
    [
        ({"tables": {"orders": {"max_capacity": "lots"}}}, "$.tables.orders.max_capacity"),
        ({"tables": {"orders": {"target_utilization": 1.5}}}, "$.tables.orders.target_utilization"),
        ({"tables": {"orders": {"max_capacty": 10}}}, "'max_capacty' was unexpected"),
        (
            {"tables": {"orders": {"write": {"cooldown_seconds": -1}}}},
            "$.tables.orders.write.cooldown_seconds",
        ),
        (
            {"tables": {"orders": {"indexes": {"by-x": {"rule": "magic"}}}}},
            "$.tables.orders.indexes['by-x'].rule",
        ),
        ({"tables": {"o": {}}}, "$.tables"),
        ({"tables": {}}, "$.tables"),
        ({"defaults": {"dry_run": "yes"}, "tables": {"orders": {}}}, "$.defaults.dry_run"),
        (
            {"tables": {"orders": {"min_capacity": 50, "max_capacity": 10}}},
            "min_capacity 50 > max_capacity 10",
        ),
        (
            {"tables": {"orders": {"alarm_evaluation_periods": 2, "alarm_datapoints_to_alarm": 3}}},
            "alarm_datapoints_to_alarm 3 > alarm_evaluation_periods 2",
        ),
        ([], "$: [] is not of type 'object'"),
    ],
)
def test_every_error_names_the_field(config: object, named: str) -> None:
    with pytest.raises(InvalidConfig) as raised:
        validate_config(config)
    assert named in str(raised.value)


def test_resolution_order_defaults_table_index_dimension() -> None:
    config = validate_config(
        {
            "defaults": {"max_capacity": 500, "cooldown_seconds": 60},
            "tables": {
                "orders": {
                    "max_capacity": 400,
                    "read": {"min_capacity": 25},
                    "indexes": {"by-customer": {"max_capacity": 200, "write": {"min_capacity": 7}}},
                }
            },
        }
    )
    table_read = resolve_policy(config, Target("orders"), "read")
    assert (table_read.min_capacity, table_read.max_capacity, table_read.cooldown_seconds) == (25, 400, 60)
    index_write = resolve_policy(config, Target("orders", "by-customer"), "write")
    assert (index_write.min_capacity, index_write.max_capacity) == (7, 200)
    index_read = resolve_policy(config, Target("orders", "by-customer"), "read")
    assert index_read.min_capacity == Policy().min_capacity  # the table's read block is the table's only


def test_unmanaged_table_and_index_are_named() -> None:
    config = validate_config({"tables": {"orders": {}}})
    with pytest.raises(TableNotManaged, match="'payments'"):
        resolve_policy(config, Target("payments"), "read")
    with pytest.raises(TableNotManaged, match="orders/by-x"):
        resolve_policy(config, Target("orders", "by-x"), "read")


def test_managed_targets_lists_tables_and_indexes(config: dict) -> None:
    assert managed_targets(config) == [Target("orders"), Target("orders", "by-customer"), Target("sessions")]
