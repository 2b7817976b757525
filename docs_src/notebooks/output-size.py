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
# # 输出尺寸：数一数卷积核能停几处
#
# 这个笔记本配合[输出尺寸](../output-size.md)一页：先逐个数出卷积核能停的位置，
# 再和公式、和 PyTorch 比较；然后逐条检验卷积算术指南里的关系式。改动任何数字再运行即可。

# %% [markdown] lang="en"
# # Output size: count where the kernel can stop
#
# This notebook goes with the [Output size](../output-size.md) page: it counts the positions the
# kernel can stop at one by one, compares the count with the formula and with PyTorch, then checks
# each relationship of the convolution-arithmetic guide. Change any number and run it again.

# %%
import itertools

import matplotlib.pyplot as plt
import torch
import torch.nn.functional as F

import convnotes.functional as cf
from convnotes.errors import ConvArgumentError
from convnotes.explain import explain_conv_output_size
from convnotes.shapes import conv_output_size, effective_kernel_size

# tensors here are small: one thread beats thread start-up costs
torch.set_num_threads(1)
torch.manual_seed(0)

LANG = "zh"  # language of printed labels and plot text: "zh" or "en"


def say(zh, en):
    """The text in the notebook's language."""
    return {"zh": zh, "en": en}[LANG]


# %% [markdown] lang="zh"
# ## 1. 逐个数位置
#
# 填充后的输入长 $i + 2p$；膨胀后的卷积核跨 $d(k-1)+1$ 个位置；它的起点依次是 $0, s, 2s, \dots$，
# 只要整个卷积核还在填充后的输入之内，这个起点就算一个输出。

# %% [markdown] lang="en"
# ## 1. Count the positions one by one
#
# The padded input has length $i + 2p$; the dilated kernel spans $d(k-1)+1$ positions; its start
# goes $0, s, 2s, \dots$, and each start at which the whole kernel still lies inside the padded
# input gives one output.


# %%
def kernel_starts(i, k, s=1, p=0, d=1):
    """Start positions of the (dilated) kernel in the padded input."""
    span = d * (k - 1) + 1
    return [
        start for start in range(0, i + 2 * p, s) if start + span <= i + 2 * p
    ]


def torch_output_size(i, k, s=1, p=0, d=1):
    """What PyTorch actually returns for a 1d input of length i."""
    return F.conv1d(
        torch.zeros(1, 1, i),
        torch.zeros(1, 1, k),
        stride=s,
        padding=p,
        dilation=d,
    )


i, k, s, p, d = 7, 3, 2, 1, 1
starts = kernel_starts(i, k, s, p, d)
print(
    say("起点：", "starts:"),
    starts,
    "->",
    len(starts),
    say("个输出", "outputs"),
)
print(
    say("公式：", "formula:"),
    conv_output_size(i, k, stride=s, padding=p, dilation=d),
)
print("PyTorch:", torch_output_size(i, k, s, p, d).shape[-1])
assert (
    len(starts)
    == conv_output_size(i, k, s, p, d)
    == torch_output_size(i, k, s, p, d).shape[-1]
)

# %% [markdown] lang="zh"
# 在一个网格上全部比一遍：凡是卷积核放得下的，三者相等；
# 放不下的（膨胀后的卷积核比填充后的输入还大），PyTorch 和 `convnotes.shapes` 都拒绝。

# %% [markdown] lang="en"
# Now over a whole grid: wherever the kernel fits, all three agree; where it does not (the dilated
# kernel is larger than the padded input), PyTorch and `convnotes.shapes` both refuse.

# %%
agree = refused = 0
for i, k, s, p, d in itertools.product(
    range(1, 13), range(1, 6), range(1, 5), range(3), range(1, 4)
):
    if d * (k - 1) + 1 > i + 2 * p:
        for call, error in [
            (torch_output_size, RuntimeError),
            (conv_output_size, ConvArgumentError),
        ]:
            try:
                call(i, k, s, p, d)
            except error:
                continue
            raise AssertionError(
                f"{call.__name__} accepted i={i} k={k} s={s} p={p} d={d}"
            )
        refused += 1
        continue
    o = conv_output_size(i, k, stride=s, padding=p, dilation=d)
    assert (
        o
        == len(kernel_starts(i, k, s, p, d))
        == torch_output_size(i, k, s, p, d).shape[-1]
    )
    agree += 1
print(
    say(
        f"{agree} 组参数三者一致，{refused} 组两者都拒绝",
        f"{agree} configurations agree, {refused} refused by both",
    )
)
# over two thousand compared
assert agree + refused > 2000 and agree > 0 and refused > 0

# %% [markdown] lang="zh"
# ## 2. 为什么要向下取整
#
# 不取整的式子 $(i + 2p - k)/s + 1$ 在 $s$ 不整除时给出小数，而输出尺寸必须是整数。
# 下表中 $k=3$、$s=2$、$p=0$：相邻两个输入尺寸得到同一个输出尺寸，多出来的那一行卷积核够不着。

# %% [markdown] lang="en"
# ## 2. Why the floor
#
# Without the floor, $(i + 2p - k)/s + 1$ is a fraction whenever $s$ does not divide evenly, and
# an output size must be a whole number. In the table below $k=3$, $s=2$, $p=0$: two neighbouring
# input sizes give the same output size; the extra row is out of the kernel's reach.

# %%
k, s = 3, 2
print(
    say(
        "i   (i-k)/s+1   o   用到的最后一行 / 最后一行",
        "i   (i-k)/s+1   o   last row used / last row",
    )
)
for i in range(3, 11):
    o = conv_output_size(i, k, stride=s)
    # the last input row any kernel position touches
    last_used = (o - 1) * s + k - 1
    print(f"{i:<3d} {(i - k) / s + 1:<11.1f} {o:<3d} {last_used} / {i - 1}")
    assert o == (i - k) // s + 1 == len(kernel_starts(i, k, s))
    leftover = (i - k) % s  # rows after the last kernel position
    assert (last_used == i - 1) == (leftover == 0)

# %%
fig, ax = plt.subplots(figsize=(6, 3.5))
sizes = range(3, 25)
for s in (1, 2, 3):
    ax.step(
        sizes,
        [conv_output_size(i, 3, stride=s, padding=1) for i in sizes],
        where="mid",
        label=f"$s={s}$",
    )
ax.set_xlabel("$i$")
ax.set_ylabel("$o$")
ax.legend(title="$k=3,\\ p=1$")
ax.grid(alpha=0.3)
plt.show()

# %% [markdown] lang="zh"
# ## 3. 把数代进公式
#
# `convnotes.explain` 把公式连同代入的数字一起写出来（纯文本和 LaTeX 两种形式），方便核对每一步。

# %% [markdown] lang="en"
# ## 3. Substitute the numbers
#
# `convnotes.explain` writes the formula out with the numbers substituted (as plain text and as
# LaTeX), so every step can be checked.

# %%
for args in [
    dict(input_size=6, kernel_size=3, stride=2),
    dict(input_size=7, kernel_size=3, dilation=2),
]:
    explanation = explain_conv_output_size(**args)
    print(explanation.text)
    print(explanation.latex)
    assert explanation.result == conv_output_size(**args)
    print()

# %% [markdown] lang="zh"
# ## 4. 卷积算术指南里的关系式
#
# 每条关系都是总公式在某些参数下的特例。下面在一个网格上逐条验证，并列出页面上每个动画所用的数字。

# %% [markdown] lang="en"
# ## 4. The relationships of the convolution-arithmetic guide
#
# Each relationship is the general formula for particular parameters. We check each one over a
# grid and list the numbers used by every animation on the page.

# %%
grid = list(itertools.product(range(1, 16), range(1, 6)))
for i, k in grid:
    if k <= i:
        assert conv_output_size(i, k) == i - k + 1  # no padding, unit stride
    for p in range(4):
        if k <= i + 2 * p:
            # padding, unit stride
            assert conv_output_size(i, k, padding=p) == i - k + 2 * p + 1
    if k % 2 == 1:
        # half (same) padding
        assert conv_output_size(i, k, padding=k // 2) == i
        assert conv_output_size(i, k, padding="same") == i
    assert conv_output_size(i, k, padding=k - 1) == i + k - 1  # full padding
    for s, p, d in itertools.product(range(1, 5), range(4), range(1, 4)):
        if d * (k - 1) + 1 <= i + 2 * p:
            expected = (
                i + 2 * p - k - (k - 1) * (d - 1)
            ) // s + 1  # strides, padding, dilation
            assert (
                conv_output_size(i, k, stride=s, padding=p, dilation=d)
                == expected
            )
print(say("网格上每条关系式都成立", "all relationships hold on the grid"))

animations = {
    "conv-no-padding": dict(input_size=4, kernel_size=3),
    "conv-padding": dict(input_size=5, kernel_size=4, padding=2),
    "conv-half-padding": dict(input_size=5, kernel_size=3, padding=1),
    "conv-full-padding": dict(input_size=5, kernel_size=3, padding=2),
    "conv-strides": dict(input_size=5, kernel_size=3, stride=2),
    "conv-strides-padding": dict(
        input_size=5, kernel_size=3, stride=2, padding=1
    ),
    "conv-strides-odd": dict(input_size=6, kernel_size=3, stride=2, padding=1),
    "conv-dilation": dict(input_size=7, kernel_size=3, dilation=2),
}
for name, args in animations.items():
    o = conv_output_size(**args)
    print(f"{name:22s} {args} -> o = {o}")
    s, p, d = (
        args.get("stride", 1),
        args.get("padding", 0),
        args.get("dilation", 1),
    )
    assert (
        o
        == torch_output_size(
            args["input_size"], args["kernel_size"], s, p, d
        ).shape[-1]
    )

# %% [markdown] lang="zh"
# ## 5. 膨胀：卷积核中间插零
#
# 膨胀率为 $d$ 的 $k$ 元卷积核，等于一个 $d(k-1)+1$ 元、在原来的元素之间插了 $d-1$ 个零的卷积核。
# 因此在尺寸公式里，只要把 $k$ 换成有效卷积核大小 $d(k-1)+1$。

# %% [markdown] lang="en"
# ## 5. Dilation: zeros inside the kernel
#
# A $k$-tap kernel with dilation $d$ equals a $d(k-1)+1$-tap kernel with $d-1$ zeros inserted
# between the original taps. So the size formula only needs $k$ replaced by the effective kernel
# size $d(k-1)+1$.

# %%
x = torch.randn(1, 2, 9, 9, dtype=torch.float64)
w = torch.randn(3, 2, 3, 3, dtype=torch.float64)
d = 2
span = effective_kernel_size(3, d)
spread = torch.zeros(3, 2, span, span, dtype=torch.float64)
spread[:, :, ::d, ::d] = w  # the taps land every d positions, zeros in between
print(say("有效卷积核大小：", "effective kernel size:"), span)
print(spread[0, 0])
torch.testing.assert_close(cf.conv2d(x, w, dilation=d), cf.conv2d(x, spread))
torch.testing.assert_close(
    cf.conv2d(x, w, dilation=d), F.conv2d(x, w, dilation=d)
)

# %% [markdown] lang="zh"
# ## 6. 二维：每个维度各算各的
#
# 高和宽互不影响，公式分别作用于每个维度。`convnotes.shapes` 接受元组，返回元组。
# 下面是一个编码器连续三次步长为 2 的下采样：奇数尺寸不会恰好减半。

# %% [markdown] lang="en"
# ## 6. Two dimensions: each on its own
#
# Height and width do not affect each other; the formula applies to each dimension separately.
# `convnotes.shapes` takes tuples and returns tuples. Below, an encoder downsamples three times
# with stride 2: odd sizes do not halve exactly.

# %%
size = (65, 64)
x = torch.randn(1, 1, *size)
for _ in range(3):
    predicted = conv_output_size(size, 3, stride=2, padding=1)
    x = cf.conv2d(x, torch.randn(1, 1, 3, 3), stride=2, padding=1)
    print(size, "->", predicted)
    assert tuple(x.shape[2:]) == predicted
    size = predicted
