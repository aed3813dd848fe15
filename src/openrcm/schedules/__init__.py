"""Background work, a face like the web and the CLI: the daily batch of each practice, inbound
polling and the retries of failed jobs, run by `openrcm worker` (docs/schedules.md). It calls
app services only; no app imports it."""
