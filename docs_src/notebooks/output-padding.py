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
# # output_padding 与 output_size：动手验证
#
# 配合 [output_padding](../output-padding.md) 一页。PyTorch 的 `torch.nn` 是标准答案，
# `convnotes.shapes` 和 `convnotes.design` 里的函数要与它一致。

# %% [markdown] lang="en"
# # output_padding and output_size: check it yourself
#
# This notebook goes with the [output_padding](../output-padding.md) page. PyTorch's `torch.nn`
# is the reference; the functions in `convnotes.shapes` and `convnotes.design` must agree with it.

# %%
import subprocess
import sys
from pathlib import Path

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.testing import assert_close

from convnotes.design import plan_chain, solve_conv_transpose
from convnotes.errors import ConvArgumentError
from convnotes.shapes import (
    conv_output_size,
    conv_transpose_output_size,
    output_padding_for,
    output_size_range,
)

LANG = "zh"  # language of printed labels: "zh" or "en"


def say(zh: str, en: str) -> str:
    """The label in the notebook's language."""
    return {"zh": zh, "en": en}[LANG]


torch.manual_seed(0)

# %% [markdown] lang="zh"
# ## 1. 多个输入尺寸，同一个输出尺寸
#
# k=3、s=2、p=1 的卷积：因为公式里有向下取整，相邻的两个输入尺寸得到同一个输出尺寸。

# %% [markdown] lang="en"
# ## 1. Several input sizes, one output size
#
# A convolution with k=3, s=2, p=1: because of the floor in the formula, two neighbouring input
# sizes give the same output size.

# %%
conv = nn.Conv2d(1, 1, 3, stride=2, padding=1)
for n in range(60, 68):
    ours = conv_output_size(n, 3, stride=2, padding=1)
    theirs = conv(torch.zeros(1, 1, n, n)).shape[-1]
    assert ours == theirs
    print(f"{n} -> {ours}")

# %% [markdown] lang="zh"
# ## 2. 转置卷积的候选输出：$o'(n) = o'(0) + n$
#
# 反过来，输入 33 的转置卷积有 $s$ 个合理的输出尺寸，`output_size_range` 给出最小和最大值。
# `output_padding` $=n$ 选中第 $n$ 个：$o'(n) = o'(0) + n$，$n = 0, \dots, s-1$。

# %% [markdown] lang="en"
# ## 2. The candidates for the transposed output: $o'(n) = o'(0) + n$
#
# Going back, a transposed convolution of a size-33 input has $s$ sensible output sizes;
# `output_size_range` gives the smallest and the largest. `output_padding` $=n$ picks number $n$:
# $o'(n) = o'(0) + n$ for $n = 0, \dots, s-1$.

# %%
for i, k, s, p in [(33, 3, 2, 1), (10, 3, 3, 0), (7, 5, 4, 2)]:
    lo, hi = output_size_range(i, k, stride=s, padding=p)
    assert hi - lo == s - 1
    sizes = []
    for n in range(s):
        o = conv_transpose_output_size(
            i, k, stride=s, padding=p, output_padding=n
        )
        layer = nn.ConvTranspose2d(
            1, 1, k, stride=s, padding=p, output_padding=n
        )
        assert o == lo + n == layer(torch.zeros(1, 1, i, i)).shape[-1]
        # every candidate maps back to i
        assert conv_output_size(o, k, stride=s, padding=p) == i
        sizes.append(o)
    print(f"i={i} k={k} s={s} p={p}: o'(0..{s - 1}) = {sizes}")


# %% [markdown] lang="zh"
# ## 3. 规则：小于步长**或**膨胀率
#
# PyTorch 对每个维度要求 `output_padding < stride` 或 `output_padding < dilation`。
# 下面逐个尝试，比较 PyTorch 和 `convnotes.shapes` 是否同样接受或拒绝。

# %% [markdown] lang="en"
# ## 3. The rule: smaller than the stride **or** the dilation
#
# For every dimension PyTorch requires `output_padding < stride` or `output_padding < dilation`.
# Try several settings and compare whether PyTorch and `convnotes.shapes` accept or reject alike.


# %%
def torch_accepts(stride, dilation, output_padding):
    layer = nn.ConvTranspose2d(
        1, 1, 3, stride=stride, dilation=dilation, output_padding=output_padding
    )
    try:
        return tuple(layer(torch.zeros(1, 1, 5, 5)).shape[-2:])
    except RuntimeError as error:
        return str(error).split(",")[0]


def convnotes_accepts(stride, dilation, output_padding):
    try:
        return conv_transpose_output_size(
            (5, 5),
            3,
            stride=stride,
            dilation=dilation,
            output_padding=output_padding,
        )
    except ConvArgumentError:
        return None


settings = [  # (stride, dilation, output_padding)
    (2, 1, 1),
    (2, 1, 2),
    (1, 1, 1),
    (1, 2, 1),  # stride 1 and still allowed: output_padding < dilation
    (2, 3, 2),
    # per dimension: a < s in the first, a < d in the second
    (
        (2, 1),
        (1, 2),
        (1, 1),
    ),
    ((2, 1), (1, 1), (1, 1)),  # second dimension breaks the rule
]
for s, d, a in settings:
    torch_result = torch_accepts(s, d, a)
    ours = convnotes_accepts(s, d, a)
    assert (ours is None) == isinstance(torch_result, str)
    if ours is not None:
        assert tuple(ours) == torch_result
    print(f"stride={s} dilation={d} output_padding={a}:  {torch_result}")

# %% [markdown] lang="zh"
# ## 4. `forward(x, output_size=...)`
#
# 不想自己算 `output_padding` 时，把想要的尺寸交给 `forward`，PyTorch 会替你选。
# `output_padding_for` 给出它选的值；超出范围时两者都报错并说明合法范围。

# %% [markdown] lang="en"
# ## 4. `forward(x, output_size=...)`
#
# If you would rather not work out `output_padding`, hand the size you want to `forward` and
# PyTorch picks it. `output_padding_for` returns the value it picks; outside the range both
# raise an error stating the valid range.

# %%
# output_padding left at 0
up = nn.ConvTranspose2d(1, 1, 3, stride=2, padding=1)
x = torch.randn(1, 1, 33, 33)
for target in (65, 66):
    y = up(x, output_size=(target, target))
    a = output_padding_for(33, target, 3, stride=2, padding=1)
    assert_close(
        y,
        F.conv_transpose2d(
            x, up.weight, up.bias, stride=2, padding=1, output_padding=a
        ),
    )
    used = say("用到的 output_padding", "output_padding used")
    print(f"output_size={target}: {tuple(y.shape[-2:])}, {used} = {a}")

try:
    up(x, output_size=(67, 67))
except ValueError as error:
    print("torch:    ", error)
try:
    output_padding_for(33, 67, 3, stride=2, padding=1)
except ValueError as error:
    print("convnotes:", error)

# %% [markdown] lang="zh"
# 一个细节：`output_size` 只接受 $o'(0)$ 到 $o'(0)+s-1$。
# 步长 1、膨胀率 2 时构造函数允许 `output_padding=1`，
# 但 `output_size` 的范围只有一个值，想要多出的那一行就只能显式写 `output_padding`。

# %% [markdown] lang="en"
# A detail: `output_size` only accepts $o'(0)$ to $o'(0)+s-1$. With stride 1 and dilation 2 the
# constructor allows `output_padding=1`, but the `output_size` range holds a single value, so the
# extra row is only reachable by passing `output_padding` explicitly.

# %%
print("output_size_range:", output_size_range(5, 3, stride=1, dilation=2))
dilated = nn.ConvTranspose2d(1, 1, 3, stride=1, dilation=2, output_padding=1)
print(
    say("显式 output_padding=1：", "explicit output_padding=1:"),
    tuple(dilated(torch.zeros(1, 1, 5, 5)).shape[-2:]),
)
try:
    dilated(torch.zeros(1, 1, 5, 5), output_size=(10, 10))
except ValueError as error:
    print("output_size=(10, 10):", error)

# %% [markdown] lang="zh"
# ## 5. 刚好翻倍：k=3、s=2、p=1、output_padding=1
#
# $o' = 2(i'-1) - 2 + 2 + 1 + 1 = 2i'$。对应的卷积 $\lceil n/2 \rceil$ 把尺寸减半；
# 偶数尺寸可以来回一致，奇数尺寸不行。

# %% [markdown] lang="en"
# ## 5. Exact doubling: k=3, s=2, p=1, output_padding=1
#
# $o' = 2(i'-1) - 2 + 2 + 1 + 1 = 2i'$. The matching convolution halves with rounding up,
# $\lceil n/2 \rceil$; even sizes survive the round trip, odd sizes do not.

# %%
double = nn.ConvTranspose2d(1, 1, 3, stride=2, padding=1, output_padding=1)
halve = nn.Conv2d(1, 1, 3, stride=2, padding=1)
for n in (4, 7, 16, 33, 64, 65):
    down = halve(torch.zeros(1, 1, n, n)).shape[-1]
    back = double(torch.zeros(1, 1, down, down)).shape[-1]
    assert down == (n + 1) // 2 and back == 2 * down
    print(
        f"{n:3d} -> conv -> {down:3d} -> transposed -> {back:3d}",
        "" if back == n else say("（对不上）", "(mismatch)"),
    )

# %% [markdown] lang="zh"
# ## 6. 为目标尺寸挑参数
#
# `solve_conv_transpose(17, 33)` 列出把 17 变成 33 的设置，最简单的在前；
# `even_overlap` 表示卷积核大小能被步长整除（重叠均匀，去掉了[棋盘效应](../checkerboard.md)
# 最主要的结构性来源，但学到的权重仍可能产生它）。
# 同样的功能在命令行里是 `convnotes solve transpose 17 33`。

# %% [markdown] lang="en"
# ## 6. Choosing settings for a target size
#
# `solve_conv_transpose(17, 33)` lists the settings that take 17 to 33, simplest first;
# `even_overlap` marks a kernel size divisible by the stride (even overlap: the main structural
# cause of [checkerboard artifacts](../checkerboard.md) is gone, though learned weights can still
# produce them). The command line does the same with
# `convnotes solve transpose 17 33`.

# %%
choices = solve_conv_transpose(17, 33)
for choice in choices[:6]:
    o = conv_transpose_output_size(
        17,
        choice.kernel_size,
        stride=choice.stride,
        padding=choice.padding,
        output_padding=choice.output_padding,
        dilation=choice.dilation,
    )
    assert o == 33
    print(choice.pytorch(8, 4), "  even_overlap =", choice.even_overlap)
print(say(f"共 {len(choices)} 种", f"{len(choices)} choices in all"))

cli = Path(sys.executable).with_name("convnotes")
result = subprocess.run(
    [str(cli), "solve", "transpose", "17", "33"], capture_output=True, text=True
)
print(result.stdout or result.stderr)


# %% [markdown] lang="zh"
# ## 7. 一个小 U-Net：编码器 65 → 33 → 17，解码器回到 33 和 65
#
# 编码器用两个 k=3、s=2、p=1 的卷积。
# 解码器每一步都要与编码器同尺寸的特征图用 `torch.cat` 拼接（跳跃连接），
# 所以尺寸必须**正好**对上。先照搬“翻倍”设置 `output_padding=1`：

# %% [markdown] lang="en"
# ## 7. A small U-Net: encoder 65 → 33 → 17, decoder back to 33 and 65
#
# The encoder uses two convolutions with k=3, s=2, p=1. At every step the decoder concatenates
# its output with the encoder's feature map of the same size (`torch.cat`, the skip connection),
# so the sizes must match **exactly**. First, copy the "doubling" setting `output_padding=1`:


# %%
class TinyUNet(nn.Module):
    def __init__(self, output_padding=0):
        super().__init__()
        self.down1 = nn.Conv2d(1, 4, 3, stride=2, padding=1)
        self.down2 = nn.Conv2d(4, 8, 3, stride=2, padding=1)
        self.up2 = nn.ConvTranspose2d(
            8, 4, 3, stride=2, padding=1, output_padding=output_padding
        )
        self.up1 = nn.ConvTranspose2d(
            8, 4, 3, stride=2, padding=1, output_padding=output_padding
        )
        self.head = nn.Conv2d(5, 1, 1)

    def forward(self, x, use_output_size=False):
        e1 = self.down1(x)
        e2 = self.down2(e1)
        size1 = e1.shape[-2:] if use_output_size else None
        d2 = torch.cat([self.up2(e2, output_size=size1), e1], dim=1)
        size0 = x.shape[-2:] if use_output_size else None
        d1 = torch.cat([self.up1(d2, output_size=size0), x], dim=1)
        print(
            say("尺寸：", "sizes:"), [t.shape[-1] for t in (x, e1, e2, d2, d1)]
        )
        return self.head(d1)


image = torch.randn(1, 1, 65, 65)
try:
    TinyUNet(output_padding=1)(image)
except RuntimeError as error:
    print("RuntimeError:", error)

# %% [markdown] lang="zh"
# 17 翻倍成了 34，而跳跃连接那边是 33。修正办法有两个：对这两层用 `output_padding=0`
# (17 → 33、33 → 65 都是奇数，正好是 $o'(0)$)；或者更稳妥地，在 `forward` 里传 `output_size`，
# 让每一层自己对齐到跳跃连接的尺寸。

# %% [markdown] lang="en"
# 17 doubled to 34, while the skip connection holds 33. Two fixes: use `output_padding=0` for
# both layers (17 → 33 and 33 → 65 are odd, exactly $o'(0)$), or, more robustly, pass
# `output_size` in `forward` so each layer matches the size of its skip connection.

# %%
fixed = TinyUNet(output_padding=0)
out = fixed(image)
assert out.shape == image.shape

robust = TinyUNet(output_padding=1)
# output_size overrides output_padding
out = robust(image, use_output_size=True)
assert out.shape == image.shape
print(say("两种修法的输出：", "both fixes give"), tuple(out.shape))

# %% [markdown] lang="zh"
# `plan_chain` 在建网络之前就把每一层的尺寸算出来，并指出解码器在哪一步没有对上编码器：

# %% [markdown] lang="en"
# `plan_chain` works out every layer's size before any network is built and points at the step
# where the decoder fails to mirror the encoder:

# %%
encoder = [
    # 65 -> 33
    dict(kind="conv", kernel_size=3, stride=2, padding=1, name="down1"),
    # 33 -> 17
    dict(kind="conv", kernel_size=3, stride=2, padding=1, name="down2"),
]


def decoder(output_padding):
    return [
        dict(
            kind="transpose",
            kernel_size=3,
            stride=2,
            padding=1,
            output_padding=output_padding,
            name="up2",
        ),
        dict(
            kind="transpose",
            kernel_size=3,
            stride=2,
            padding=1,
            output_padding=output_padding,
            name="up1",
        ),
    ]


for a in (1, 0):
    plan = plan_chain(65, encoder + decoder(a))
    print(
        say("--- 解码器，output_padding=", "--- decoder with output_padding=")
        + f"{a}: ok={plan.ok}, sizes={plan.sizes}"
    )
    print(plan)
assert not plan_chain(65, encoder + decoder(1)).ok
assert plan_chain(65, encoder + decoder(0)).ok
