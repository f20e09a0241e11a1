from web.routes.fund import routes  # noqa: F401  (transitional: the module moves here next)
