"""gunicorn's settings, for every gunicorn this project starts: production (deploy/serve.py),
tests/servers.py and bench/run.py all run `gunicorn --config config/gunicorn.py config.wsgi ...`.
Options given on the command line after it (bind, workers) still apply."""

# The longest request line gunicorn takes short of no bound at all (its default is 4094).
# Every URL the schema allows fits in it: each query parameter at its longest, text of 4-byte
# characters percent-encoded at 12 bytes each (tests/test_querying.py checks it from the schema).
# nginx in front (deploy/nginx.conf.template) takes request lines as long.
limit_request_line = 8190


def post_fork(server, worker):
    """A streamed answer tells the arbiter this worker is alive as it goes (api.heartbeat)."""
    from api import heartbeat

    heartbeat.listen(worker.notify)
