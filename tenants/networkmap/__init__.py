"""The network map: neighbourhoods, communities, key figures and who serves them."""
