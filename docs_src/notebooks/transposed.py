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
# # 转置卷积：动手验证
#
# 这个笔记本配合[转置卷积](../transposed.md)一页。每个单元格都可以改参数后重新运行；
# `assert` 和 `torch.testing.assert_close` 会在某个等式不成立时立刻报错。
#
# 我们用 PyTorch 自带的 `torch.nn.functional`（下文记作 `F`）当“标准答案”，
# 再和本项目从零写的 `convnotes.functional`（记作 `cf`）以及手写的几种做法对照。

# %% [markdown] lang="en"
# # Transposed convolution: check it yourself
#
# This notebook goes with the [transposed convolution](../transposed.md) page. Change any
# parameter and run the cell again; `assert` and `torch.testing.assert_close` fail loudly
# the moment an identity stops holding.
#
# PyTorch's own `torch.nn.functional` (as `F`) is the reference; we compare it with this
# project's from-scratch `convnotes.functional` (as `cf`) and with views written out by hand.

# %%
import torch
import torch.nn.functional as F
from torch.testing import assert_close

from convnotes import conv_matrix
from convnotes import functional as cf
from convnotes.shapes import conv_output_size, conv_transpose_output_size

LANG = "zh"  # language of printed labels: "zh" or "en"


def say(zh: str, en: str) -> str:
    """The label in the notebook's language."""
    return {"zh": zh, "en": en}[LANG]


torch.manual_seed(0)
torch.set_printoptions(precision=2, sci_mode=False, linewidth=120)

# %% [markdown] lang="zh"
# ## 1. 它不是卷积的逆
#
# 先做一次普通卷积（4×4 → 2×2），再用**同一个**卷积核做转置卷积（2×2 → 4×4）。
# 形状回来了，数值却没有：16 个数压成 4 个数之后，信息已经丢了，没有任何线性运算能把它找回来。

# %% [markdown] lang="en"
# ## 1. It does not undo a convolution
#
# Run an ordinary convolution (4×4 → 2×2), then a transposed convolution with the **same**
# kernel (2×2 → 4×4). The shape comes back; the values do not. Once 16 numbers have been
# squeezed into 4, the information is gone and no linear map can bring it back.

# %%
x = torch.arange(16, dtype=torch.float64).reshape(1, 1, 4, 4)
w = torch.randn(1, 1, 3, 3, dtype=torch.float64)

y = F.conv2d(x, w)  # (1, 1, 2, 2)
x_back = F.conv_transpose2d(y, w)  # (1, 1, 4, 4)

print(
    "x:",
    tuple(x.shape),
    "-> y:",
    tuple(y.shape),
    "-> x_back:",
    tuple(x_back.shape),
)
print(x[0, 0])
print(x_back[0, 0])
assert x_back.shape == x.shape and not torch.allclose(x_back, x)
print(say("形状相同，数值不同", "same shape, different values"))

# %% [markdown] lang="zh"
# ## 2. 输出尺寸
#
# 公式 $o' = (i'-1)s - 2p + d(k-1) + a + 1$。下面先用手算的表达式，再用
# `convnotes.shapes.conv_transpose_output_size`，最后用真正的 `nn.ConvTranspose2d` 各算一遍，
# 前两行是页面上的两个算例：5×5、k=3、s=2 → 11×11；4×4、k=3、s=2、output_padding=1 → 10×10。

# %% [markdown] lang="en"
# ## 2. Output size
#
# The formula is $o' = (i'-1)s - 2p + d(k-1) + a + 1$. Below it is computed three ways: the
# expression typed out by hand, `convnotes.shapes.conv_transpose_output_size`, and a real
# `nn.ConvTranspose2d`. The first two rows are the page's worked examples:
# 5×5, k=3, s=2 → 11×11, and 4×4, k=3, s=2, output_padding=1 → 10×10.

# %%
cases = [  # (i, k, s, p, a, d)
    (5, 3, 2, 0, 0, 1),
    (4, 3, 2, 0, 1, 1),
    (3, 4, 1, 0, 0, 1),
    (3, 3, 2, 1, 1, 1),
    (4, 3, 1, 0, 1, 2),
]
for i, k, s, p, a, d in cases:
    by_hand = (i - 1) * s - 2 * p + d * (k - 1) + a + 1
    by_shapes = conv_transpose_output_size(
        i, k, stride=s, padding=p, output_padding=a, dilation=d
    )
    layer = torch.nn.ConvTranspose2d(
        1, 1, k, stride=s, padding=p, output_padding=a, dilation=d
    )
    by_torch = layer(torch.ones(1, 1, i, i)).shape[-1]
    assert by_hand == by_shapes == by_torch
    print(f"i={i} k={k} s={s} p={p} a={a} d={d}  ->  o'={by_torch}")

# %% [markdown] lang="zh"
# 反过来检查推导的出发点：对每个 $a = 0, \dots, s-1$，
# 把转置卷积的输出尺寸 $o'$ 交给同参数的普通卷积，都得回到 $i'$。

# %% [markdown] lang="en"
# Now check the starting point of the derivation: for every $a = 0, \dots, s-1$, an ordinary
# convolution with the same parameters maps the transposed output size $o'$ back to $i'$.

# %%
i, k, s, p = 4, 3, 3, 1
for a in range(s):
    o = conv_transpose_output_size(i, k, stride=s, padding=p, output_padding=a)
    back = conv_output_size(o, k, stride=s, padding=p)
    print(f"a={a}: o'={o}, conv(o') = {back}")
    assert back == i

# %% [markdown] lang="zh"
# ## 3. 三种看法，同一个结果
#
# 固定一组参数：2 个输入通道、3 个输出通道、3×4 的输入、k=3、s=2、p=1、output_padding=1。
# 注意 `ConvTranspose2d` 的权重形状是 `(in_channels, out_channels, k, k)`。

# %% [markdown] lang="en"
# ## 3. Three views, one result
#
# Fix one configuration: 2 input channels, 3 output channels, a 3×4 input, k=3, s=2, p=1,
# output_padding=1. Note that a `ConvTranspose2d` weight has shape
# `(in_channels, out_channels, k, k)`.

# %%
c_in, c_out, k, s, p, a = 2, 3, 3, 2, 1, 1
# one sample, no batch dimension
x = torch.randn(c_in, 3, 4, dtype=torch.float64)
w = torch.randn(c_in, c_out, k, k, dtype=torch.float64)

reference = F.conv_transpose2d(
    x[None], w, stride=s, padding=p, output_padding=a
)[0]
print(say("输出形状：", "output shape:"), tuple(reference.shape))


# %% [markdown] lang="zh"
# ### 看法一：把卷积核的副本散布相加
#
# 每个输入像素 $x[c, i, j]$ 把整个卷积核乘以自己，放到输出画布的 $(i s, j s)$ 处叠加；
# 最后从画布四周各裁掉 $p$ 行/列。`output_padding` 只是让画布在下方和右方多留 $a$ 行/列。

# %% [markdown] lang="en"
# ### View 1: scatter-add copies of the kernel
#
# Each input pixel $x[c, i, j]$ scales the whole kernel and adds it onto an output canvas at
# $(i s, j s)$; at the end $p$ rows/columns are cropped from every side. `output_padding`
# only makes the canvas $a$ rows/columns longer at the bottom and right.


# %%
def scatter_add_transpose(x, w, stride, padding, output_padding, dilation=1):
    """Transposed conv of one sample (C_in, H, W): scatter kernel copies."""
    _, height, width = x.shape
    _, channels_out, kh, kw = w.shape
    span_h, span_w = dilation * (kh - 1) + 1, dilation * (kw - 1) + 1
    canvas = x.new_zeros(
        channels_out,
        (height - 1) * stride + span_h + output_padding,
        (width - 1) * stride + span_w + output_padding,
    )
    for i in range(height):
        for j in range(width):
            # a kernel copy per output channel, weighted by each input, summed
            copy = torch.einsum("c,cokl->okl", x[:, i, j], w)
            rows = slice(i * stride, i * stride + span_h, dilation)
            cols = slice(j * stride, j * stride + span_w, dilation)
            canvas[:, rows, cols] += copy
    out_h = canvas.shape[1] - 2 * padding
    out_w = canvas.shape[2] - 2 * padding
    return canvas[:, padding : padding + out_h, padding : padding + out_w]


view1 = scatter_add_transpose(x, w, s, p, a)
assert_close(view1, reference)
print(
    say("散布相加", "scatter-add"), "== F.conv_transpose2d:", tuple(view1.shape)
)


# %% [markdown] lang="zh"
# ### 看法二：零插入 + 普通卷积（卷积核要翻转）
#
# 在输入像素之间插入 $s-1$ 个零，四周各补 $d(k-1)-p$ 圈零，再在下方/右方多补 $a$ 行/列，
# 然后做一次步长为 1 的普通卷积。关键两点：卷积核要**上下左右翻转**，输入/输出通道要**对调**。
# （当 $p > d(k-1)$ 时补零数为负，相当于裁剪；这里不讨论。）

# %% [markdown] lang="en"
# ### View 2: zero insertion + an ordinary convolution (with the kernel flipped)
#
# Insert $s-1$ zeros between input pixels, pad $d(k-1)-p$ zeros on every side plus $a$ more
# at the bottom/right, then run a stride-1 ordinary convolution. Two details matter: the kernel
# is **flipped** in both spatial directions, and its input/output channels are **swapped**.
# (When $p > d(k-1)$ that padding is negative, i.e. a crop; not covered here.)


# %%
def zero_insertion_transpose(
    x, w, stride, padding, output_padding, dilation=1, flip=True
):
    """Transposed conv of one sample: stride-1 conv of the stretched input."""
    channels_in, height, width = x.shape
    k = w.shape[-1]
    stretched = x.new_zeros(
        channels_in, (height - 1) * stride + 1, (width - 1) * stride + 1
    )
    stretched[:, ::stride, ::stride] = x
    edge = dilation * (k - 1) - padding
    assert edge >= 0, "this sketch only handles padding <= dilation * (k - 1)"
    # F.pad order: (left, right, top, bottom); output_padding on one side only
    padded = F.pad(
        stretched, (edge, edge + output_padding, edge, edge + output_padding)
    )
    kernel = w.flip(-2, -1) if flip else w  # flip = rotate by 180 degrees
    # (C_in, C_out, k, k) -> (C_out, C_in, k, k)
    kernel = kernel.transpose(0, 1)
    return cf.conv2d(padded[None], kernel, dilation=dilation)[0]


demo = torch.zeros(5, 7)
demo[::2, ::2] = 1
print(
    say(
        "s=2 插零后 3×4 输入像素的位置：",
        "positions of the 3×4 input pixels after zero insertion, s=2:",
    )
)
print(demo)

view2 = zero_insertion_transpose(x, w, s, p, a)
assert_close(view2, reference)
print(
    say("插零 + 翻转卷积核", "zero insertion + flipped kernel"),
    "== F.conv_transpose2d",
)

wrong = zero_insertion_transpose(x, w, s, p, a, flip=False)
print(
    say("不翻转时的最大误差：", "without the flip, largest difference:"),
    float((wrong - reference).abs().max()),
)

# %% [markdown] lang="zh"
# ### 看法三：乘以 $C^\top$
#
# 把转置卷积的权重当作一个从 3 通道到 2 通道的**普通卷积**的权重（形状正好是 `(out, in, k, k)`），
# `convnotes.conv_matrix` 给出这个卷积在 6×8 输入上的展开矩阵 $C$。转置卷积就是乘以 $C^\top$。

# %% [markdown] lang="en"
# ### View 3: multiplication by $C^\top$
#
# Read the transposed conv's weight as the weight of an **ordinary** convolution from 3 channels
# to 2 channels (its shape is exactly `(out, in, k, k)`); `convnotes.conv_matrix` builds that
# convolution's unrolled matrix $C$ on a 6×8 input. The transposed convolution is
# multiplication by $C^\top$.

# %%
# (6, 8): the size the conv would start from
out_size = tuple(reference.shape[1:])
C = conv_matrix(w, out_size, stride=s, padding=p)
print("C:", tuple(C.shape), " C^T:", tuple(C.T.shape))

view3 = (C.T @ x.flatten()).reshape(reference.shape)
assert_close(view3, reference)
print("C^T @ x == F.conv_transpose2d")

# %% [markdown] lang="zh"
# 本项目的几种实现也给出同样结果：`direct` 按卷积核偏移循环，`unrolled` 显式乘矩阵，
# `im2col` 把窗口展开后做一次矩阵乘法；默认的 `method="auto"` 按问题的形状挑一种更快的算法
# （见[从零实现卷积](../from-scratch.md)）。

# %% [markdown] lang="en"
# The methods of this project's implementation agree as well: `direct` loops over kernel
# offsets, `unrolled` multiplies by the explicit matrix, `im2col` unfolds the windows and does one
# matrix product; the default, `method="auto"`, picks a faster algorithm per problem shape (see
# [convolution from scratch](../from-scratch.md)).

# %%
for method in ("direct", "unrolled", "im2col", "auto"):
    ours = cf.conv_transpose2d(
        x[None], w, stride=s, padding=p, output_padding=a, method=method
    )
    assert_close(ours[0], reference)
    print(method, "ok")

# %% [markdown] lang="zh"
# ## 4. 它是卷积对输入的梯度
#
# 取一个输入大小为 6×8 的普通卷积（同样的 `w`、`s`、`p`），它的输出是 3×4。
# 对输入求梯度、把 `x` 当作上游梯度传回去，得到的正是转置卷积的结果。
# 这就是 PyTorch 和各框架实现转置卷积的方式。

# %% [markdown] lang="en"
# ## 4. It is the gradient of a convolution w.r.t. its input
#
# Take an ordinary convolution on a 6×8 input (same `w`, `s`, `p`); its output is 3×4. Ask
# autograd for the gradient w.r.t. the input, with `x` as the incoming gradient: the result is
# exactly the transposed convolution. This is how PyTorch and other frameworks implement it.

# %%
z = torch.randn(c_out, *out_size, dtype=torch.float64, requires_grad=True)
conv_out = F.conv2d(z[None], w, stride=s, padding=p)
print(
    say("卷积输入：", "conv input:"),
    tuple(z.shape),
    "->",
    tuple(conv_out.shape[1:]),
)

(grad,) = torch.autograd.grad(conv_out, z, grad_outputs=x[None])
assert_close(grad, reference)
print(
    say("卷积对输入的梯度（上游梯度为 x）", "d(conv)/d(input) applied to x"),
    "== F.conv_transpose2d",
)

# %% [markdown] lang="zh"
# ## 5. 自己改一改
#
# 把第 3 节的 `k, s, p, a` 改成别的值（例如 `k=4, s=2, p=1, a=0`，或者 `k=5, s=3, p=2, a=2`），
# 再从那里往下全部重新运行：所有断言应当依然通过。
# `a` 在每个维度上都必须小于步长 `s` **或**小于膨胀率 `d`；
# 两者都不满足时（例如 `a=2, s=2, d=1`）PyTorch 会报错，而 `a=2, s=2, d=3` 是允许的，
# 见 [output_padding](../output-padding.md)。

# %% [markdown] lang="en"
# ## 5. Try it
#
# Change `k, s, p, a` in section 3 (say `k=4, s=2, p=1, a=0`, or `k=5, s=3, p=2, a=2`) and
# rerun from there down: every assertion should still pass. In every dimension `a` must be
# smaller than the stride `s` **or** smaller than the dilation `d`: PyTorch refuses `a=2, s=2, d=1`
# but accepts `a=2, s=2, d=3`; [output_padding](../output-padding.md) explains why.
