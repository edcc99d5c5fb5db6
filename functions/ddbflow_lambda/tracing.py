"""Powertools Tracer, for the one handler where a trace pays: Rebuild Entry, whose builders query your
cache sources (the subsegments show which source call was slow). Importing it loads the X-Ray SDK and
patches botocore — about as much as boto3 itself (`python -m ddbflow.coldstart`) — so the scale-up and
scale-down handlers, each one or two AWS calls, do without: with `Tracing: Active` Lambda still records
every invocation's segment in the execution's trace."""

from aws_lambda_powertools import Tracer

tracer = Tracer(service="ddbflow")
