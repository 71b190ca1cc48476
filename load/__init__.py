"""`make load`: locust against gunicorn in the production profile, on a throwaway PostgreSQL
database, with the sandbox standing in for a slow AdultWork. See load/__main__.py.

Nothing here is imported at start-up: load.swarm must import locust (which patches the
standard library for gevent) before anything else.
"""
