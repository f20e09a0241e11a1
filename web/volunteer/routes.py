from web.routes.volunteer import routes  # noqa: F401  (transitional: the module moves here next)
