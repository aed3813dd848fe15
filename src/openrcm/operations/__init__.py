"""Operations: the `openrcm` commands (init, demo, serve, quickstart, status, practice, user,
token, x12) and the services behind them, including the synthetic demo book of business."""
