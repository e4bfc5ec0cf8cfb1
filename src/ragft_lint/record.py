"""``NamedTuple`` for our record types, made at run time without ``typing``'s checks.

Type checkers see ``typing.NamedTuple`` itself. At run time, ``typing.NamedTuple`` checks each
field's annotation as it makes the class, and under ``from __future__ import annotations``
every annotation is a string that it compiles: about 0.3 ms a class, and a plain check makes
some thirty before it reads a line of the declaration. The class made here is the same
``collections.namedtuple`` with the class body's defaults, methods and docstring, in about a
third of the time; the annotations are kept as written, unchecked (the type checker checks
them).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import NamedTuple as NamedTuple
else:
    import collections

    # What a namedtuple defines for itself; a class body must not replace them.
    _OWN = frozenset({"__new__", "__init__", "__slots__", "__getnewargs__", "_fields",
                      "_field_defaults", "_make", "_replace", "_asdict"})
    # Made by the class statement, and set on the namedtuple in its own way.
    _MADE = frozenset({"__module__", "__annotations__", "__classcell__"})

    class _Records(type):
        def __new__(cls, name, bases, body):
            if bases != (NamedTuple,):
                raise TypeError(f"{name}: a record derives from NamedTuple alone")
            annotations = body.get("__annotations__", {})
            fields = list(annotations)
            with_default = [field for field in fields if field in body]
            if with_default != fields[len(fields) - len(with_default):]:
                raise TypeError(f"{name}: the fields with defaults must come last")
            made = collections.namedtuple(name, fields, module=body["__module__"],
                                          defaults=[body[field] for field in with_default])
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
