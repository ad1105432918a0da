"""The REST API (DRF): thin views that validate, call one service action, and serialize."""
