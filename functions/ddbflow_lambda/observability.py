"""Powertools Logger and Metrics, created once per process. Tracer lives in tracing.py: it costs ~2× the
cold start (X-Ray SDK), so only handlers whose AWS calls are worth a trace import it."""

from aws_lambda_powertools import Logger, Metrics

logger = Logger(service="ddbflow")
metrics = Metrics(namespace="ddbflow", service="ddbflow")
