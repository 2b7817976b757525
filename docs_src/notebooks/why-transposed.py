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
# # 为什么叫“转置”：动手验证
#
# 配合[为什么叫“转置”](../why-transposed.md)一页。我们用 `convnotes.conv_matrix` 把卷积写成矩阵 $C$，
# 然后验证三件事：$C x$ 是卷积，$C^\top y$ 是转置卷积，$C^\top y$ 也是卷积对输入的梯度。

# %% [markdown] lang="en"
# # Why "transposed": check it yourself
#
# This notebook goes with the [Why "transposed"](../why-transposed.md) page. `convnotes.conv_matrix`
# writes a convolution as a matrix $C$; then we check three things: $C x$ is the convolution,
# $C^\top y$ is the transposed convolution, and $C^\top y$ is also the gradient of the
# convolution w.r.t. its input.

# %%
import matplotlib.pyplot as plt
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.testing import assert_close

from convnotes import conv_matrix
from convnotes.matrix import conv_matrix_markdown
from convnotes.shapes import conv_output_size, output_padding_for
from IPython.display import Markdown, display

LANG = "zh"  # language of printed labels and plot text: "zh" or "en"


def say(zh: str, en: str) -> str:
    """The label in the notebook's language."""
    return {"zh": zh, "en": en}[LANG]


plt.rcParams["font.sans-serif"] = [
    "Noto Sans CJK SC",
    "WenQuanYi Micro Hei",
    "DejaVu Sans",
]
torch.manual_seed(0)
torch.set_printoptions(precision=0, sci_mode=False, linewidth=140)

# %% [markdown] lang="zh"
# ## 1. 一个小例子：4×4 输入、3×3 卷积核
#
# 卷积核取 1 到 9，方便在矩阵里认出每个权重。输出 2×2 共 4 个数，输入 16 个数，所以 $C$ 是 4×16。

# %% [markdown] lang="en"
# ## 1. A small case: 4×4 input, 3×3 kernel
#
# The kernel holds 1 to 9 so that every weight is easy to spot in the matrix. The output has
# 2×2 = 4 numbers and the input 16, so $C$ is 4×16.

# %%
# (C_out, C_in, kH, kW)
w = torch.arange(1, 10, dtype=torch.float64).reshape(1, 1, 3, 3)
C = conv_matrix(w, (4, 4))
print("C:", tuple(C.shape))
print(C)

# %% [markdown] lang="zh"
# 同一个矩阵的符号形式（$w_{uv}$ 表示卷积核第 $u$ 行第 $v$ 列），以及它的转置：

# %% [markdown] lang="en"
# The same matrix with symbols ($w_{uv}$ is the kernel entry in row $u$, column $v$), and its transpose:

# %%
display(Markdown(conv_matrix_markdown(3, (4, 4))))
display(Markdown(conv_matrix_markdown(3, (4, 4), transposed=True)))

# %% [markdown] lang="zh"
# ## 2. $y = C x$ 就是卷积

# %% [markdown] lang="en"
# ## 2. $y = C x$ is the convolution

# %%
x = torch.randn(1, 4, 4, dtype=torch.float64)  # one sample: (C_in, H, W)
y_conv = F.conv2d(x[None], w)[0]
y_matrix = (C @ x.flatten()).reshape(y_conv.shape)
assert_close(y_matrix, y_conv)
print(
    "C @ x == F.conv2d(x, w),",
    say("输出形状", "output shape"),
    tuple(y_conv.shape),
)

# %% [markdown] lang="zh"
# ## 3. $C^\top y$ 就是转置卷积，也是梯度
#
# $C^\top$ 是 16×4：把 2×2 变成 4×4。用的是**同一个**权重张量 `w`。

# %% [markdown] lang="en"
# ## 3. $C^\top y$ is the transposed convolution, and the gradient
#
# $C^\top$ is 16×4: it takes 2×2 to 4×4. It uses **the same** weight tensor `w`.

# %%
y = torch.randn(1, 2, 2, dtype=torch.float64)
x_transposed = (C.T @ y.flatten()).reshape(1, 4, 4)
assert_close(x_transposed, F.conv_transpose2d(y[None], w)[0])
print("C^T:", tuple(C.T.shape), "| C^T @ y == F.conv_transpose2d(y, w)")

z = torch.randn(1, 1, 4, 4, dtype=torch.float64, requires_grad=True)
(grad,) = torch.autograd.grad(F.conv2d(z, w), z, grad_outputs=y[None])
assert_close(grad[0], x_transposed)
print(
    "C^T @ y ==",
    say("conv2d 对输入的梯度", "gradient of conv2d w.r.t. its input"),
)

# %% [markdown] lang="zh"
# ## 4. 但它不是逆
#
# $C$ 的秩最多是 4，而输入有 16 维：先乘 $C$ 再乘 $C^\top$ 回不到原来的 $x$。

# %% [markdown] lang="en"
# ## 4. But it is not an inverse
#
# $C$ has rank at most 4 while the input has 16 dimensions: multiplying by $C$ and then by
# $C^\top$ does not give $x$ back.

# %%
rank = int(torch.linalg.matrix_rank(C))
print(
    say(
        f"C 的秩：{rank}，输入维数：{C.shape[1]}",
        f"rank of C: {rank} of {C.shape[1]} input dimensions",
    )
)
round_trip = C.T @ (C @ x.flatten())
assert rank == 4 and not torch.allclose(round_trip, x.flatten())
print(say("C^T C x 不等于 x", "C^T C x is not x"))

# %% [markdown] lang="zh"
# ## 5. 同一个权重张量，两个层
#
# `nn.Conv2d(2, 3, k)` 的权重形状是 `(3, 2, k, k)`，`nn.ConvTranspose2d(3, 2, k)` 的权重形状也是 `(3, 2, k, k)`。
# 把卷积层的权重拷进转置卷积层，转置卷积层算的就正好是 $C^\top y$。
# 各自随机初始化时，两层的权重不同，所以它们之间不是转置关系；这只是“权重不同”，不是“只有形状像转置”。

# %% [markdown] lang="en"
# ## 5. One weight tensor, two layers
#
# `nn.Conv2d(2, 3, k)` has a weight of shape `(3, 2, k, k)`, and so does `nn.ConvTranspose2d(3, 2, k)`.
# Copy the convolution's weight into the transposed layer and it computes exactly $C^\top y$.
# Initialised separately, the two layers hold different weights and are not transposes of each
# other; that is only "different weights", not "merely a transposed shape".

# %%
conv = nn.Conv2d(2, 3, 3, stride=2, padding=1, bias=False).double()
up = nn.ConvTranspose2d(
    3, 2, 3, stride=2, padding=1, output_padding=1, bias=False
).double()
print(
    "conv.weight",
    tuple(conv.weight.shape),
    "| up.weight",
    tuple(up.weight.shape),
)

C2 = conv_matrix(conv.weight.detach(), (6, 6), stride=2, padding=1)
y2 = torch.randn(3, 3, 3, dtype=torch.float64)
expected = (C2.T @ y2.flatten()).reshape(2, 6, 6)

with torch.no_grad():
    same = torch.allclose(up(y2[None])[0], expected)
    print(say("各自的权重：", "own weights:  "), "up(y) == C^T y ?", same)
    up.weight.copy_(conv.weight)
    assert_close(up(y2[None])[0], expected)
    print(say("共享的权重：", "shared weight:"), "up(y) == C^T y ? True")

# %% [markdown] lang="zh"
# ## 6. 带步长、带填充的情形
#
# 对几组参数重复第 2、3 节的检查。输入尺寸必须是卷积的输入尺寸，
# 转置卷积需要相应的 `output_padding` 才能回到这个尺寸。

# %% [markdown] lang="en"
# ## 6. With stride and padding
#
# Repeat the checks of sections 2 and 3 for a few settings. The size is the convolution's input
# size; the transposed convolution needs the matching `output_padding` to come back to it.

# %%
for size, k, s, p in [(5, 3, 2, 0), (4, 3, 1, 1), (6, 3, 2, 1), (7, 4, 3, 2)]:
    # conv: 3 -> 2 channels
    weight = torch.randn(2, 3, k, k, dtype=torch.float64)
    Cm = conv_matrix(weight, (size, size), stride=s, padding=p)
    out = conv_output_size(size, k, stride=s, padding=p)
    a = output_padding_for(out, size, k, stride=s, padding=p)
    xs = torch.randn(3, size, size, dtype=torch.float64)
    ys = torch.randn(2, out, out, dtype=torch.float64)
    assert_close(
        (Cm @ xs.flatten()).reshape(2, out, out),
        F.conv2d(xs[None], weight, stride=s, padding=p)[0],
    )
    assert_close(
        (Cm.T @ ys.flatten()).reshape(3, size, size),
        F.conv_transpose2d(
            ys[None], weight, stride=s, padding=p, output_padding=a
        )[0],
    )
    print(f"{size}×{size}, k={k}, s={s}, p={p}, a={a}: C {tuple(Cm.shape)} ✓")

# %% [markdown] lang="zh"
# ## 7. 画出来
#
# 左边是 $C$，右边是 $C^\top$；每个彩色格子是卷积核的一个权重，白色是 0。
# 换成第 6 节的参数可以看到步长和填充怎样改变这种带状结构。

# %% [markdown] lang="en"
# ## 7. Draw it
#
# $C$ on the left, $C^\top$ on the right; each coloured cell is one kernel weight, white is 0.
# Switch to the settings of section 6 to see how stride and padding change the banded pattern.

# %%
fig, (left, right) = plt.subplots(
    1, 2, figsize=(9, 3.6), gridspec_kw={"width_ratios": [4, 1.4]}
)
masked = torch.where(C == 0, torch.nan, C)
left.imshow(masked, cmap="viridis")
left.set_title("C  (4 x 16)")
right.imshow(masked.T, cmap="viridis")
right.set_title("C^T  (16 x 4)")
for ax in (left, right):
    ax.set_xlabel(say("列", "column"))
    ax.set_ylabel(say("行", "row"))
plt.tight_layout()
plt.show()
