"""Plain helper modules shared by tests (fixtures stay in the conftest files)."""
