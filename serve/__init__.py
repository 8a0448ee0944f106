"""resistml HTTP service: FastAPI app (``serve.app.create_app``), settings and the GUI page."""
