"""Each gunicorn worker freezes what it loaded at start, so full collections skip it."""

import gc
import runpy
from pathlib import Path

CONF = Path(__file__).resolve().parents[2] / "deploy" / "gunicorn.conf.py"


def test_a_worker_freezes_the_objects_it_loaded_at_start():
    hook = runpy.run_path(str(CONF))["post_worker_init"]
    before = gc.get_freeze_count()
    loaded = [[] for _ in range(100)]
    try:
        hook(worker=None)
        # Everything alive when the hook ran, such as these lists, is now out of the collector's walk.
        assert gc.get_freeze_count() >= before + len(loaded)
    finally:
        gc.unfreeze()
