"""Squirrel's C API, reached through the binding's own library, where the binding itself falls short.

The `squirrel` binding converts values between Squirrel and Python lossily and unsafely: integers
and floats to 32 bits, strings cut at NUL, and a string that is not UTF-8 raises a Python
exception *through* the VM (an imp string is any bytes). So the host entry `_h` that the prelude
calls is a native closure made here (`bridge`), which reads its arguments with the C API (strings
as bytes, blobs' bytes, numbers) and pushes its result the same way; a Python failure becomes a
Squirrel error (`sq_throwerror`), never an exception unwinding through the VM.

The library exports the whole C API (`sq_*`, `sqstd_*`); `SQInteger` is 32 bits in this build.
"""

from __future__ import annotations

import ctypes
from typing import Any, Callable

OT_NULL = 0x01000001
OT_INTEGER = 0x05000002
OT_FLOAT = 0x05000004
OT_BOOL = 0x01000008
OT_STRING = 0x08000010
OT_ARRAY = 0x08000040
OT_INSTANCE = 0x0A008000
DELEGATE_TYPES = {
    "array": OT_ARRAY,
    "thread": 0x08001000,
    "string": OT_STRING,
    "table": 0x0A000020,
    "integer": OT_INTEGER,
    "float": OT_FLOAT,
    "function": 0x08000100,
    "generator": 0x08000400,
    "class": 0x08004000,
    "instance": OT_INSTANCE,
    "weakref": 0x08010000,
}
SQFUNCTION = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p)
_API: Any = None


def api() -> Any:
    """The binding's library with the signatures this module uses (loaded once per process)."""
    global _API  # noqa: PLW0603 - loaded once per worker process
    if _API is None:
        import _squirrel

        lib = ctypes.CDLL(_squirrel.__file__)
        vm, idx, res, ptr = ctypes.c_void_p, ctypes.c_int, ctypes.c_int, ctypes.c_void_p
        signatures: dict[str, tuple[list[Any], Any]] = {
            "sq_gettop": ([vm], res),
            "sq_settop": ([vm, idx], None),
            "sq_gettype": ([vm, idx], ctypes.c_uint),
            "sq_getinteger": ([vm, idx, ctypes.POINTER(ctypes.c_int)], res),
            "sq_getfloat": ([vm, idx, ctypes.POINTER(ctypes.c_float)], res),
            "sq_getbool": ([vm, idx, ctypes.POINTER(ctypes.c_uint)], res),
            "sq_getstringandsize": ([vm, idx, ctypes.POINTER(ctypes.c_void_p), ctypes.POINTER(ctypes.c_int)], res),
            "sq_getsize": ([vm, idx], res),
            "sqstd_getblob": ([vm, idx, ctypes.POINTER(ctypes.c_void_p)], res),
            "sqstd_getblobsize": ([vm, idx], res),
            "sq_pushnull": ([vm], None),
            "sq_pushbool": ([vm, ctypes.c_uint], None),
            "sq_pushinteger": ([vm, ctypes.c_int], None),
            "sq_pushfloat": ([vm, ctypes.c_float], None),
            "sq_pushstring": ([vm, ctypes.c_char_p, idx], None),
            "sq_pushroottable": ([vm], None),
            "sq_get": ([vm, idx], res),
            "sq_rawset": ([vm, idx], res),
            "sq_newslot": ([vm, idx, ctypes.c_uint], res),
            "sq_deleteslot": ([vm, idx, ctypes.c_uint], res),
            "sq_newclosure": ([vm, ptr, ctypes.c_uint], None),
            "sq_getdefaultdelegate": ([vm, ctypes.c_uint], res),
            "sq_throwerror": ([vm, ctypes.c_char_p], res),
        }
        for name, (args, restype) in signatures.items():
            function = getattr(lib, name)
            function.argtypes = args
            function.restype = restype
        _API = lib
    return _API


def vm_pointer(sqvm: Any) -> ctypes.c_void_p:
    """The HSQUIRRELVM of a `squirrel.SQVM`."""
    return ctypes.c_void_p(sqvm.vm_addr())


# -- the host entry ---------------------------------------------------------------------------------
def bind_host(sqvm: Any, name: str, handler: Callable[[list[Any]], Any]) -> Any:
    """Put a native closure `name` in the root table that calls `handler(args)` (args after `this`).

    Arguments arrive as None, bool, int, float, bytes (strings and blobs) or a list of those (an
    array); `handler` returns the same kinds (str is sent as UTF-8) or raises `SquirrelError`.
    Keep the returned object alive as long as the VM: it is the C callback.
    """
    lib = api()

    def entry(v: int) -> int:
        try:
            args = [read(v, index) for index in range(2, lib.sq_gettop(v) + 1)]
            result = handler(args)
        except SquirrelError as exc:
            return lib.sq_throwerror(v, str(exc).encode("utf-8", "replace").replace(b"\0", b"?"))
        except Exception as exc:  # noqa: BLE001 - nothing may unwind through the VM
            return lib.sq_throwerror(v, f"the host failed: {exc}".encode("utf-8", "replace").replace(b"\0", b"?"))
        return push(v, result)

    callback = SQFUNCTION(entry)
    v = vm_pointer(sqvm)
    top = lib.sq_gettop(v)
    try:
        lib.sq_pushroottable(v)
        lib.sq_pushstring(v, name.encode(), -1)
        lib.sq_newclosure(v, ctypes.cast(callback, ctypes.c_void_p), 0)
        _ok(lib.sq_newslot(v, -3, 0), name)
    finally:
        lib.sq_settop(v, top)
    return callback


class SquirrelError(Exception):
    """Raised by a host handler: becomes a Squirrel runtime error with this message."""


def read(v: int, index: int) -> Any:  # noqa: PLR0911 - one case per type
    """The value at stack `index` as Python (see `bind_host`); other types are refused."""
    lib = api()
    kind = lib.sq_gettype(v, index)
    if kind == OT_NULL:
        return None
    if kind == OT_INTEGER:
        number = ctypes.c_int()
        lib.sq_getinteger(v, index, ctypes.byref(number))
        return number.value
    if kind == OT_FLOAT:
        real = ctypes.c_float()
        lib.sq_getfloat(v, index, ctypes.byref(real))
        return real.value
    if kind == OT_BOOL:
        flag = ctypes.c_uint()
        lib.sq_getbool(v, index, ctypes.byref(flag))
        return bool(flag.value)
    if kind == OT_STRING:
        where, size = ctypes.c_void_p(), ctypes.c_int()
        lib.sq_getstringandsize(v, index, ctypes.byref(where), ctypes.byref(size))
        return ctypes.string_at(where, size.value) if size.value else b""
    if kind == OT_INSTANCE:
        return _blob(v, index)
    if kind == OT_ARRAY:
        return _array(v, index)
    raise SquirrelError("a value of this type cannot be passed here")


def _blob(v: int, index: int) -> bytes:
    lib = api()
    where = ctypes.c_void_p()
    if lib.sqstd_getblob(v, index, ctypes.byref(where)) < 0:
        raise SquirrelError("an instance that is not a blob cannot be passed here")
    size = lib.sqstd_getblobsize(v, index)
    return ctypes.string_at(where, size) if size > 0 else b""


def _array(v: int, index: int) -> list[Any]:
    lib = api()
    index = index if index > 0 else lib.sq_gettop(v) + 1 + index
    items = []
    for position in range(lib.sq_getsize(v, index)):
        lib.sq_pushinteger(v, position)
        _ok(lib.sq_get(v, index), "array item")
        try:
            items.append(read(v, lib.sq_gettop(v)))
        finally:
            lib.sq_settop(v, lib.sq_gettop(v) - 1)
    return items


def push(v: int, value: Any) -> int:
    """Push `value` as the native's result; returns what a native returns (1: a value, 0: null)."""
    lib = api()
    if value is None:
        return 0
    if value is True or value is False:
        lib.sq_pushbool(v, int(value))
    elif isinstance(value, int):
        lib.sq_pushinteger(v, ((value + 2**31) % 2**32) - 2**31)  # the imp's 32-bit integers wrap
    elif isinstance(value, float):
        lib.sq_pushfloat(v, value)
    else:
        data = value.encode("utf-8", "surrogateescape") if isinstance(value, str) else bytes(value)
        lib.sq_pushstring(v, data, len(data))
    return 1


# -- guards in the default delegates ------------------------------------------------------------------
def install_delegate_guards(sqvm: Any, guards: dict[str, list[str]]) -> None:
    """Move `R._guards[type][method]` into `type`'s default delegate as `method`, then delete `_guards`.

    Squirrel code cannot reach the default delegates (the methods of `[]`, of threads, ...).
    Raises RuntimeError if the C API refuses a step: a VM whose natives are not guarded must not run.
    """
    lib = api()
    v = vm_pointer(sqvm)
    top = lib.sq_gettop(v)
    try:
        lib.sq_pushroottable(v)  # root
        lib.sq_pushstring(v, b"_guards", -1)
        _ok(lib.sq_get(v, -2), "_guards")  # root, guards
        for kind, methods in guards.items():
            _ok(lib.sq_getdefaultdelegate(v, DELEGATE_TYPES[kind]), kind)  # root, guards, delegate
            lib.sq_pushstring(v, kind.encode(), -1)
            _ok(lib.sq_get(v, -3), kind)  # root, guards, delegate, its guards
            for method in methods:
                lib.sq_pushstring(v, method.encode(), -1)  # ..., delegate, its guards, name
                lib.sq_pushstring(v, method.encode(), -1)
                _ok(lib.sq_get(v, -3), method)  # ..., delegate, its guards, name, closure
                _ok(lib.sq_rawset(v, -4), method)  # ..., delegate, its guards
            lib.sq_settop(v, lib.sq_gettop(v) - 2)  # root, guards
        lib.sq_settop(v, top + 1)  # root
        lib.sq_pushstring(v, b"_guards", -1)
        _ok(lib.sq_deleteslot(v, -2, 0), "_guards")
    finally:
        lib.sq_settop(v, top)


def _ok(result: int, what: str) -> None:
    if result < 0:
        raise RuntimeError(f"the Squirrel C API refused a step ({what})")
