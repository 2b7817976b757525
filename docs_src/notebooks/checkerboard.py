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

torch.manual_seed(0)
torch.set_printoptions(precision=2, sci_mode=False, linewidth=140)


# %% [markdown] lang="zh"
# ## 1. 一维的重叠次数
#
# 对照一个独立的数法：输出位置 $t$ 被输入位置 $j$ 覆盖，当且仅当 $0 \le t - j s < k$。
# 内部区域（不受两端影响的部分）里最大与最小重叠次数之比大于 1，就会出现棋盘效应。

# %% [markdown] lang="en"
# ## 1. Overlap counts in 1d
#
# Check against an independent count: output position $t$ is covered by input position $j$
# exactly when $0 \le t - j s < k$. If the largest and smallest overlap in the interior (away from
# the two ends) differ, there will be checkerboard artifacts.

# %%
def overlap_1d(k, s, n=8):
    """How many kernel copies land on each output position: a transposed conv of ones."""
    ones = torch.ones(1, 1, n, dtype=torch.float64)
    return cf.conv_transpose1d(ones, torch.ones(1, 1, k, dtype=torch.float64), stride=s)[0, 0]


def overlap_1d_by_counting(k, s, n=8):
    length = (n - 1) * s + k
    return torch.tensor(
        [sum(0 <= t - j * s < k for j in range(n)) for t in range(length)], dtype=torch.float64
    )


for k, s in [(3, 2), (4, 2), (5, 2), (3, 3), (2, 2), (3, 1)]:
    counts = overlap_1d(k, s)
    assert_close(counts, overlap_1d_by_counting(k, s))
    interior = counts[k - 1 : len(counts) - k + 1]
    ratio = float(interior.max() / interior.min())
    assert (ratio == 1.0) == (k % s == 0)
    print(f"k={k} s={s}  k%s={k % s}  max/min={ratio:.2f}  counts={counts.int().tolist()}")


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
    return cf.conv_transpose2d(ones, torch.ones(1, 1, k, k, dtype=torch.float64), stride=s)[0, 0]


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
print(overlap_2d(3, 2).int())

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

transposed = cf.conv_transpose2d(flat, kernel, stride=2, padding=1, output_padding=1)
resized = cf.conv2d(F.interpolate(flat, scale_factor=2, mode="nearest"), kernel, padding=1)
print("shapes:", tuple(transposed.shape[-2:]), tuple(resized.shape[-2:]))

inner_t = transposed[0, 0, 2:-2, 2:-2]
inner_r = resized[0, 0, 2:-2, 2:-2]
print("distinct interior values, transposed conv:", inner_t.round(decimals=6).unique().numel())
print("distinct interior values, resize-conv:    ", inner_r.round(decimals=6).unique().numel())
assert inner_r.round(decimals=6).unique().numel() == 1

fig, (a, b) = plt.subplots(1, 2, figsize=(7, 3.4))
a.imshow(transposed[0, 0], cmap="gray")
a.set_title("conv_transpose2d, k=3 s=2")
b.imshow(resized[0, 0], cmap="gray")
b.set_title("nearest x2 + conv2d, k=3")
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
even = cf.conv_transpose2d(ones8, torch.ones(1, 1, 4, 4, dtype=torch.float64), stride=2, padding=1)
print("output size:", tuple(even.shape[-2:]))
print("interior overlap values:", even[0, 0, 2:-2, 2:-2].unique().tolist())

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
print("input gradient == overlap map of conv_transpose2d:", tuple(image.grad.shape[-2:]))
print(image.grad[0, 0, :5, :5].int())
