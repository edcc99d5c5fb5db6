"""What moto logs that the engine keeps off the user's console, and why (each is misleading, not news)."""

import logging


class _EnforcedByTheEngine(logging.Filter):
    """moto warns at every parse that ToleratedFailurePercentage has no effect; the engine enforces it
    (``quotas._distributed_map_patches``), so that one warning would only mislead."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "ToleratedFailurePercentage" not in record.getMessage()


class _AbsentPathIsAnAnswer(logging.Filter):
    """A Choice rule on a path that is absent (``IsPresent: false``, e.g. Wait For Lease? on the first
    wait) is answered by moto catching a NoSuchJsonPathError it has already logged at ERROR. A path missing
    anywhere else fails the execution with States.Runtime, which its history reports."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "Exception=NoSuchJsonPathError" not in record.getMessage()


logging.getLogger("moto.stepfunctions.parser.asl.parse.preprocessor").addFilter(_EnforcedByTheEngine())
logging.getLogger("moto.stepfunctions.parser.asl.component.eval_component").addFilter(_AbsentPathIsAnAnswer())
