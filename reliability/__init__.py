"""Reliability runs of Table Order against a production-like server: a soak and fault injection.

`python -m reliability soak` (`make soak`) and `python -m reliability faults` (`make faults`);
short versions run in the suite on PostgreSQL (reliability/tests/).
"""
