"""Nomination lists (municipality and police), their import and comparison."""
