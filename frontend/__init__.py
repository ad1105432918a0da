"""Server-rendered pages (Dutch first), static files and the small JS modules."""
