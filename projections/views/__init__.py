"""Read models over the notification log: the runner that keeps their tables current, the
catalogue of views, and one module per view (registry, certification, positions, ...)."""
