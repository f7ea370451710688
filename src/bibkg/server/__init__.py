"""The HTTP server: a FastAPI application built by :func:`bibkg.server.app.create_app`.

Nothing is created at import time; worker processes import only :mod:`bibkg.server.worker` and the modules of the job it runs (no FastAPI, Starlette or uvicorn).
"""
