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
# # 从零实现卷积：三种方法
#
# 这个笔记本配合[从零实现卷积](../from-scratch.md)一页。`convnotes.functional` 用三种方法
# 实现同一个卷积：`"direct"`（对卷积核的每个位置循环）、`"unrolled"`（乘以展开矩阵 $C$）、
# `"im2col"`（窗口排成矩阵，每组一次矩阵乘法）。我们先亲手把 im2col 做一遍，再把三种方法与
# PyTorch 逐一比较，最后粗略地计时。

# %% [markdown] lang="en"
# # Convolution from scratch: three methods
#
# This notebook goes with the [Convolution from scratch](../from-scratch.md) page.
# `convnotes.functional` implements the same convolution in three ways: `"direct"` (a loop over the
# kernel positions), `"unrolled"` (a product with the unrolled matrix $C$) and `"im2col"` (windows
# laid out as a matrix, one matrix product per group). We first do im2col by hand, then compare
# the three methods with PyTorch, and finally time them roughly.

# %%
import time

import torch
import torch.nn.functional as F

import convnotes.functional as cf
from convnotes import conv_matrix
from convnotes.shapes import conv_output_size, conv_transpose_output_size

# tensors here are small: one thread beats thread start-up costs
torch.set_num_threads(1)
torch.manual_seed(0)
torch.set_printoptions(precision=3, sci_mode=False, linewidth=120)

LANG = "zh"  # language of printed labels and plot text: "zh" or "en"


def say(zh, en):
    """The text in the notebook's language."""
    return {"zh": zh, "en": en}[LANG]


# %% [markdown] lang="zh"
# ## 1. im2col：把每个窗口排成一列
#
# 一个 4×4 的输入、3×3 的卷积核、步长 1：卷积核停 2×2 = 4 处。`as_strided` 不复制数据，
# 只换一种“看法”，就能得到形状为 `(C, kH, kW, oH, oW)` 的视图：下标 `[c, u, v, i, j]` 指向
# `x[c, s·i + d·u, s·j + d·v]`。把前三维和后两维各自合并，就得到一个 9×4 的矩阵，每一列是一个窗口。

# %% [markdown] lang="en"
# ## 1. im2col: every window becomes a column
#
# A 4×4 input, a 3×3 kernel, stride 1: the kernel stops at 2×2 = 4 places. `as_strided` copies
# nothing, it only looks at the same memory differently, and gives a view of shape
# `(C, kH, kW, oH, oW)` whose entry `[c, u, v, i, j]` is `x[c, s·i + d·u, s·j + d·v]`. Merging the
# first three and the last two dimensions gives a 9×4 matrix with one window per column.

# %%
# (C=1, H=4, W=4): the values are the pixel numbers
x = torch.arange(16.0).view(1, 4, 4)
k, s, d = 3, 1, 1
out = conv_output_size(4, k, stride=s, dilation=d)
row_step, col_step = x.stride()[1:]
windows = x.as_strided(
    size=(1, k, k, out, out),
    stride=(
        x.stride()[0],
        d * row_step,
        d * col_step,
        s * row_step,
        s * col_step,
    ),
)
cols = windows.reshape(1 * k * k, out * out)
print(x[0])
print(say("每一列是一个窗口：", "columns (one window each):"))
print(cols)
assert windows.data_ptr() == x.data_ptr()  # a view: no copy until the reshape
for column, (i, j) in enumerate((i, j) for i in range(out) for j in range(out)):
    torch.testing.assert_close(
        cols[:, column], x[0, i : i + k, j : j + k].flatten()
    )


# %% [markdown] lang="zh"
# 有了这个矩阵，整个卷积就是**一次矩阵乘法**：权重矩阵 `(C_out, C_in·kH·kW)` 乘以窗口矩阵
# `(C_in·kH·kW, oH·oW)`，结果重排成 `(C_out, oH, oW)`。下面写一个完整的小版本
# （支持批、填充、步长、膨胀和分组），与 PyTorch 比较。

# %% [markdown] lang="en"
# With that matrix, the whole convolution is **one matrix product**: the weight matrix
# `(C_out, C_in·kH·kW)` times the window matrix `(C_in·kH·kW, oH·oW)`, reshaped to
# `(C_out, oH, oW)`. Below is a complete small version (batch, padding, stride, dilation, groups),
# compared with PyTorch.


# %%
def conv2d_im2col(x, weight, stride=1, padding=0, dilation=1, groups=1):
    """2d conv: im2col + one batched matmul per group (square kernel)."""
    n, c_in, h, w = x.shape
    c_out, _, k, _ = weight.shape
    x = F.pad(x, (padding, padding, padding, padding))
    oh = conv_output_size(h, k, stride, padding, dilation)
    ow = conv_output_size(w, k, stride, padding, dilation)
    sn, sc, sh, sw = x.stride()
    windows = x.as_strided(
        (n, c_in, k, k, oh, ow),
        (sn, sc, dilation * sh, dilation * sw, stride * sh, stride * sw),
    )
    cols = windows.reshape(n, groups, (c_in // groups) * k * k, oh * ow)
    weights = weight.reshape(groups, c_out // groups, (c_in // groups) * k * k)
    # (N, groups, C_out/g, oH*oW)
    return (weights @ cols).reshape(n, c_out, oh, ow)


x = torch.randn(2, 4, 9, 9, dtype=torch.float64)
weight = torch.randn(6, 2, 3, 3, dtype=torch.float64)
mine = conv2d_im2col(x, weight, stride=2, padding=1, dilation=2, groups=2)
torch.testing.assert_close(
    mine, F.conv2d(x, weight, stride=2, padding=1, dilation=2, groups=2)
)
print(
    say("手写的 im2col 与 torch 一致：", "hand-made im2col == torch:"),
    tuple(mine.shape),
)

# %% [markdown] lang="zh"
# ## 2. 三种方法与 PyTorch 一致
#
# 在几组参数上（步长、填充、膨胀、分组、偏置）比较 `convnotes.functional` 的三种方法和 PyTorch，
# 卷积和转置卷积都比。用 float64，误差在 $10^{-10}$ 量级以内。

# %% [markdown] lang="en"
# ## 2. The three methods agree with PyTorch
#
# Over a few parameter sets (stride, padding, dilation, groups, bias), the three methods of
# `convnotes.functional` are compared with PyTorch, for convolution and transposed convolution
# alike. In float64 the differences stay around $10^{-10}$ or below.

# %%
cases = [
    dict(stride=1, padding=0, dilation=1, groups=1),
    dict(stride=2, padding=1, dilation=1, groups=1),
    dict(stride=1, padding=2, dilation=2, groups=2),
    dict(stride=(2, 1), padding=(1, 0), dilation=(1, 2), groups=4),
]
methods = ["direct", "unrolled", "im2col"]
for case in cases:
    x = torch.randn(2, 4, 7, 8, dtype=torch.float64)
    weight = torch.randn(8, 4 // case["groups"], 3, 3, dtype=torch.float64)
    bias = torch.randn(8, dtype=torch.float64)
    expected = F.conv2d(x, weight, bias, **case)
    worst = 0.0
    for method in methods:
        result = cf.conv2d(x, weight, bias, **case, method=method)
        torch.testing.assert_close(result, expected, rtol=0, atol=1e-10)
        worst = max(worst, (result - expected).abs().max().item())
    print(f"conv2d           {case}: max |diff| = {worst:.1e}")
    assert worst <= 1e-10

    y = torch.randn(2, 8, 4, 5, dtype=torch.float64)
    t_weight = torch.randn(8, 4 // case["groups"], 3, 3, dtype=torch.float64)
    expected = F.conv_transpose2d(y, t_weight, bias[:4], **case)
    worst = 0.0
    for method in methods:
        result = cf.conv_transpose2d(
            y, t_weight, bias[:4], **case, method=method
        )
        torch.testing.assert_close(result, expected, rtol=0, atol=1e-10)
        worst = max(worst, (result - expected).abs().max().item())
    print(f"conv_transpose2d {case}: max |diff| = {worst:.1e}")
    assert worst <= 1e-10

# %% [markdown] lang="zh"
# ## 3. `"unrolled"`：乘以展开矩阵 $C$
#
# 卷积是线性的，所以对一个样本 $y = C x$（都展平）。4×4 输入、3×3 卷积核时 $C$ 是 4×16：
# 每一行是一个输出像素，里面放着 9 个权重，其余是 0。转置卷积乘以 $C^\top$。

# %% [markdown] lang="en"
# ## 3. `"unrolled"`: multiply by the unrolled matrix $C$
#
# A convolution is linear, so for one sample $y = C x$ (both flattened). With a 4×4 input and a 3×3
# kernel, $C$ is 4×16: each row is one output pixel and holds the 9 weights, zeros elsewhere. The
# transposed convolution multiplies by $C^\top$.

# %%
# w = 1..9 so each entry shows which tap it is
weight = torch.arange(1.0, 10.0).view(1, 1, 3, 3)
C = conv_matrix(weight, (4, 4))
print("C:", tuple(C.shape))
print(C.int())
# 9 weights per row
assert C.shape == (4, 16) and ((C != 0).sum(dim=1) == 9).all()

x = torch.randn(1, 4, 4)
torch.testing.assert_close(C @ x.flatten(), F.conv2d(x, weight).flatten())
y = torch.randn(1, 2, 2)
torch.testing.assert_close(
    C.T @ y.flatten(), F.conv_transpose2d(y, weight).flatten()
)
print(
    say(
        "卷积 = C @ x，转置卷积 = C.T @ y",
        "conv = C @ x,  transposed conv = C.T @ y",
    )
)


# %% [markdown] lang="zh"
# ## 4. 转置卷积：先矩阵乘法，再 col2im 散布相加
#
# im2col 方法的转置卷积不往输入里插零，而是反过来走一遍：先用 $W^\top$ 做一次矩阵乘法，
# 得到每个输入像素对每个卷积核位置的贡献（“列”），再把卷积核位置 $(u, v)$ 的那一份加到输出的一个
# 步长为 $s$ 的切片上（col2im），最后裁掉 `padding`。

# %% [markdown] lang="en"
# ## 4. Transposed convolution: a matrix product, then a col2im scatter-add
#
# The im2col method does not insert zeros into the input for the transposed convolution; it runs
# the other way: one matrix product with $W^\top$ gives what every input pixel contributes at every
# kernel position (the "columns"), then the share of kernel position $(u, v)$ is added into a
# stride-$s$ slice of the output (col2im), and finally `padding` is cropped off.


# %%
def conv_transpose2d_col2im(y, weight, stride=1, padding=0):
    """2d transposed conv: a matmul with W^T, then a scatter-add (g=d=1)."""
    n, c_in, h, w = y.shape
    _, c_out, k, _ = weight.shape  # transposed layout: (C_in, C_out, k, k)
    cols = weight.reshape(c_in, c_out * k * k).T @ y.reshape(n, c_in, h * w)
    cols = cols.reshape(n, c_out, k, k, h, w)
    # before cropping the padding
    full = conv_transpose_output_size((h, w), k, stride)
    out = y.new_zeros(n, c_out, *full)
    for u in range(k):
        for v in range(k):
            # input row i lands on u + s*i
            rows = slice(u, u + stride * (h - 1) + 1, stride)
            columns = slice(v, v + stride * (w - 1) + 1, stride)
            out[:, :, rows, columns] += cols[:, :, u, v]
    return out[:, :, padding : full[0] - padding, padding : full[1] - padding]


y = torch.randn(2, 3, 5, 5, dtype=torch.float64)
weight = torch.randn(3, 4, 3, 3, dtype=torch.float64)
mine = conv_transpose2d_col2im(y, weight, stride=2, padding=1)
torch.testing.assert_close(
    mine, F.conv_transpose2d(y, weight, stride=2, padding=1)
)
print(
    say(
        "手写的矩阵乘法 + col2im 与 torch 一致：",
        "hand-made GEMM + col2im == torch:",
    ),
    tuple(mine.shape),
)


# %% [markdown] lang="zh"
# ## 5. 粗略计时
#
# 下面的数字只是量级，取决于机器和负载（这里是 CPU），也没有断言谁快谁慢。
# `"unrolled"` 的矩阵 $C$ 几乎全是零，大小随输入尺寸的平方增长，所以只在小输入上计时。
# 多次重复、交替运行的测量见[速度](../speed.md)一页。

# %% [markdown] lang="en"
# ## 5. Rough timings
#
# The numbers below only give orders of magnitude and depend on the machine and its load (a CPU
# here); nothing is asserted about which is faster. The matrix $C$ of `"unrolled"` is almost all
# zeros and grows with the square of the input size, so it is only timed on a small input. Careful
# measurements, repeated and interleaved, are on the [Speed](../speed.md) page.


# %%
def best_time(call, repeat=3):
    """Shortest wall-clock time of a few runs, in milliseconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return 1000 * min(times)


sizes = {
    say("小   (1, 8, 16, 16)", "small  (1, 8, 16, 16)"): (
        torch.randn(1, 8, 16, 16),
        torch.randn(8, 8, 3, 3),
        methods,
    ),
    say("中   (8, 32, 32, 32)", "medium (8, 32, 32, 32)"): (
        torch.randn(8, 32, 32, 32),
        torch.randn(32, 32, 3, 3),
        ["direct", "im2col"],
    ),
}
for label, (x, weight, timed) in sizes.items():
    row = {
        "torch": best_time(
            lambda x=x, weight=weight: F.conv2d(x, weight, padding=1)
        )
    }
    for method in timed:
        row[method] = best_time(
            lambda x=x, weight=weight, method=method: cf.conv2d(
                x, weight, padding=1, method=method
            )
        )
    print(label, "  ".join(f"{name}: {ms:7.2f} ms" for name, ms in row.items()))
