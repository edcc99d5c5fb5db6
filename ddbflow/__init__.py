"""ddbflow's local side: the embedded engine, the CLI and (later) the simulator. Never deployed."""
