"""The selection of allies from key figures: review, home visit, decision."""
