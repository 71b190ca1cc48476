"""`make bench`: the dashboard's benchmarks, printed as one table of figures against targets.

Run with `python -m bench`; it exits non-zero when a target is missed. It works on a throwaway
database (a SQLite file in a temp dir, or a dedicated database on the server DATABASE_URL names)
and never touches real data.
"""
