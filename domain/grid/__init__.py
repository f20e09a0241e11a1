"""Grid service and residents\x27 requests (网格化服务管理, 诉求), and the satisfaction assessment."""
