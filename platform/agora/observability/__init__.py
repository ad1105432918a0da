"""Logs and metrics (issue 14 point 5, ADR 0021): request ids, JSON log lines, Prometheus metrics.

Privacy by default: what leaves a process (a log line, a metric) carries ids and bounded labels,
never a name, an e-mail address, a raw path or a request body.
"""
