"""Limits on what a JSON body may be, checked before any view reads it.

Python's JSON parser recurses once per nesting level, so a body nested 100,000 deep raised
RecursionError (a 500); no request of the API nests more than a few levels. And JSON may spell a
lone UTF-16 surrogate (`"\\ud800"`), which is not text: no database can store it, and it failed
deep inside the driver. Both are refused here, for every view that reads JSON.
"""

import json

from flask import Flask, request
from webargs.flaskparser import abort

MAX_JSON_DEPTH = 32


def register_request_limits(app: Flask) -> None:
    app.before_request(check_json_body)


def check_json_body() -> None:
    if not request.is_json:
        return
    body = request.get_data(cache=True)
    if not body:
        return
    try:
        document = json.loads(body)
    except RecursionError:
        abort(400, message=f"The JSON body nests deeper than {MAX_JSON_DEPTH} levels.")
    except ValueError:
        return  # malformed JSON: the view's parser answers 400 in its own words
    depth_exceeded, field = first_problem(document)
    if depth_exceeded:
        abort(400, message=f"The JSON body nests deeper than {MAX_JSON_DEPTH} levels.")
    if field is not None:
        message = "contains a lone surrogate (a \\ud800-\\udfff escape without its pair): not text"
        abort(422, message=f"{field}: {message}", errors={field: [message]})


def first_problem(document) -> tuple[bool, str | None]:
    """(too deep, the path of the first string with a lone surrogate), walking without recursion."""
    stack: list[tuple[object, tuple, int]] = [(document, (), 1)]
    while stack:
        value, path, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            return True, None
        if isinstance(value, dict):
            for key, item in value.items():
                if not is_text(key):
                    return False, ".".join(map(str, (*path, "<key>")))
                stack.append((item, (*path, key), depth + 1))
        elif isinstance(value, list):
            stack.extend((item, (*path, index), depth + 1) for index, item in enumerate(value))
        elif isinstance(value, str) and not is_text(value):
            return False, ".".join(map(str, path)) or "_body"
    return False, None


def is_text(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
