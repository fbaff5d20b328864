"""Settings for `make bench`: the production settings (from the environment, as bench.run sets
it), plus the naive peer's URLs and a request header that bypasses every cache of the service
(for its cold reads). Nothing here is used outside the benchmark."""

from config import settings as production

globals().update({name: value for name, value in vars(production).items() if name.isupper()})

ROOT_URLCONF = "bench.urls"
# Sent by the benchmark's cold reads: the service answers as if nothing were cached.
API_CACHE_BYPASS_HEADER = "X-Bench-Cold"
