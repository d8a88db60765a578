"""The base every area may import, and which imports none of them: prongs, roles, languages, service
errors, route guards and shared forms. See docs/architecture.md."""
