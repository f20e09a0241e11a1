from web.routes.roundtable import routes  # noqa: F401  (transitional: the module moves here next)
