"""`ddbflow advise`: on-demand or provisioned, priced on a table's own traffic,
ddbflow's own bill included."""
