"""The Python enums and dtypes agree with the compiled C++ definitions."""
import re

import pytest

import engine
from engine import _core, dtypes, enums


def upper_snake(name: str) -> str:
    s = re.sub(r"(?<=[a-z])(?=[A-Z])", "_", name)
    s = re.sub(r"(?<=[A-Za-z])(?=\d)", "_", s)
    return s.upper()


def test_every_cpp_enum_member_has_an_equal_python_member():
    table = _core._enum_table()
    assert len(table) > 50
    for type_name, name, value in table:
        py_enum = getattr(enums, type_name)
        assert py_enum[upper_snake(name)] == value, (type_name, name)


def test_every_python_enum_member_exists_in_cpp():
    cpp = {(t, upper_snake(n)) for t, n, _ in _core._enum_table()}
    for type_name in {t for t, _, _ in _core._enum_table()}:
        for member in getattr(enums, type_name):
            assert (type_name, member.name) in cpp, (type_name, member.name)


@pytest.mark.parametrize(
    "record, dtype",
    [("Command", dtypes.COMMAND_DTYPE), ("Event", dtypes.EVENT_DTYPE), ("LevelView", dtypes.LEVEL_DTYPE),
     ("OrderView", dtypes.ORDER_DTYPE)],
)
def test_dtype_matches_cpp_record(record, dtype):
    assert dtype.itemsize == _core._record_sizes()[record]
    fields = {f: (off, size) for r, f, off, size in _core._field_table() if r == record}
    assert set(dtype.names) == set(fields)
    for name in dtype.names:
        ftype, offset = dtype.fields[name][:2]
        assert (offset, ftype.itemsize) == fields[name], name


def test_package_exports_and_version():
    assert isinstance(engine.__version__, str) and engine.__version__
    for name in engine.__all__:
        assert hasattr(engine, name), name
