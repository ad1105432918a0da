"""The staff memberships API: who works here, and the number they are reached on."""
