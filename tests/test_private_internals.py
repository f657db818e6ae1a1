"""The private internals the product still calls, each because a measurement says the public
way costs more (docs: Performance, "Private internals"). An upgrade of Python, pyarrow or dlt
that removes or changes one fails here, loudly, instead of the product falling back to the
slower public way without a word."""

from __future__ import annotations

import atexit
import threading

import dlt
import pyarrow as pa
import pyarrow.compute as pc


def test_pythons_exit_steps_the_process_takes_itself_are_there():
    """pipelines.process.finished: thread shutdown and exit handlers, then os._exit, skipping
    the interpreter's teardown (0.2 to 0.4 s of every run)."""
    assert callable(getattr(threading, "_shutdown", None)), "threading._shutdown is gone"
    assert callable(getattr(atexit, "_run_exitfuncs", None)), "atexit._run_exitfuncs is gone"


def test_pyarrows_child_lookup_is_there_and_equals_the_public_one():
    """sources.common.arrow._child: a struct's child in under 1 us, where pc.struct_field
    takes 9 us (a compute call), for every nested column of every page."""
    array = pa.array([{"a": 1, "b": "x"}, None, {"a": None, "b": "y"}])
    assert isinstance(array, pa.StructArray)
    lookup = getattr(array, "_flattened_field", None)
    assert callable(lookup), "pyarrow's StructArray._flattened_field is gone"
    for name in ("a", "b"):
        assert lookup(name).equals(pc.struct_field(array, name))


def test_dlts_extracted_packages_can_be_deleted_one_by_one(tmp_path):
    """pipelines.runner.drop_deletion_remnants: what a kill left of an extracted package that
    dlt had already normalized is deleted; dlt has no public call for one package."""
    pipeline = dlt.pipeline("internals", destination="duckdb", pipelines_dir=str(tmp_path))
    pipeline.extract([{"id": 1}], table_name="t")
    (load_id,) = pipeline.list_extracted_load_packages()
    storage = pipeline._get_normalize_storage().extracted_packages
    storage.delete_package(load_id)
    assert pipeline.list_extracted_load_packages() == []
