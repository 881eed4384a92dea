"""Benchmarks of Table Order against a server started the way production runs it."""
