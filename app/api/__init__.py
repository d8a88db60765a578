"""The versioned pull API (/api/v1) for aggregate figures, authenticated by API tokens."""
