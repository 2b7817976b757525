"""Whole networks, native against convnotes: the `--networks` half of `scripts/bench.py`.

For each network of `benchmarks/networks.py` and each dtype, the native model and its copy
with every convolution swapped (`swap_convs`, same state dict) are timed interleaved:

* forward: inference, `torch.no_grad()`, the model in eval mode;
* training: forward, `loss = mean(y**2)`, backward (gradients set to None before each
  step), the model in train mode.

Then each convolution layer is timed alone on the input it received in the network
(forward + backward, native layer against ours), so the report can point at the layers
where the time goes. Peak memory of a training step comes from `peak_memory_mib` in a
child process (see `bench.py`).
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from networks import NETWORKS, Network, conv_layers, swap_convs  # noqa: E402


def network_models(torch, network: Network, dtype):
    """`(native, ours, x)`: the network, its swapped copy and a seeded input."""
    torch.manual_seed(0)
    native = network.build().to(dtype)
    ours = swap_convs(native)
    x = torch.randn(network.input_shape, generator=torch.Generator().manual_seed(1)).to(dtype)
    return native, ours, x


def step_calls(torch, native, ours, x, training: bool) -> dict:
    """`{"native": call, "ours": call}` for one inference pass or one training step."""

    def forward(model):
        def call():
            with torch.no_grad():
                return model(x)

        return call

    def train_step(model):
        def call():
            for p in model.parameters():
                p.grad = None
            loss = model(x).square().mean()
            loss.backward()
            return loss

        return call

    make = train_step if training else forward
    for model in (native, ours):
        model.train(training)
    return {"native": make(native), "ours": make(ours)}


def layer_inputs(torch, model, x) -> list[tuple[str, object, object]]:
    """`(name, layer, input)` of every conv layer of `model`, as it runs on `x`."""
    seen: list[tuple[str, object, object]] = []
    hooks = [
        layer.register_forward_hook(
            lambda mod, args, out, name=name: seen.append((name, mod, args[0].detach()))
        )
        for name, layer in conv_layers(model)
    ]
    with torch.no_grad():
        model.eval()(x)
    for hook in hooks:
        hook.remove()
    return seen


def layer_rows(torch, native, ours, x, time_interleaved, clock, rounds: int) -> list[dict]:
    """Forward + backward time of each conv layer alone, native against ours."""
    ours_layers = dict(conv_layers(ours))
    rows = []
    for name, layer, inp in layer_inputs(torch, native, x):
        mine = ours_layers[name]
        inp = inp.clone().requires_grad_(True)
        grad = torch.randn_like(layer(inp)).detach()

        def step(module, inp=inp, grad=grad):
            def call():
                inp.grad = None
                for p in module.parameters():
                    p.grad = None
                module(inp).backward(grad)

            return call

        times = time_interleaved({"native": step(layer), "ours": step(mine)}, rounds, clock=clock)
        native_ms = min(times["native"]) * 1e3
        ours_ms = min(times["ours"]) * 1e3
        rows.append(
            {
                "layer": name,
                "call": _describe(layer, inp),
                "native_ms": native_ms,
                "ours_ms": ours_ms,
                "ratio": ours_ms / native_ms,
            }
        )
    return rows


def _describe(layer, inp) -> str:
    text = repr(layer).split("(", 1)
    return f"{text[0]}{tuple(inp.shape)}({text[1]}"


def run_network(
    torch,
    network: Network,
    dtype,
    time_interleaved,
    clock=time.perf_counter,
    rounds: int = 10,
    min_seconds: float = 0.0,
    rounds_for=None,
) -> dict:
    """Times (min, median, ms) of native and ours for inference and a training step."""
    native, ours, x = network_models(torch, network, dtype)
    row: dict = {"network": network.name, "dtype": str(dtype).removeprefix("torch.")}
    for mode in ("forward", "training"):
        calls = step_calls(torch, native, ours, x, training=mode == "training")
        for call in calls.values():  # warm-up and one round's duration
            call()
        start = clock()
        for call in calls.values():
            call()
        n = rounds_for(clock() - start, rounds, min_seconds) if rounds_for else rounds
        times = time_interleaved(calls, n, warm_up=False, clock=clock)
        row[mode] = {
            "native_ms": min(times["native"]) * 1e3,
            "ours_ms": min(times["ours"]) * 1e3,
            "native_median_ms": statistics.median(times["native"]) * 1e3,
            "ours_median_ms": statistics.median(times["ours"]) * 1e3,
            "ratio": min(times["ours"]) / min(times["native"]),
            "rounds": n,
        }
    return row


def network_memory(torch, network: Network, dtype, peak_memory_mib) -> dict:
    """Peak memory (MiB) of one training step, native and ours (child process)."""
    native, ours, x = network_models(torch, network, dtype)
    calls = step_calls(torch, native, ours, x, training=True)
    for call in calls.values():
        call()
    return {name: peak_memory_mib(call) for name, call in calls.items()}


__all__ = ["NETWORKS", "layer_rows", "network_memory", "run_network"]
