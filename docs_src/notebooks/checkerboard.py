# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
# ---

# %% [markdown] lang="zh"
# # 棋盘效应：动手验证
#
# 配合[棋盘效应](../checkerboard.md)一页。重叠次数用 `convnotes.functional` 的转置卷积直接算：
# 输入全是 1、卷积核全是 1 时，每个输出像素的值就是落在它上面的卷积核副本的个数。

# %% [markdown] lang="en"
# # Checkerboard artifacts: check it yourself
#
# This notebook goes with the [checkerboard artifacts](../checkerboard.md) page. Overlap counts
# come straight from `convnotes.functional`'s transposed convolution: with an all-ones input and an
# all-ones kernel, each output pixel's value is the number of kernel copies that land on it.

# %%
import matplotlib.pyplot as plt
import torch
import torch.nn.functional as F
from torch.testing import assert_close

from convnotes import functional as cf

LANG = "zh"  # printed labels: "zh" or "en" (plots use symbols only)


def say(zh: str, en: str) -> str:
    """The label in the notebook's language."""
    return {"zh": zh, "en": en}[LANG]


torch.manual_seed(0)
torch.set_printoptions(precision=2, sci_mode=False, linewidth=140)


# %% [markdown] lang="zh"
# ## 1. 一维的重叠次数
#
# 对照一个独立的数法：输出位置 $t$ 被输入位置 $j$ 覆盖，当且仅当 $0 \le t - j s < k$。
# 内部区域（不受两端影响的部分）里最大与最小重叠次数之比大于 1，重叠就不均匀，这是棋盘效应的结构性来源。

# %% [markdown] lang="en"
# ## 1. Overlap counts in 1d
#
# Check against an independent count: output position $t$ is covered by input position $j$
# exactly when $0 \le t - j s < k$. If the largest and smallest overlap in the interior (away from
# the two ends) differ, the overlap is uneven: the structural cause of checkerboard artifacts.


# %%
def overlap_1d(k, s, n=8):
    """Kernel copies on each output position: a transposed conv of ones."""
    ones = torch.ones(1, 1, n, dtype=torch.float64)
    return cf.conv_transpose1d(
        ones, torch.ones(1, 1, k, dtype=torch.float64), stride=s
    )[0, 0]


def overlap_1d_by_counting(k, s, n=8):
    length = (n - 1) * s + k
    return torch.tensor(
        [sum(0 <= t - j * s < k for j in range(n)) for t in range(length)],
        dtype=torch.float64,
    )


for k, s in [(3, 2), (4, 2), (5, 2), (3, 3), (2, 2), (3, 1)]:
    counts = overlap_1d(k, s)
    assert_close(counts, overlap_1d_by_counting(k, s))
    interior = counts[k - 1 : len(counts) - k + 1]
    ratio = float(interior.max() / interior.min())
    assert (ratio == 1.0) == (k % s == 0)
    print(
        f"k={k} s={s}  k%s={k % s}  max/min={ratio:.2f} ", counts.int().tolist()
    )


# %% [markdown] lang="zh"
# ## 2. 二维的重叠图
#
# 二维时重叠次数是两个方向的一维次数之积，所以 $k=3, s=2$ 给出 1、2、4 三种值，正是棋盘格。

# %% [markdown] lang="en"
# ## 2. Overlap maps in 2d
#
# In 2d the overlap is the product of the 1d counts in the two directions, so $k=3, s=2$ gives the
# three values 1, 2 and 4: a checkerboard.


# %%
def overlap_2d(k, s, n=6):
    ones = torch.ones(1, 1, n, n, dtype=torch.float64)
    return cf.conv_transpose2d(
        ones, torch.ones(1, 1, k, k, dtype=torch.float64), stride=s
    )[0, 0]


fig, axes = plt.subplots(1, 3, figsize=(10, 3.4))
for ax, (k, s) in zip(axes, [(3, 2), (4, 2), (5, 2)]):
    grid = overlap_2d(k, s)
    line = overlap_1d(k, s, n=6)
    assert_close(grid, torch.outer(line, line))
    image = ax.imshow(grid, cmap="magma", vmin=0)
    ax.set_title(f"k={k}, s={s}")
    fig.colorbar(image, ax=ax, shrink=0.8)
plt.tight_layout()
plt.show()
grid = overlap_2d(3, 2)
print(grid.int())
assert set(grid.unique().tolist()) == {1.0, 2.0, 4.0}

# %% [markdown] lang="zh"
# ## 3. 随机权重、常数输入，依然是棋盘
#
# 重叠不均匀不只影响全 1 的卷积核：对一张常数图像做随机权重的转置卷积，
# 内部每个 $s \times s$ 的小块都重复同一组数值，输出并不平坦。
# 换成“最近邻上采样 + 普通卷积”（缩放卷积），内部就是平坦的。

# %% [markdown] lang="en"
# ## 3. Random weights, constant input, still a checkerboard
#
# Uneven overlap is not only a property of an all-ones kernel: a transposed convolution with random
# weights applied to a constant image repeats the same few values in every $s \times s$ block of the
# interior, so the output is not flat. Replace it with nearest-neighbour upsampling followed by an
# ordinary convolution (resize-convolution) and the interior is flat.

# %%
flat = torch.ones(1, 1, 8, 8, dtype=torch.float64)
kernel = torch.randn(1, 1, 3, 3, dtype=torch.float64)

transposed = cf.conv_transpose2d(
    flat, kernel, stride=2, padding=1, output_padding=1
)
resized = cf.conv2d(
    F.interpolate(flat, scale_factor=2, mode="nearest"), kernel, padding=1
)
print(
    say("形状：", "shapes:"),
    tuple(transposed.shape[-2:]),
    tuple(resized.shape[-2:]),
)
assert transposed.shape == resized.shape == (1, 1, 16, 16)

inner_t = transposed[0, 0, 2:-2, 2:-2]
inner_r = resized[0, 0, 2:-2, 2:-2]
distinct_t = inner_t.round(decimals=6).unique().numel()
distinct_r = inner_r.round(decimals=6).unique().numel()
print(
    say(
        "内部不同取值的个数，转置卷积：",
        "distinct interior values, transposed conv:",
    ),
    distinct_t,
)
print(
    say(
        "内部不同取值的个数，缩放卷积：",
        "distinct interior values, resize-conv:    ",
    ),
    distinct_r,
)
assert distinct_t > 1  # not flat ...
# ... but repeating with period s = 2 down
assert_close(inner_t[2:], inner_t[:-2])
assert_close(inner_t[:, 2:], inner_t[:, :-2])  # and across
assert distinct_r == 1  # flat

fig, (a, b) = plt.subplots(1, 2, figsize=(7, 3.4))
a.imshow(transposed[0, 0], cmap="gray")
a.set_title("conv_transpose2d, k=3 s=2")
b.imshow(resized[0, 0], cmap="gray")
b.set_title("interpolate(nearest) ×2 + conv2d, k=3")
plt.tight_layout()
plt.show()

# %% [markdown] lang="zh"
# ## 4. 卷积核能被步长整除
#
# $k=4, s=2, p=1$ 同样把尺寸翻倍，但每个内部像素恰好被 2×2 个副本覆盖，重叠均匀。

# %% [markdown] lang="en"
# ## 4. Kernel size divisible by the stride
#
# $k=4, s=2, p=1$ also doubles the size, but every interior pixel is covered by exactly 2×2
# copies: the overlap is even.

# %%
ones8 = torch.ones(1, 1, 8, 8, dtype=torch.float64)
even = cf.conv_transpose2d(
    ones8, torch.ones(1, 1, 4, 4, dtype=torch.float64), stride=2, padding=1
)
inner_even = even[0, 0, 2:-2, 2:-2].unique().tolist()
print(say("输出尺寸：", "output size:"), tuple(even.shape[-2:]))
print(say("内部重叠次数的取值：", "interior overlap values:"), inner_even)
assert even.shape[-2:] == (16, 16)
assert inner_even == [4.0]  # 2 × 2 copies everywhere inside

# %% [markdown] lang="zh"
# ## 5. 梯度里的同一个图案
#
# 带步长卷积对输入的梯度就是一次转置卷积，所以同样的重叠图会出现在梯度里：
# 全 1 卷积核、$k=3, s=2$ 的卷积，对输入求梯度（上游梯度全为 1），得到的正是第 2 节的棋盘。

# %% [markdown] lang="en"
# ## 5. The same pattern in gradients
#
# The gradient of a strided convolution w.r.t. its input is a transposed convolution, so the same
# overlap map appears in gradients: take a convolution with an all-ones kernel, $k=3, s=2$, and
# differentiate w.r.t. the input (incoming gradient all ones): the result is the checkerboard of
# section 2.

# %%
image = torch.randn(1, 1, 13, 13, dtype=torch.float64, requires_grad=True)
ones_kernel = torch.ones(1, 1, 3, 3, dtype=torch.float64)
out = F.conv2d(image, ones_kernel, stride=2)
out.sum().backward()

expected = cf.conv_transpose2d(torch.ones_like(out), ones_kernel, stride=2)
assert_close(image.grad, expected)
print(
    say(
        "输入梯度与 conv_transpose2d 的重叠图相同，尺寸",
        "input gradient == overlap map of conv_transpose2d, size",
    ),
    tuple(image.grad.shape[-2:]),
)
print(image.grad[0, 0, :5, :5].int())
assert set(image.grad.unique().tolist()) == {1.0, 2.0, 4.0}

# %% [markdown] lang="zh"
# ## 6. 多层叠加
#
# 三层 $k=3, s=2$ 叠在一起，等于一次步长 $S=8$ 的转置卷积，卷积核 $K$ 由三层卷积核合成。
# 内部的重叠次数就是 $K$ 每隔 $S$ 个抽头求和得到的 8 个值。下面用逐层计算和合成卷积核两种方法对照，
# 再看第二层换成 $(4,2)$ 时图案如何消失。

# %% [markdown] lang="en"
# ## 6. Stacked layers
#
# Three $k=3, s=2$ layers in a row are one transposed convolution with stride $S=8$ and a composed
# kernel $K$. The interior counts are the 8 sums of every 8th tap of $K$. Below, the layer-by-layer
# counts are checked against the composed kernel, and a second layer $(4,2)$ makes the pattern
# disappear.


# %%
def ones(k):
    return torch.ones(1, 1, k, dtype=torch.float64)


def stack_1d(layers, n=16):
    """Tap counts after the stack: ones in, kernels of ones."""
    x = ones(n)
    for k, s in layers:
        x = cf.conv_transpose1d(x, ones(k), stride=s)
    return x[0, 0]


def composed(layers):
    """The one transposed conv the stack equals: kernel K, stride S."""
    (k, stride), *rest = layers
    kernel = ones(k)
    for k, s in rest:
        kernel = F.conv_transpose1d(kernel, ones(k), stride=s)
        stride *= s
    return kernel[0, 0], stride


def phase_sums(layers):
    """Interior counts: the sums of every S-th tap of K."""
    kernel, stride = composed(layers)
    return [kernel[i::stride].sum().item() for i in range(stride)]


# max/min for one, two, three (3, 2) layers; (3, 2) → (4, 2) is even
ratios = {1: 2.0, 2: 3.0, 3: 5.0}
stacks = [[(3, 2)], [(3, 2)] * 2, [(3, 2)] * 3, [(3, 2), (4, 2)]]
for layers in stacks:
    kernel, stride = composed(layers)
    sums = phase_sums(layers)
    counts = stack_1d(layers)
    first, last = len(kernel) - 1, 15 * stride  # all taps land here
    inner = counts[first : last + 1].tolist()
    assert inner == [sums[t % stride] for t in range(first, last + 1)]
    ratio = max(sums) / min(sums)
    even = layers[-1] == (4, 2)
    assert ratio == (1.0 if even else ratios[len(layers)])
    label = say("内部取值", "interior values")
    print(layers, label, sorted(set(sums)), "max/min =", ratio)

assert phase_sums([(3, 2)] * 3) == [4, 3, 5, 2, 5, 3, 4, 1]
assert set(phase_sums([(3, 2), (4, 2)])) == {3}
