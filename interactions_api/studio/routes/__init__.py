"""Studio's pages: every module here with a `router` is mounted (by name; `planned` last)."""
