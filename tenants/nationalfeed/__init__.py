"""Feeds the national read model: triggers on this municipality's tables (agora.national.feed)."""
