"""The list of generated assets: which generator makes each one, with which parameters.

Pure data, no heavy imports: the build checks the cache from this list alone and imports
a generator module only when its asset must be rebuilt.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

FIGURES = "convnotes.figures"


@dataclass(frozen=True)
class Asset:
    """One build step: `module.function(**params)` returns `{relative path: bytes}`.

    `depends` names the package modules whose source code the output depends on beyond
    the generator's own module; their source enters the cache key.
    """

    name: str
    module: str
    function: str
    params: Mapping[str, Any] = field(default_factory=dict)
    depends: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "params", MappingProxyType(dict(self.params)))


@dataclass(frozen=True)
class AnimationCase:
    """One case of the convolution-arithmetic guide (or a transposed counterpart).

    Sizes are of the layer's own input: for a transposed case `input_size` is the
    transposed conv's input (the forward conv's output).
    """

    name: str
    input_size: int
    kernel_size: int
    stride: int = 1
    padding: int = 0
    dilation: int = 1
    output_padding: int = 0
    transposed: bool = False

    def params(self) -> dict[str, Any]:
        return {
            "input_size": self.input_size,
            "kernel_size": self.kernel_size,
            "stride": self.stride,
            "padding": self.padding,
            "dilation": self.dilation,
            "output_padding": self.output_padding,
            "transposed": self.transposed,
        }


# The cases of Dumoulin & Visin, "A guide to convolution arithmetic for deep learning",
# with the same numbers; the transposed ones map the conv's output size back to its input.
CONV_CASES = (
    AnimationCase("conv-no-padding", 4, 3),
    AnimationCase("conv-padding", 5, 4, padding=2),
    AnimationCase("conv-half-padding", 5, 3, padding=1),
    AnimationCase("conv-full-padding", 5, 3, padding=2),
    AnimationCase("conv-strides", 5, 3, stride=2),
    AnimationCase("conv-strides-padding", 5, 3, stride=2, padding=1),
    AnimationCase("conv-strides-odd", 6, 3, stride=2, padding=1),
    AnimationCase("conv-dilation", 7, 3, dilation=2),
)
TRANSPOSED_CASES = (
    AnimationCase("transposed-no-padding", 2, 3, transposed=True),
    AnimationCase("transposed-padding", 6, 4, padding=2, transposed=True),
    AnimationCase("transposed-half-padding", 5, 3, padding=1, transposed=True),
    AnimationCase("transposed-full-padding", 7, 3, padding=2, transposed=True),
    AnimationCase("transposed-strides", 2, 3, stride=2, transposed=True),
    AnimationCase("transposed-strides-padding", 3, 3, stride=2, padding=1, transposed=True),
    AnimationCase(
        "transposed-strides-odd", 3, 3, stride=2, padding=1, output_padding=1, transposed=True
    ),
    AnimationCase("transposed-dilation", 3, 3, dilation=2, transposed=True),
    AnimationCase("transposed-output-padding", 2, 3, stride=2, output_padding=1, transposed=True),
)
TRANSPOSED_VIEWS = ("scatter", "direct")

SHAPES = "convnotes.shapes"
FUNCTIONAL = "convnotes.functional"
MATRIX = "convnotes.matrix"
NN = "convnotes.nn"
CONV_DEPS = (SHAPES, FUNCTIONAL)


def _figure(asset_name: str, module: str, function: str, depends=CONV_DEPS, **params) -> Asset:
    return Asset(asset_name, f"{FIGURES}.{module}", function, params, depends)


def _animation_assets() -> list[Asset]:
    assets = []
    for case in CONV_CASES:
        assets.append(
            _figure(
                f"anim/{case.name}",
                "animation",
                "build_animation",
                name=case.name,
                **case.params(),
            )
        )
    for case in TRANSPOSED_CASES:
        for view in TRANSPOSED_VIEWS:
            assets.append(
                _figure(
                    f"anim/{case.name}-{view}",
                    "animation",
                    "build_animation",
                    view=view,
                    name=f"{case.name}-{view}",
                    **case.params(),
                )
            )
    return assets


def all_assets() -> list[Asset]:
    """Every asset of the site, in build order (cheap ones first)."""
    matrix_deps = (SHAPES, MATRIX, FUNCTIONAL)
    assets = [
        _figure("tables/conv-sizes", "tables", "build_conv_sizes", depends=(SHAPES,)),
        _figure("tables/transpose-sizes", "tables", "build_transpose_sizes", depends=(SHAPES,)),
        _figure("tables/double-halve", "tables", "build_double_halve", depends=(SHAPES,)),
        _figure(
            "tables/transposed-arithmetic",
            "transposed_tables",
            "build_transposed_arithmetic",
            depends=(SHAPES, f"{FIGURES}.registry"),
        ),
        _figure(
            "conv-matrix-4x4-k3",
            "matrix",
            "build_conv_matrix",
            depends=matrix_deps,
            input_size=4,
            kernel_size=3,
            stride=1,
            padding=0,
            tables=True,
        ),
        _figure(
            "conv-matrix-stride2",
            "matrix",
            "build_conv_matrix",
            depends=matrix_deps,
            input_size=5,
            kernel_size=3,
            stride=2,
            padding=0,
            tables=False,
        ),
        _figure(
            "conv-matrix-padded",
            "matrix",
            "build_conv_matrix",
            depends=matrix_deps,
            input_size=3,
            kernel_size=3,
            stride=1,
            padding=1,
            tables=False,
        ),
        _figure("multichannel", "multichannel", "build_multichannel"),
        _figure(
            "groups-depthwise", "multichannel", "build_groups", depends=(*CONV_DEPS, MATRIX, NN)
        ),
        _figure("checkerboard-1d", "checkerboard", "build_overlap_1d"),
        _figure("checkerboard-2d", "checkerboard", "build_overlap_2d"),
        _figure("tables/checkerboard-overlap", "checkerboard", "build_overlap_table"),
        _figure("resize-conv", "checkerboard", "build_resize_conv"),
        _figure("checkerboard-gradient", "checkerboard", "build_gradient"),
        _figure("checkerboard-stacked", "checkerboard", "build_stacked"),
        _figure("bilinear-transposed", "checkerboard", "build_bilinear"),
        _figure("subpixel-icnr", "checkerboard", "build_subpixel"),
        _figure("photo-random-conv", "photo", "build_random_conv", depends=(*CONV_DEPS, NN)),
        _figure("photo-kernels", "photo", "build_kernels"),
        _figure("photo-transposed", "photo", "build_transposed", depends=(*CONV_DEPS, NN)),
        *_animation_assets(),
        _figure(
            "learned-kernels",
            "learned",
            "build_learned_kernels",
            depends=(),
            patch_size=11,
            n_kernels=64,
            n_patches=10_000,
            downsample=3,
        ),
        _speed_asset(),
    ]
    return assets


def _speed_asset() -> Asset:
    """Speed page figures/tables from the newest benchmark JSON (its hash is in the key)."""
    from .benchmark import results_fingerprint  # stdlib only: keeps the registry cheap

    return _figure(
        "speed", "benchmark", "build_speed", depends=(), results_digest=results_fingerprint()
    )
