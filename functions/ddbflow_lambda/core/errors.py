"""Errors whose class names are the ASL error names the state machines Retry and Catch on.

Lambda reports an unhandled exception as ``errorType = type(exc).__name__``; Step Functions uses that as
the error name. Keep class names stable: they appear in ``statemachines/*.asl.json``.
"""


class DdbflowError(Exception):
    """Base of every error a handler raises on purpose."""


class MalformedEvent(DdbflowError):
    """The execution input is not an alarm event in any shape we accept."""


class UnsupportedMetric(DdbflowError):
    """The alarm watches a metric ddbflow does not scale on."""


class ForeignAlarm(DdbflowError):
    """The alarm belongs to another account or region than this deployment."""


class WrongMachine(DdbflowError):
    """The alarm asks the other machine: a low alarm starts a scale-down, any other a scale-up."""


class InvalidConfig(DdbflowError):
    """The policy config does not satisfy the schema; the message names each field."""


class TableNotManaged(DdbflowError):
    """The table or index has no policy in the config."""


class TableNotFound(DdbflowError):
    """The table or index does not exist."""


class TableNotProvisioned(DdbflowError):
    """The table is on-demand (PAY_PER_REQUEST): there is no capacity to scale."""


class LeaseHeld(DdbflowError):
    """Another execution holds this table's lease; the machine waits (Wait Out Lease) and tries again."""


class AwsError(DdbflowError):
    """Base of the errors named after an AWS error code (see ``ddbflow_lambda.aws.named_aws_errors``)."""


class UnknownCacheKey(DdbflowError):
    """A cache key whose prefix has no rebuild settings in the config."""


class InvalidTtl(DdbflowError):
    """A TTL that is not a Number of epoch seconds (DynamoDB would never expire the item)."""
