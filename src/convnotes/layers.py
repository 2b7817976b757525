"""One layer syntax for the CLI, the calculator and the Python API.

Three spellings of one layer, all read by [`parse_layer`][convnotes.layers.parse_layer]
(and, word for word, by `parseLayer` in `docs/javascripts/shapes.js`) into a
[`Layer`][convnotes.design.Layer]:

* short, as on the command line: `[NAME=]KIND:SETTINGS` with settings run together,
  `conv:k3s2p1`, `enc1=transpose:k4s2p1op1`, `maxpool:k2`, `avgpool:k3s2p1ceil`,
  `upsample:x2`, `upsample:size33`;
* key=value, as in the calculator: `conv k=3 s=2 p=1`, `convT k=4 s=2 p=1 a=1`,
  `maxpool k=2`, `avgpool k=3 s=2 p=1 ceil`, `upsample x=2`;
* a PyTorch call as people paste it, from code or from `print(model)`:
  `nn.Conv2d(3, 16, 3, stride=2, padding=1)`,
  `(up1): ConvTranspose2d(64, 32, kernel_size=(4, 4), stride=(2, 2), padding=(1, 1))`,
  `self.pool = nn.MaxPool2d(2)`, `AvgPool2d(3, 2, 1, ceil_mode=True)`,
  `Upsample(scale_factor=2.0, mode='nearest')`. Positional and keyword arguments follow
  the PyTorch signatures ([`SIGNATURES`][convnotes.layers.SIGNATURES]); channels are kept,
  never invented.

Layers that keep the size (`ReLU`, `BatchNorm2d`, `Dropout`, ...:
[`KEEPS_SIZE`][convnotes.layers.KEEPS_SIZE]) parse to `None`;
[`parse_layers`][convnotes.layers.parse_layers] skips them, and container lines
(`Sequential(`, `)`). A tuple whose values are all equal becomes one int (`(3, 3)` -> `3`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .design import Layer
from .errors import ConvArgumentError

__all__ = ["KEEPS_SIZE", "SIGNATURES", "parse_layer", "parse_layers"]

SIGNATURES = {
    "Conv": (
        "in_channels", "out_channels", "kernel_size", "stride", "padding", "dilation",
        "groups", "bias", "padding_mode", "device", "dtype",
    ),
    "ConvTranspose": (
        "in_channels", "out_channels", "kernel_size", "stride", "padding", "output_padding",
        "groups", "bias", "dilation", "padding_mode", "device", "dtype",
    ),
    "MaxPool": ("kernel_size", "stride", "padding", "dilation", "return_indices", "ceil_mode"),
    "AvgPool": (
        "kernel_size", "stride", "padding", "ceil_mode", "count_include_pad", "divisor_override",
    ),
    "Upsample": ("size", "scale_factor", "mode", "align_corners", "recompute_scale_factor"),
}  # fmt: skip
"""The positional order of each PyTorch class's arguments, by family (`Conv` for
`Conv1d/2d/3d`, ...); the chain keeps the sizes and channels and ignores the rest."""

KEEPS_SIZE = frozenset(
    {
        "ReLU",
        "ReLU6",
        "LeakyReLU",
        "PReLU",
        "ELU",
        "SELU",
        "CELU",
        "GELU",
        "SiLU",
        "Mish",
        "Sigmoid",
        "Tanh",
        "Hardtanh",
        "Hardswish",
        "Hardsigmoid",
        "Softplus",
        "Softmax",
        "Identity",
        "Dropout",
        "Dropout1d",
        "Dropout2d",
        "Dropout3d",
        "AlphaDropout",
        "BatchNorm1d",
        "BatchNorm2d",
        "BatchNorm3d",
        "InstanceNorm1d",
        "InstanceNorm2d",
        "InstanceNorm3d",
        "GroupNorm",
        "LayerNorm",
        "LocalResponseNorm",
    }
)
"""Class names of layers that never change the spatial size: a chain skips them."""

_KINDS = {
    "conv": "conv",
    "transpose": "transpose",
    "convt": "transpose",
    "deconv": "transpose",
    "up": "transpose",
    "maxpool": "maxpool",
    "avgpool": "avgpool",
    "upsample": "upsample",
}
_KIND_HELP = "conv, transpose (convT), maxpool, avgpool or upsample"
_SHORT_KEYS = {
    "k": "kernel_size",
    "s": "stride",
    "p": "padding",
    "d": "dilation",
    "op": "output_padding",
    "a": "output_padding",
    "x": "scale_factor",
    "scale": "scale_factor",
    "size": "size",
}
_TOKEN = re.compile(
    r"\s*(?:(?P<float>\d+\.\d*(?:[eE][-+]?\d+)?|\d+[eE][-+]?\d+|\.\d+)|(?P<int>\d+)"
    r"|(?P<name>[A-Za-z_][\w.]*)|(?P<str>'[^']*'|\"[^\"]*\")|(?P<punct>[-(),=\[\]]))"
)
_MAX_INT = 2**53 - 1  # the JS mirror's exact range: both parsers refuse bigger literals


@dataclass(frozen=True)
class _Token:
    kind: str  # int, float, name, str, punct
    text: str


def _error(text: str, why: str) -> ConvArgumentError:
    return ConvArgumentError(f"layer {text!r}: {why}")


def _tokens(text: str, body: str) -> list[_Token]:
    tokens, position = [], 0
    while position < len(body):
        match = _TOKEN.match(body, position)
        if not match or match.end() == position:
            if body[position:].strip() == "":
                break
            raise _error(text, f"cannot read {body[position:].strip()!r}")
        kind = match.lastgroup
        assert kind is not None  # every alternative of _TOKEN is a named group
        tokens.append(_Token(kind, match.group(kind)))
        position = match.end()
    return tokens


class _Reader:
    """A cursor over the tokens of one PyTorch call's arguments."""

    def __init__(self, text: str, tokens: list[_Token]) -> None:
        self.text, self.tokens, self.at = text, tokens, 0

    def peek(self) -> _Token | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def take(self, expected: str | None = None) -> _Token:
        token = self.peek()
        if token is None or (expected is not None and token.text != expected):
            seen = "the end" if token is None else repr(token.text)
            raise _error(self.text, f"expected {expected or 'a value'!r}, found {seen}")
        self.at += 1
        return token

    def value(self):
        """int | float | str | bool | None | tuple of values (lists read as tuples)."""
        token = self.take()
        if token.text in ("(", "["):
            close = ")" if token.text == "(" else "]"
            items = []
            while (following := self.peek()) is not None and following.text != close:
                items.append(self.value())
                if (following := self.peek()) is not None and following.text == ",":
                    self.take(",")
            self.take(close)
            return tuple(items)
        if token.text == "-":
            number = self.take()
            if number.kind not in ("int", "float"):
                raise _error(self.text, f"cannot read '-{number.text}'")
            return -self._number(number)
        if token.kind in ("int", "float"):
            return self._number(token)
        if token.kind == "str":
            return token.text[1:-1]
        if token.kind == "name" and token.text in ("True", "False", "None"):
            return {"True": True, "False": False, "None": None}[token.text]
        if token.kind == "name" and token.text.startswith("torch."):
            return token.text  # torch.float32, a device: read, then ignored
        raise _error(self.text, f"cannot read {token.text!r}")

    def _number(self, token: _Token):
        if token.kind == "float":
            return float(token.text)
        value = int(token.text)
        if value > _MAX_INT:
            raise _error(self.text, f"{token.text} is too large (at most 2^53 - 1)")
        return value


def _collapse(value):
    """(3, 3) -> 3: one int where every dimension agrees."""
    if isinstance(value, tuple) and value and all(v == value[0] for v in value):
        return value[0]
    return value


def _check_size_arg(text: str, cls: str, ndim: int | None, name: str, value, allow=()):
    if value in allow:
        return value
    values = value if isinstance(value, tuple) else (value,)
    if not values or any(isinstance(v, bool) or not isinstance(v, int) for v in values):
        raise _error(text, f"{name}={_show_value(value)}: must be an integer or a tuple of them")
    if isinstance(value, tuple) and ndim is not None and len(value) not in (1, ndim):
        raise _error(text, f"{name}={_show_value(value)}: {cls} takes one value or {ndim}")
    return _collapse(value)


def _show_value(value) -> str:
    if isinstance(value, tuple):
        inner = ", ".join(_show_value(v) for v in value)
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    if isinstance(value, str):
        return repr(value)
    return str(value)


_CALL = re.compile(
    r"^\s*(?:\((?P<paren>\w+)\)\s*:\s*|(?:self\.)?(?P<assign>\w+)\s*=\s*(?=[\w.]+\s*\())?"
    r"(?P<cls>[A-Za-z_][\w.]*)\s*\((?P<args>.*)\)\s*,?\s*$"
)
_CLASS = re.compile(r"^(ConvTranspose|Conv|MaxPool|AvgPool)([123])d$")


def _parse_call(text: str, match: re.Match) -> Layer | None:
    name = match.group("paren") or match.group("assign")
    cls = match.group("cls").split(".")[-1]
    if cls in KEEPS_SIZE:
        return None
    family_match = _CLASS.match(cls)
    ndim: int | None
    if family_match:
        family, ndim = family_match.group(1), int(family_match.group(2))
    elif cls in ("Upsample", "UpsamplingNearest2d", "UpsamplingBilinear2d"):
        family, ndim = "Upsample", (2 if cls.endswith("2d") else None)
    else:
        raise _error(
            text,
            f"{cls} is not a layer the chain reads; it reads Conv1d/2d/3d, "
            "ConvTranspose1d/2d/3d, MaxPool1d/2d/3d, AvgPool1d/2d/3d and Upsample "
            "(layers that keep the size, such as ReLU or BatchNorm2d, are skipped)",
        )
    signature = SIGNATURES[family][:2] if cls.startswith("Upsampling") else SIGNATURES[family]
    reader = _Reader(text, _tokens(text, match.group("args")))
    given: dict[str, object] = {}
    keyword_seen = False
    while (first := reader.peek()) is not None:
        after = reader.tokens[reader.at + 1] if reader.at + 1 < len(reader.tokens) else None
        if first.kind == "name" and after is not None and after.text == "=":
            key = reader.take().text
            reader.take("=")
            if key not in signature:
                raise _error(text, f"{cls} has no argument {key!r}")
            keyword_seen = True
        else:
            if keyword_seen:
                raise _error(text, "a positional argument follows a keyword argument")
            if len(given) >= len(signature):
                raise _error(text, f"{cls} takes at most {len(signature)} arguments")
            key = signature[len(given)]
        if key in given:
            raise _error(text, f"{cls} got two values for {key!r}")
        given[key] = reader.value()
        if reader.peek() is not None:
            reader.take(",")
    return _layer_from_call(text, cls, family, ndim, name, given)


def _layer_from_call(text, cls, family, ndim, name, given) -> Layer:
    def need(key):
        if key not in given:
            raise _error(text, f"{cls} needs {key}")
        return given[key]

    if family == "Upsample":
        size, scale = given.get("size"), given.get("scale_factor")
        if (size is None) == (scale is None):
            raise _error(text, f"{cls} needs exactly one of size and scale_factor")
        if size is not None:
            size = _check_size_arg(text, cls, ndim, "size", size)
        else:
            values = scale if isinstance(scale, tuple) else (scale,)
            if any(isinstance(v, bool) or not isinstance(v, int | float) or v <= 0 for v in values):
                raise _error(text, f"scale_factor={_show_value(scale)}: must be a positive number")
            scale = _collapse(scale)
        return Layer("upsample", None, size=size, scale_factor=scale, ndim=ndim, name=name)
    fields: dict[str, object] = {"ndim": ndim, "name": name}
    fields["kernel_size"] = _check_size_arg(text, cls, ndim, "kernel_size", need("kernel_size"))
    stride = given.get("stride")
    if family in ("MaxPool", "AvgPool") and stride in (None, ()):
        stride = fields["kernel_size"]
    fields["stride"] = _check_size_arg(text, cls, ndim, "stride", 1 if stride is None else stride)
    allow = ("same", "valid") if family == "Conv" else ()
    fields["padding"] = _check_size_arg(text, cls, ndim, "padding", given.get("padding", 0), allow)
    fields["dilation"] = _check_size_arg(text, cls, ndim, "dilation", given.get("dilation", 1))
    if family == "ConvTranspose":
        fields["output_padding"] = _check_size_arg(
            text, cls, ndim, "output_padding", given.get("output_padding", 0)
        )
    if family in ("Conv", "ConvTranspose"):
        for key in ("in_channels", "out_channels"):
            fields[key] = _check_size_arg(text, cls, None, key, need(key))
            if isinstance(fields[key], tuple):
                raise _error(text, f"{key}={_show_value(fields[key])}: must be an integer")
        kind = "conv" if family == "Conv" else "transpose"
    else:
        ceil = given.get("ceil_mode", False)
        if not isinstance(ceil, bool):
            raise _error(text, f"ceil_mode={_show_value(ceil)}: must be True or False")
        fields["ceil_mode"] = ceil
        kind = family.lower()
    # Each value was checked above; a dict[str, object] cannot tell mypy which is which.
    return Layer(kind, **fields)  # type: ignore[arg-type]


_VALUES = r"same|valid|\d+(?:\.\d+)?(?:,\d+(?:\.\d+)?)*"
_SHORT = re.compile(rf"(op|size|scale|ceil|k|s|p|d|a|x)({_VALUES})?")


def _short_value(text: str, key: str, raw: str):
    parts = raw.split(",")
    if key == "scale_factor":
        values = tuple(float(v) if "." in v else int(v) for v in parts)
    else:
        if any("." in v for v in parts):
            raise _error(text, f"{key}={raw}: must be an integer or a comma list of them")
        values = tuple(int(v) for v in parts)
    return _collapse(values) if len(values) > 1 else values[0]


def _parse_short(text: str, kind: str, name: str | None, pairs: list[tuple[str, str | None]]):
    fields: dict[str, object] = {"name": name or None}
    for key, raw in pairs:
        if key == "ceil":
            if kind not in ("maxpool", "avgpool") or raw is not None:
                raise _error(text, "ceil (ceil_mode=True) is a setting of maxpool and avgpool only")
            fields["ceil_mode"] = True
            continue
        field = _SHORT_KEYS[key]
        if raw is None:
            raise _error(text, f"{key} needs a value, e.g. {key}2")
        if raw in ("same", "valid") and (field != "padding" or kind != "conv"):
            raise _error(text, f"{key}{raw}: only a conv takes padding same or valid")
        allowed = {
            "conv": ("kernel_size", "stride", "padding", "dilation"),
            "transpose": ("kernel_size", "stride", "padding", "dilation", "output_padding"),
            "maxpool": ("kernel_size", "stride", "padding", "dilation"),
            "avgpool": ("kernel_size", "stride", "padding"),
            "upsample": ("scale_factor", "size"),
        }[kind]
        if field not in allowed:
            raise _error(text, f"{kind} has no setting {key}")
        if field in fields:
            raise _error(text, f"{key} is given twice")
        fields[field] = raw if raw in ("same", "valid") else _short_value(text, field, raw)
    if kind == "upsample":
        if ("size" in fields) == ("scale_factor" in fields):
            raise _error(text, "upsample needs exactly one of x<scale> and size<n>, e.g. x2")
        # Each value was checked while reading; a dict[str, object] cannot tell mypy which.
        return Layer("upsample", None, **fields)  # type: ignore[arg-type]
    if "kernel_size" not in fields:
        raise _error(text, "kernel_size is required (k<kernel>, e.g. k3)")
    if kind in ("maxpool", "avgpool") and "stride" not in fields:
        fields["stride"] = fields["kernel_size"]
    return Layer(kind, **fields)  # type: ignore[arg-type]  # as for the upsample above


def _short_pairs(text: str, settings: str) -> list[tuple[str, str | None]]:
    """`k3s2p1` -> [("k", "3"), ("s", "2"), ("p", "1")]."""
    pairs, position = [], 0
    while position < len(settings):
        match = _SHORT.match(settings, position)
        if not match:
            raise _error(
                text,
                f"cannot read {settings[position:]!r}; settings are k<kernel> s<stride> "
                "p<padding> d<dilation> op<output_padding> (transpose), ceil (pools), "
                "x<scale> or size<n> (upsample), e.g. k3s2p1",
            )
        pairs.append((match.group(1), match.group(2)))
        position = match.end()
    return pairs


def parse_layer(text: str) -> Layer | None:
    """One layer from any of the three spellings (see the module docstring).

    Args:
        text: One layer: `conv:k3s2p1`, `conv k=3 s=2 p=1` or a PyTorch call such as
            `nn.Conv2d(3, 16, 3, stride=2, padding=1)`, optionally named
            (`enc1=conv:k3s2p1`, `(enc1): Conv2d(...)`, `self.enc1 = nn.Conv2d(...)`).

    Returns:
        The [`Layer`][convnotes.design.Layer]; `None` for a layer that keeps the size
            (`ReLU()`, see [`KEEPS_SIZE`][convnotes.layers.KEEPS_SIZE]).

    Raises:
        ConvArgumentError: text none of the spellings reads (an unknown kind or class, a
            setting the kind does not take, a missing or repeated value, a non-integer
            size, an unclosed call); the message quotes the text and names the problem.

    Examples:
        >>> parse_layer("nn.Conv2d(3, 16, 3, stride=2, padding=1)").pytorch()
        'nn.Conv2d(3, 16, kernel_size=3, stride=2, padding=1)'
        >>> parse_layer("enc1=conv:k3s2p1") == parse_layer("enc1=conv k=3 s=2 p=1")
        True
        >>> parse_layer("ReLU(inplace=True)") is None
        True
    """
    call = _CALL.match(text)
    if call:
        return _parse_call(text, call)
    if "(" in text:
        raise _error(text, "cannot read this PyTorch call: is its closing ')' missing?")
    stripped = text.strip()
    head, _, rest = stripped.partition(" ")
    name, _, kind_text = head.rpartition("=")
    kind_text, colon, settings = kind_text.partition(":")
    kind = _KINDS.get(kind_text.lower())
    if kind is None:
        raise _error(
            text,
            f"expected KIND:SETTINGS, KIND k=.. s=.. or a PyTorch layer; KIND is {_KIND_HELP}, "
            "e.g. conv:k3s2p1, convT k=4 s=2 p=1 or nn.Conv2d(3, 16, 3, stride=2, padding=1)",
        )
    if colon:
        if rest.strip():
            raise _error(text, f"cannot read {rest.strip()!r} after the settings")
        return _parse_short(text, kind, name, _short_pairs(text, settings))
    pairs: list[tuple[str, str | None]] = []
    for token in rest.split():
        key, equals, value = token.partition("=")
        if key == "ceil" and not equals:
            pairs.append(("ceil", None))
        elif key in _SHORT_KEYS and equals and re.fullmatch(_VALUES, value):
            pairs.append((key, value))
        else:
            raise _error(text, f"cannot read {token!r}; write key=value, e.g. k=3 s=2 p=1")
    return _parse_short(text, kind, name, pairs)


def parse_layers(text: str) -> list[tuple[int, str, Layer]]:
    """Every layer of a pasted block, one a line, read by
    [`parse_layer`][convnotes.layers.parse_layer].

    Blank lines, `#` comments, container lines (`Sequential(`, `)`) and layers that
    keep the size are skipped, so `print(model)` can be pasted as it is.

    Args:
        text: The block, one layer a line.

    Returns:
        `(line number, stripped line, layer)` for each layer that changes the size, in order.

    Raises:
        ConvArgumentError: the first line that does not parse, its number in the message.

    Examples:
        >>> block = '''Sequential(
        ...   (0): Conv2d(3, 16, kernel_size=(3, 3), stride=(2, 2), padding=(1, 1))
        ...   (1): ReLU()
        ...   (2): ConvTranspose2d(16, 3, kernel_size=(4, 4), stride=(2, 2), padding=(1, 1))
        ... )'''
        >>> [(number, layer.describe()) for number, _, layer in parse_layers(block)]
        [(2, '0: conv k=3 s=2 p=1'), (4, '2: transpose k=4 s=2 p=1 op=0')]
    """
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#") or re.fullmatch(r"\)?,?", stripped):
            continue
        if stripped.endswith("("):
            continue
        try:
            layer = parse_layer(stripped)
        except ConvArgumentError as error:
            raise ConvArgumentError(f"line {number}: {error}") from None
        if layer is not None:
            found.append((number, stripped, layer))
    return found
