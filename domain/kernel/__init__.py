"""What every context shares: the application (store, execute, load, clock, sealer), commands, ids, errors,
money, text, privacy, roles, actors and time."""
