"""Guarding rule edits: mutants of the rules (`kb mutate`) and the impact of a change (`kb diff`)."""
