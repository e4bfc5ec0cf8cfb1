"""``NamedTuple`` for our record types, made at run time without ``typing``'s checks.

Type checkers see ``typing.NamedTuple`` itself. At run time, ``typing.NamedTuple`` checks each
field's annotation as it makes the class, and under ``from __future__ import annotations``
every annotation is a string that it compiles: about 0.3 ms a class, and a plain check makes
some thirty-five before it reads a line of the declaration. ``collections.namedtuple`` alone
still takes about 0.14 ms a class, half of it compiling the source of its ``__new__``. The
class made here is what ``collections.namedtuple`` makes (a tuple subclass with the same
``__new__``, field properties, ``_make``, ``_replace``, ``_asdict``, repr and pickling), with
the class body's defaults, methods and docstring, in about a fifth of that time: the
``__new__`` of each number of fields is compiled once and renamed for each class's fields, and
the other methods are shared. The annotations are kept as written, unchecked (the type checker
checks them).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import NamedTuple as NamedTuple
else:
    import sys
    import types

    try:
        from _collections import _tuplegetter  # what collections.namedtuple uses
    except ImportError:  # another implementation: a property does the same
        from operator import itemgetter

        def _tuplegetter(index, doc):
            return property(itemgetter(index), doc=doc)

    _tuple_new = tuple.__new__
    # The code of ``__new__`` by number of fields, compiled once: ``lambda _cls, a0, a1: ...``.
    _NEW_CODE = {}

    def _new(name, qualname, fields, defaults):
        """``__new__`` taking the fields as arguments (keywords by their names), as
        ``collections.namedtuple`` writes it."""
        count = len(fields)
        code = _NEW_CODE.get(count)
        if code is None:
            names = ", ".join(f"a{i}" for i in range(count))
            items = names + ("," if count == 1 else "")
            head = f"_cls, {names}" if count else "_cls"
            outer = compile(f"lambda {head}: _tuple_new(_cls, ({items}))", "<record>", "eval")
            code = _NEW_CODE[count] = next(c for c in outer.co_consts
                                           if isinstance(c, types.CodeType))
        renamed = {"co_varnames": ("_cls", *fields), "co_name": "__new__"}
        if sys.version_info >= (3, 11):
            renamed["co_qualname"] = f"{qualname}.__new__"
        made = types.FunctionType(code.replace(**renamed),
                                  {"_tuple_new": _tuple_new, "__builtins__": {}}, "__new__",
                                  tuple(defaults) or None)
        made.__doc__ = f"Create new instance of {name}({', '.join(fields)})"
        made.__qualname__ = f"{qualname}.__new__"
        return made

    _UNEXPECTED = TypeError if sys.version_info >= (3, 13) else ValueError

    @classmethod
    def _make(cls, iterable):
        """Make a new record from a sequence or iterable."""
        result = _tuple_new(cls, iterable)
        if len(result) != len(cls._fields):
            raise TypeError(f"Expected {len(cls._fields)} arguments, got {len(result)}")
        return result

    def _replace(self, /, **changes):
        """Return a new record replacing the fields named with new values."""
        result = self._make(map(changes.pop, self._fields, self))
        if changes:  # as the running Python's namedtuple says it
            raise _UNEXPECTED(f"Got unexpected field names: {list(changes)!r}")
        return result

    def _repr(self):
        """Return a nicely formatted representation string."""
        return (f"{self.__class__.__name__}("
                + ", ".join(f"{name}={value!r}" for name, value in zip(self._fields, self))
                + ")")

    def _asdict(self):
        """Return a new dict which maps field names to their values."""
        return dict(zip(self._fields, self))

    def _getnewargs(self):
        """Return self as a plain tuple. Used by copy and pickle."""
        return tuple(self)

    def _record(name, fields, defaults, module, qualname):
        """The class ``collections.namedtuple(name, fields, defaults=defaults)`` makes."""
        fields = tuple(sys.intern(field) for field in fields)
        body = {
            "__doc__": f"{name}({', '.join(fields)})",
            "__slots__": (),
            "_fields": fields,
            "_field_defaults": dict(zip(fields[len(fields) - len(defaults):], defaults)),
            "__new__": _new(name, name, fields, defaults),
            "_make": _make,
            "_replace": _replace,
            "__repr__": _repr,
            "_asdict": _asdict,
            "__getnewargs__": _getnewargs,
            "__module__": module,
            "__qualname__": qualname,
        }
        if sys.version_info >= (3, 10):
            body["__match_args__"] = fields
        if sys.version_info >= (3, 13):
            body["__replace__"] = _replace  # copy.replace
        for index, field in enumerate(fields):
            body[field] = _tuplegetter(index, f"Alias for field number {index}")
        return type(name, (tuple,), body)

    # What a namedtuple defines for itself; a class body must not replace them.
    _OWN = frozenset({"__new__", "__init__", "__slots__", "__getnewargs__", "_fields",
                      "_field_defaults", "_make", "_replace", "_asdict"})
    # Made by the class statement, and set on the namedtuple in its own way.
    _MADE = frozenset({"__module__", "__qualname__", "__annotations__", "__classcell__"})

    class _Records(type):
        def __new__(cls, name, bases, body):
            if bases != (NamedTuple,):
                raise TypeError(f"{name}: a record derives from NamedTuple alone")
            annotations = body.get("__annotations__", {})
            fields = list(annotations)
            with_default = [field for field in fields if field in body]
            if with_default != fields[len(fields) - len(with_default):]:
                raise TypeError(f"{name}: the fields with defaults must come last")
            made = _record(name, fields, [body[field] for field in with_default],
                           body["__module__"], body.get("__qualname__", name))
            made.__annotations__ = dict(annotations)
            for key, value in body.items():
                if key in _OWN:
                    raise AttributeError(f"{name}: cannot overwrite the record's {key}")
                if key not in _MADE and key not in annotations:
                    setattr(made, key, value)
                    set_name = getattr(type(value), "__set_name__", None)
                    if set_name is not None:
                        set_name(value, made, key)
            if "__classcell__" in body:  # a method that calls super() or names __class__
                body["__classcell__"].cell_contents = made
            return made

    NamedTuple = type.__new__(_Records, "NamedTuple", (), {"__module__": __name__})
