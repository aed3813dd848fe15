"""Request and response shapes of the JSON API (pydantic, through ninja's Schema)."""
