"""Routes declare their query parameters here; the declaration is read before the view runs."""

from __future__ import annotations

import functools
from typing import Callable
from urllib.parse import urlencode

from flask import abort, redirect, request, url_for

from ..publish.catalogue import Catalogue
from ..query.declare import Declaration, Values
from ..schedule.model import Show


class RequestValues:
    """The request's parameters as its route declares them (query.declare.Values), read when
    the view first asks: a view looks up what its path names first, so an unknown show is a
    404 whatever its parameters say."""

    def __init__(self, declaration: Declaration):
        self.declaration = declaration
        self._values: Values | None = None

    def read(self) -> Values:
        if self._values is None:
            self._values = self.declaration.read(request.args.lists())
        return self._values

    def __contains__(self, name: str) -> bool:
        return name in self.read()

    def get(self, name: str, default: str | None = None) -> str | None:
        return self.read().get(name, default)

    def all(self, name: str) -> tuple[str, ...]:
        return self.read().all(name)


def takes(*names: str, page: bool = False, declaration: Declaration | None = None):
    """Declare the parameters a route takes: the view gets them as `args` (RequestValues).

    `page=True` for HTML pages (empty values and tracking parameters ignored). The declaration
    is kept on the view as `.declaration`, where openapi.py and the tests read it. Parameters
    the view never asked for are still read, after it: nothing undeclared is ever accepted.
    """
    declared = declaration or Declaration(tuple(names), page=page)

    def decorate(view: Callable) -> Callable:
        @functools.wraps(view)
        def view_with_parameters(*args, **kwargs):
            given = RequestValues(declared)
            response = view(*args, args=given, **kwargs)
            given.read()
            return response
        view_with_parameters.declaration = declared
        return view_with_parameters
    return decorate


def declaration_of(view: Callable) -> Declaration | None:
    return getattr(view, "declaration", None)


def moved_to(url: str):
    """Answer a permanent redirect (301) to the canonical URL, keeping the query string."""
    query = request.query_string.decode("latin-1")
    abort(redirect(url + (f"?{query}" if query else ""), code=301))


def todays_show(catalogue: Catalogue, show_id: str) -> Show:
    """The show a path names (`show_id`, the route's argument). Named by another case, an old
    id or its stable key, it is a 301 to the same route with today's id and the query string
    kept (Catalogue.current_id), so each page, feed and document has one address; an id that
    leads nowhere is a 404 naming the shows there are."""
    found = catalogue.current_id(show_id)
    if found is not None and found != show_id:
        moved_to(url_for(request.endpoint, **{**request.view_args, "show_id": found}))
    return catalogue.show(show_id)


def moved_values(url: str, name: str, values: list[str]):
    """Answer a 301 to `url` with the same query string but `name`'s values replaced, in place
    and in order (a show id given as an old id or the stable key, now today's id)."""
    replaced = iter(values)
    query = [(key, next(replaced) if key == name else value)
             for key, value in request.args.items(multi=True)]
    abort(redirect(f"{url}?{urlencode(query)}", code=301))


__all__ = ["RequestValues", "Values", "declaration_of", "moved_to", "moved_values", "takes",
           "todays_show"]
