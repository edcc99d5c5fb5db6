"""Pure decision logic: no boto3, no Lambda, no clock. Everything here is a function of plain data."""
