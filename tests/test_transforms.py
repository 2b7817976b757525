"""PyTorch's program transforms on models built from ``convnotes.nn``, against the same
model built from ``torch.nn`` with the same weights.

Each layer is one call of the operator ``convnotes::conv`` or ``convnotes::conv_transpose``,
so scripting, tracing, FX, ``torch.export`` and ``torch.compile(fullgraph=True)`` see one
node per layer; ``torch.func`` transforms (vmap over inputs and over stacked weights, grad,
jvp, jacobians, hessians) and autocast give torch's results.
"""

from __future__ import annotations

import io

import pytest
import torch
from torch import nn
from torch.func import functional_call, grad, jacfwd, jacrev, jvp, stack_module_state, vmap

import convnotes.nn as cnn

pytestmark = pytest.mark.filterwarnings("ignore")
OPS = {torch.ops.convnotes.conv.default, torch.ops.convnotes.conv_transpose.default}


def model(lib, seed: int = 0, dtype=torch.float32) -> nn.Module:
    """A small net with every kind of layer: grouped, strided, 'same' with reflect padding,
    transposed, 1d after a reshape."""
    torch.manual_seed(seed)
    return nn.Sequential(
        lib.Conv2d(3, 8, 3, padding=1),
        nn.ReLU(),
        lib.Conv2d(8, 8, 3, stride=2, padding=1, groups=2),
        lib.ConvTranspose2d(8, 4, 4, stride=2, padding=1),
        lib.Conv2d(4, 4, 3, padding="same", padding_mode="reflect", bias=False),
        nn.Flatten(2),
        lib.Conv1d(4, 2, 5, dilation=2),
    ).to(dtype)


@pytest.fixture(scope="module")
def pair():
    ours, theirs = model(cnn), model(nn)
    theirs.load_state_dict(ours.state_dict())
    return ours, theirs


X = torch.randn(2, 3, 10, 10, generator=torch.Generator().manual_seed(1))


def close(a, b, tol=1e-5):
    torch.testing.assert_close(a, b, rtol=tol, atol=tol)


def test_script_and_its_saved_copy(pair):
    ours, theirs = pair
    scripted = torch.jit.script(ours)
    close(scripted(X), theirs(X))
    buffer = io.BytesIO()
    torch.jit.save(scripted, buffer)
    buffer.seek(0)
    close(torch.jit.load(buffer)(X), theirs(X))


def test_scripted_transposed_conv_takes_output_size():
    layer = cnn.ConvTranspose2d(3, 2, 3, stride=2)
    reference = nn.ConvTranspose2d(3, 2, 3, stride=2)
    reference.load_state_dict(layer.state_dict())
    x = torch.randn(1, 3, 5, 5)
    close(torch.jit.script(layer)(x, [12, 12]), reference(x, [12, 12]))


def _layer_count(module: nn.Module) -> int:
    return sum(isinstance(m, nn.modules.conv._ConvNd) for m in module.modules())


def test_trace_records_one_operator_per_layer(pair):
    ours, theirs = pair
    traced = torch.jit.trace(ours, X)
    kinds = [node.kind() for node in traced.inlined_graph.nodes()]
    assert sum(kind.startswith("convnotes::") for kind in kinds) == _layer_count(ours)
    close(traced(X * 2), theirs(X * 2))


def test_fx_symbolic_trace(pair):
    ours, theirs = pair
    graph = torch.fx.symbolic_trace(ours)
    calls = [n for n in graph.graph.nodes if n.op == "call_function" and n.target in OPS]
    assert len(calls) == _layer_count(ours)
    close(graph(X), theirs(X))


def test_export_graph_as_small_as_torchs(pair):
    ours, theirs = pair
    exported, reference = torch.export.export(ours, (X,)), torch.export.export(theirs, (X,))
    assert len(exported.graph.nodes) <= len(reference.graph.nodes)
    close(exported.module()(X), theirs(X))


@pytest.mark.parametrize("backend", ["aot_eager", "inductor"])
def test_compile_fullgraph_forward_and_backward(pair, backend):
    ours, theirs = pair
    compiled = torch.compile(ours, fullgraph=True, backend=backend)
    x1, x2 = X.clone().requires_grad_(), X.clone().requires_grad_()
    out = compiled(x1)
    close(out, theirs(x2))
    out.square().sum().backward()
    theirs(x2).square().sum().backward()
    close(x1.grad, x2.grad, 1e-4)
    explanation = torch._dynamo.explain(ours)(X)
    assert explanation.graph_break_count == 0


def test_vmap_over_inputs(pair):
    ours, theirs = pair
    xs = torch.randn(3, *X.shape)
    close(vmap(ours)(xs), vmap(theirs)(xs))
    # Unbatched samples (C, H, W), and a transposed layer.
    ours_t, theirs_t = cnn.ConvTranspose2d(3, 2, 3, stride=2), nn.ConvTranspose2d(3, 2, 3, stride=2)
    theirs_t.load_state_dict(ours_t.state_dict())
    close(vmap(ours_t)(xs[:, 0]), theirs_t(xs[:, 0]))
    close(vmap(ours_t)(xs), vmap(theirs_t)(xs))


@pytest.mark.parametrize("inputs_too", [False, True])
def test_ensemble_of_stacked_weights(inputs_too):
    ours = [model(cnn, seed) for seed in range(3)]
    theirs = [model(nn, seed) for seed in range(3)]
    params, buffers = stack_module_state(ours)
    base = ours[0].to("meta")

    def call(p, b, x):
        return functional_call(base, (p, b), (x,))

    xs = torch.randn(3, *X.shape) if inputs_too else X
    got = vmap(call, in_dims=(0, 0, 0 if inputs_too else None))(params, buffers, xs)
    for k, reference in enumerate(theirs):
        close(got[k], reference(xs[k] if inputs_too else X))


def test_grad_per_sample_grads_and_grad_of_vmap(pair):
    ours, theirs = pair
    p_ours = {k: v.detach() for k, v in ours.named_parameters()}
    p_theirs = {k: v.detach() for k, v in theirs.named_parameters()}

    def loss(module):
        return lambda p, x: functional_call(module, p, (x.unsqueeze(0),)).square().sum()

    per_sample = vmap(grad(loss(ours)), in_dims=(None, 0))(p_ours, X)
    expected = vmap(grad(loss(theirs)), in_dims=(None, 0))(p_theirs, X)
    for name in per_sample:
        close(per_sample[name], expected[name], 1e-4)

    def batch_loss(module):
        def one(p, x):
            return functional_call(module, p, (x.unsqueeze(0),))

        return lambda p: vmap(one, in_dims=(None, 0))(p, X).square().sum()

    got, want = grad(batch_loss(ours))(p_ours), grad(batch_loss(theirs))(p_theirs)
    for name in got:
        close(got[name], want[name], 1e-4)


def test_jvp_over_inputs_and_weights(pair):
    ours, theirs = pair
    tangent = torch.randn_like(X)
    close(jvp(ours, (X,), (tangent,))[1], jvp(theirs, (X,), (tangent,))[1])
    params = {k: v.detach() for k, v in ours.named_parameters()}
    tangents = {k: torch.randn_like(v) for k, v in params.items()}

    def of(module):
        return lambda p: functional_call(module, p, (X,))

    close(jvp(of(ours), (params,), (tangents,))[1], jvp(of(theirs), (params,), (tangents,))[1])
    import torch.autograd.forward_ad as fwad

    with fwad.dual_level():
        dual = fwad.make_dual(X, tangent)
        got = fwad.unpack_dual(ours(dual)).tangent
        want = fwad.unpack_dual(theirs(dual)).tangent
    close(got, want)


def test_jacobians_hessian_and_double_backward():
    ours, theirs = model(cnn, dtype=torch.float64), model(nn, dtype=torch.float64)
    theirs.load_state_dict(ours.state_dict())
    x = torch.randn(1, 3, 6, 6, dtype=torch.float64)
    close(jacrev(ours)(x), jacrev(theirs)(x), 1e-10)
    close(jacfwd(ours)(x), jacfwd(theirs)(x), 1e-10)

    def energy(module):
        return lambda x: module(x).square().sum()

    small = x[..., :5, :5]
    close(torch.func.hessian(energy(ours))(small), torch.func.hessian(energy(theirs))(small), 1e-9)
    xr = x.clone().requires_grad_()
    (g,) = torch.autograd.grad(energy(ours)(xr), xr, create_graph=True)
    (h,) = torch.autograd.grad(energy(theirs)(xr), xr, create_graph=True)
    close(torch.autograd.grad(g.sum(), xr)[0], torch.autograd.grad(h.sum(), xr)[0], 1e-10)


@pytest.mark.parametrize("dtype", [torch.bfloat16, torch.float16])
def test_autocast_output_dtype_as_torch(pair, dtype):
    ours, theirs = pair
    with torch.autocast("cpu", dtype=dtype):
        got, want = ours(X), theirs(X)
    assert got.dtype == want.dtype == dtype
    close(got.float(), want.float(), 0.1)


def test_output_size_of_strings_is_a_type_error_as_in_torch():
    layer = cnn.ConvTranspose2d(3, 2, 3, stride=2)
    reference = nn.ConvTranspose2d(3, 2, 3, stride=2)
    x = torch.randn(1, 3, 5, 5)
    with pytest.raises(TypeError):
        reference(x, output_size=["12", "12"])
    with pytest.raises(TypeError, match="output_size"):
        layer(x, output_size=["12", "12"])


def test_compile_with_changing_batch_and_spatial_sizes(pair):
    """After a recompile torch marks sizes dynamic: the batch stays symbolic, spatial sizes
    are specialized by the operator's shape function."""
    ours, theirs = pair
    compiled = torch.compile(ours, fullgraph=True, backend="aot_eager")
    for n, size in ((2, 8), (3, 8), (4, 10), (5, 12)):
        x = torch.randn(n, 3, size, size)
        close(compiled(x), theirs(x))
