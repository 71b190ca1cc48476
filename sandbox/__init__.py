"""A stand-in for the AdultWork.com REST API and its Unified Login pages, served on loopback.

The sandbox is deliberately independent of the project: standard library only (requests is
used by `sandbox.control`, the client of its control API), in-memory state, deterministic demo
data. Start it with `SandboxServer(...).start()` in tests or `python -m sandbox` by hand.
"""
