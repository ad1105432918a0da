"""Agora: the control plane of the Bondgenoten platform (public schema)."""
