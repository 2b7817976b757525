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
# # 卷积：动手验证
#
# 这个笔记本配合[卷积](../convolution.md)一页。每个代码单元都可以改了再跑：换一个卷积核、
# 一个步长、一组通道数，看看输出怎么变。`assert` 语句检查页面上说的等式确实成立；
# 如果你改出一个不成立的情形，它会立刻报错。

# %% [markdown] lang="en"
# # Convolution: check it yourself
#
# This notebook goes with the [Convolution](../convolution.md) page. Change any cell and run it
# again: another kernel, another stride, other channel counts, and watch the output change. The
# `assert` statements check that the identities stated on the page really hold; if you make
# one fail, you will know at once.

# %%
import warnings

import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.nn.functional as F
from matplotlib import cbook

import convnotes.functional as cf
from convnotes import nn as cnn
from convnotes.shapes import conv_output_size, same_padding

LANG = "zh"  # printed labels: "zh" or "en" (plots use symbols only)


def say(zh: str, en: str) -> str:
    """The label in the notebook's language."""
    return {"zh": zh, "en": en}[LANG]


# tensors here are small: one thread beats thread start-up costs
torch.set_num_threads(1)
torch.manual_seed(0)
torch.set_printoptions(precision=3, sci_mode=False)

# %% [markdown] lang="zh"
# ## 1. 滑动的乘加
#
# 一维的情形最容易看清：卷积核 `w` 停在输入的每个位置上，与它盖住的那一段逐元素相乘再求和，
# 得到一个输出值。下面先用 Python 循环算一遍，再和 PyTorch 以及 convnotes 的结果比较。

# %% [markdown] lang="en"
# ## 1. A sliding multiply-add
#
# One dimension shows it best: the kernel `w` stops at every position of the input, multiplies
# the stretch it covers element by element and adds the products up, giving one output value.
# We compute it with a Python loop first, then compare with PyTorch and with convnotes.

# %%
x = torch.tensor([1.0, 2.0, 0.0, -1.0, 3.0, 1.0])
w = torch.tensor([1.0, 0.0, -1.0])
k = len(w)

by_hand = torch.stack([(x[i : i + k] * w).sum() for i in range(len(x) - k + 1)])
print(say("手算       :", "by hand    :"), by_hand)

# (N, C, L) and (C_out, C_in, k)
x_ncl, w_oik = (
    x.view(1, 1, -1),
    w.view(1, 1, -1),
)
print("F.conv1d   :", F.conv1d(x_ncl, w_oik).flatten())
print("cf.conv1d  :", cf.conv1d(x_ncl, w_oik, method="direct").flatten())

torch.testing.assert_close(F.conv1d(x_ncl, w_oik).flatten(), by_hand)
torch.testing.assert_close(
    cf.conv1d(x_ncl, w_oik, method="direct").flatten(), by_hand
)

# %% [markdown] lang="zh"
# ## 2. PyTorch 算的是互相关
#
# 数学上的卷积要先把卷积核翻转：$(x * w)[i] = \sum_m x[i + m]\, w[k - 1 - m]$
# （只取完全重叠的位置）。NumPy 的 `np.convolve(x, w, mode="valid")` 按这个定义计算；
# PyTorch 的 `conv1d` 不翻转，算的是互相关（和 `np.correlate(x, w, mode="valid")` 相同）。
# 把卷积核翻转一次，两者就一致了。
# `np.convolve` 的默认 `mode="full"` 还保留两端只部分重叠的 $k-1$ 个位置，
# 对应的是翻转后的卷积核再加 `padding=k-1`。

# %% [markdown] lang="en"
# ## 2. PyTorch computes cross-correlation
#
# The convolution of mathematics flips the kernel first:
# $(x * w)[i] = \sum_m x[i + m]\, w[k - 1 - m]$ (keeping only the fully overlapping positions).
# NumPy's `np.convolve(x, w, mode="valid")` follows that definition; PyTorch's `conv1d` does not
# flip, it computes a cross-correlation (the same as `np.correlate(x, w, mode="valid")`). Flip the
# kernel once and the two agree. The default of `np.convolve`, `mode="full"`, also keeps the
# $k-1$ partly overlapping positions at each end: that is the flipped kernel with `padding=k-1`.

# %%
pytorch_result = F.conv1d(x_ncl, w_oik).flatten().numpy()
full = np.convolve(x.numpy(), w.numpy())  # NumPy's default: mode="full"
flipped_padded = (
    F.conv1d(x_ncl, w_oik.flip(-1), padding=k - 1).flatten().numpy()
)
print("F.conv1d(x, w)                     :", pytorch_result)
print(
    "np.correlate(x, w, 'valid')        :",
    np.correlate(x.numpy(), w.numpy(), mode="valid"),
)
print(
    "np.convolve(x, w, 'valid')         :",
    np.convolve(x.numpy(), w.numpy(), mode="valid"),
)
print(
    "F.conv1d(x, flip(w))               :",
    F.conv1d(x_ncl, w_oik.flip(-1)).flatten().numpy(),
)
print("np.convolve(x, w)  ('full')        :", full)
print("F.conv1d(x, flip(w), padding=k - 1):", flipped_padded)

np.testing.assert_allclose(
    pytorch_result, np.correlate(x.numpy(), w.numpy(), mode="valid")
)
np.testing.assert_allclose(
    F.conv1d(x_ncl, w_oik.flip(-1)).flatten().numpy(),
    np.convolve(x.numpy(), w.numpy(), mode="valid"),
)
assert not np.allclose(
    pytorch_result, np.convolve(x.numpy(), w.numpy(), mode="valid")
)
np.testing.assert_allclose(flipped_padded, full)

# %% [markdown] lang="zh"
# ### 为什么这无关紧要：翻转只是给权重换了个名字
#
# 卷积核是学出来的。下面训练两个一模一样的小模型去拟合同一个目标：模型 A 用互相关
# （PyTorch 的做法），模型 B 用真正的卷积（互相关配翻转后的核）。B 的初值取 A 初值的翻转。
# 每一步梯度下降之后，B 的权重都恰好是 A 的翻转，两个模型的输出完全相同：
# 它们是同一个模型，只是权重的下标顺序不同。

# %% [markdown] lang="en"
# ### Why it does not matter: flipping only renames the weights
#
# Kernels are learned. Below, two identical small models are trained on the same target:
# model A uses cross-correlation (what PyTorch does), model B uses true convolution
# (cross-correlation with the flipped kernel). B starts from the flip of A's initial kernel.
# After every gradient step B's weights are exactly the flip of A's and the two models give
# the same outputs: they are one model whose weights are indexed in the opposite order.

# %%
target_kernel = torch.tensor([[[0.5, -1.0, 2.0]]])
signals = torch.randn(64, 1, 32)
targets = F.conv1d(signals, target_kernel)

# model A: cross-correlation kernel
a = torch.randn(1, 1, 3, requires_grad=True)
# model B: true-convolution kernel, flipped start
b = a.detach().flip(-1).requires_grad_(True)
optimizer = torch.optim.SGD([a, b], lr=0.1)
for _ in range(100):
    optimizer.zero_grad()
    loss_a = F.mse_loss(F.conv1d(signals, a), targets)
    # convolution = flip + correlate
    loss_b = F.mse_loss(F.conv1d(signals, b.flip(-1)), targets)
    (loss_a + loss_b).backward()
    optimizer.step()
    torch.testing.assert_close(b.detach(), a.detach().flip(-1))

print(
    say("A 学到：", "A learned:"),
    a.detach().flatten(),
    say(" 损失", " loss"),
    loss_a.item(),
)
print(
    say("B 学到：", "B learned:"),
    b.detach().flatten(),
    say(" 损失", " loss"),
    loss_b.item(),
)
torch.testing.assert_close(loss_a, loss_b)

# %% [markdown] lang="zh"
# ## 3. 卷积核是模式检测器
#
# 输出值是卷积核与它盖住的那一块输入的点积：那一块越像卷积核，响应越大。下面把一个
# 5×5 的十字藏进噪声图里，再用这个十字当卷积核去扫：响应最大的位置正是十字所在的位置。

# %% [markdown] lang="en"
# ## 3. Kernels are pattern detectors
#
# Each output value is the dot product of the kernel with the patch it covers: the more the
# patch looks like the kernel, the larger the response. Below, a 5×5 cross is hidden in a noisy
# image and the same cross is used as the kernel: the strongest response is exactly where the
# cross sits.

# %%
cross = torch.zeros(5, 5)
cross[2, :] = 1.0
cross[:, 2] = 1.0
image = 0.3 * torch.randn(32, 32)
row, col = 10, 17
image[row : row + 5, col : col + 5] += cross

response = cf.conv2d(image.view(1, 1, 32, 32), cross.view(1, 1, 5, 5))[0, 0]
peak = divmod(int(response.argmax()), response.shape[1])
print(
    say("响应形状：", "response shape:"),
    tuple(response.shape),
    say(" 峰值位置", " peak at"),
    peak,
    say(" 十字放在", " cross placed at"),
    (row, col),
)
assert peak == (row, col)

fig, axes = plt.subplots(1, 3, figsize=(9, 3))
for ax, picture, label in zip(
    axes, [image, cross, response], ["$x$", "$w$", "$x \\star w$"]
):
    ax.imshow(picture, cmap="gray")
    ax.set_title(label)
    ax.axis("off")
axes[2].plot(peak[1], peak[0], "r+", markersize=14)
plt.show()

# %% [markdown] lang="zh"
# 同样的事发生在真实照片上。下面用几个手工卷积核（竖边、横边、拉普拉斯、均值模糊）处理一张
# 公有领域的照片（matplotlib 自带的 Grace Hopper 像）。竖边核在竖直的轮廓处响应最强，
# 横边核在水平的轮廓处响应最强。

# %% [markdown] lang="en"
# The same happens on a real photo. Below, a few hand-made kernels (vertical edge, horizontal
# edge, Laplacian, box blur) run over a public-domain photo (the Grace Hopper portrait that ships
# with matplotlib). The vertical-edge kernel responds most on vertical outlines, the
# horizontal-edge kernel on horizontal ones.

# %%
photo = plt.imread(cbook.get_sample_data("grace_hopper.jpg"))[::4, ::4]
# (H, W) in [0, 1]
gray = torch.tensor(photo, dtype=torch.float32).mean(dim=-1) / 255
kernels = torch.tensor(
    [
        # vertical edges (Sobel x)
        [
            [-1.0, 0.0, 1.0],
            [-2.0, 0.0, 2.0],
            [-1.0, 0.0, 1.0],
        ],
        # horizontal edges (Sobel y)
        [
            [-1.0, -2.0, -1.0],
            [0.0, 0.0, 0.0],
            [1.0, 2.0, 1.0],
        ],
        [[0.0, 1.0, 0.0], [1.0, -4.0, 1.0], [0.0, 1.0, 0.0]],  # Laplacian
        # box blur (divided below)
        [
            [1.0, 1.0, 1.0],
            [1.0, 1.0, 1.0],
            [1.0, 1.0, 1.0],
        ],
    ]
    # (C_out=4, C_in=1, 3, 3): one conv layer with four output channels
).unsqueeze(1)
kernels[3] /= 9

responses = cf.conv2d(gray.view(1, 1, *gray.shape), kernels, padding=1)[0]
torch.testing.assert_close(
    responses, F.conv2d(gray.view(1, 1, *gray.shape), kernels, padding=1)[0]
)
print(
    say("照片：", "photo:"),
    tuple(gray.shape),
    say("-> 响应：", "-> responses:"),
    tuple(responses.shape),
)

fig, axes = plt.subplots(1, 5, figsize=(14, 3.4))
axes[0].imshow(gray, cmap="gray")
axes[0].set_title("$x$")
for i, ax in enumerate(axes[1:]):
    ax.imshow(responses[i], cmap="gray")
    ax.set_title(f"$x \\star w_{i}$")
for ax in axes:
    ax.axis("off")
plt.show()


# %% [markdown] lang="zh"
# ## 4. 多通道：每个输出通道对所有输入切片求和
#
# `weight` 的形状是 `(C_out, C_in/groups, kH, kW)`：每个输出通道有一个卷积核，这个核由
# `C_in/groups` 个二维切片组成，每个切片对应一个输入通道。每个切片与它那个输入通道做
# 二维互相关，所有切片的响应**相加**，再加上这个输出通道的偏置。下面的手写循环逐字照此实现，
# 然后与 convnotes 的三种实现和 PyTorch 比较。

# %% [markdown] lang="en"
# ## 4. Several channels: each output channel sums over all its input slices
#
# `weight` has shape `(C_out, C_in/groups, kH, kW)`: every output channel has one kernel made
# of `C_in/groups` 2d slices, one per input channel. Each slice is cross-correlated with its own
# input channel, the responses of all slices are **added**, and the output channel's bias is
# added on top. The hand loop below does literally that; then we compare it with the three
# convnotes methods and with PyTorch.


# %%
def conv2d_by_hand(x, weight, bias, groups=1):
    """y[:, o] = bias[o] + sum over channels c of x[:, c] ⋆ weight[o, c]."""
    n, _, h, w = x.shape
    c_out, c_per_group, kh, kw = weight.shape
    out_per_group = c_out // groups
    out_h, out_w = h - kh + 1, w - kw + 1
    y = torch.zeros(n, c_out, out_h, out_w, dtype=x.dtype)
    for o in range(c_out):
        # output channel o only sees the input channels of its group
        group = o // out_per_group
        for c in range(c_per_group):
            channel = x[:, group * c_per_group + c]  # (N, H, W)
            for i in range(kh):
                for j in range(kw):
                    y[:, o] += (
                        weight[o, c, i, j]
                        * channel[:, i : i + out_h, j : j + out_w]
                    )
        y[:, o] += bias[o]
    return y


# N=2, C_in=3 (think RGB), 6×7 pixels
x = torch.randn(2, 3, 6, 7, dtype=torch.float64)
# C_out=4 kernels, each with 3 slices
weight = torch.randn(4, 3, 3, 3, dtype=torch.float64)
bias = torch.randn(4, dtype=torch.float64)

y = conv2d_by_hand(x, weight, bias)
print(
    "x", tuple(x.shape), "* weight", tuple(weight.shape), "-> y", tuple(y.shape)
)
torch.testing.assert_close(y, F.conv2d(x, weight, bias))
for method in ["direct", "unrolled", "im2col"]:
    torch.testing.assert_close(y, cf.conv2d(x, weight, bias, method=method))
print(
    say("手写循环 == torch == convnotes", "hand loop == torch == convnotes"),
    "(direct, unrolled, im2col)",
)

# %% [markdown] lang="zh"
# 只看一个输出通道 `o`：它等于三个单通道卷积（每个输入通道配一个切片）之和，再加 `bias[o]`。
# 单独的每一项都不是输出，只有它们的和才是。

# %% [markdown] lang="en"
# Now a single output channel `o`: it is the sum of three single-channel convolutions (each input
# channel with its own slice) plus `bias[o]`. No single term is the output; only their sum is.

# %%
o = 2
per_slice = [
    cf.conv2d(x[:, c : c + 1], weight[o : o + 1, c : c + 1])
    for c in range(weight.shape[1])
]
for c, response in enumerate(per_slice):
    print(
        say(f"切片 {c}", f"slice {c}") + ": response[0, 0, 0, :3] =",
        response[0, 0, 0, :3],
    )
print(f"sum + bias[{o}]      =", (sum(per_slice) + bias[o])[0, 0, 0, :3])
print(f"y[0, {o}, 0, :3]      =", y[0, o, 0, :3])
torch.testing.assert_close(sum(per_slice) + bias[o], y[:, o : o + 1])

# %% [markdown] lang="zh"
# ## 5. 分组卷积与逐通道卷积
#
# `groups=g` 把输入通道和输出通道各分成 `g` 组，第 `j` 组的输出只看第 `j` 组的输入；
# 卷积核因此只有 `C_in/g` 个切片，参数量变为原来的 $1/g$。`groups=C_in` 就是逐通道卷积：
# 每个输出通道只看一个输入通道。

# %% [markdown] lang="en"
# ## 5. Grouped and depthwise convolution
#
# `groups=g` splits the input channels and the output channels into `g` groups each; the
# outputs of group `j` only see the inputs of group `j`, so each kernel has only `C_in/g` slices
# and the layer has $1/g$ of the parameters. `groups=C_in` is depthwise convolution: every output
# channel sees exactly one input channel.

# %%
x = torch.randn(2, 4, 6, 6, dtype=torch.float64)
for groups in [1, 2, 4]:
    weight = torch.randn(8, 4 // groups, 3, 3, dtype=torch.float64)
    bias = torch.randn(8, dtype=torch.float64)
    y = conv2d_by_hand(x, weight, bias, groups=groups)
    torch.testing.assert_close(y, F.conv2d(x, weight, bias, groups=groups))
    torch.testing.assert_close(y, cf.conv2d(x, weight, bias, groups=groups))
    print(
        f"groups={groups}: weight {tuple(weight.shape)},",
        weight.numel(),
        say("个权重", "weights"),
    )

# depthwise, 2 kernels per input channel: outputs 2c and 2c+1 read input c
depthwise = torch.randn(8, 1, 3, 3, dtype=torch.float64)
y = cf.conv2d(x, depthwise, groups=4)
for o in range(8):
    c = o // 2
    torch.testing.assert_close(
        y[:, o : o + 1], F.conv2d(x[:, c : c + 1], depthwise[o : o + 1])
    )

# depthwise-separable: depthwise 3×3, then a pointwise 1×1 mixing channels
pointwise = torch.randn(16, 8, 1, 1, dtype=torch.float64)
separable = cf.conv2d(cf.conv2d(x, depthwise, groups=4), pointwise)
separable_weights, regular_weights = (
    depthwise.numel() + pointwise.numel(),
    16 * 4 * 3 * 3,
)
print(
    say("深度可分离：", "separable:"),
    tuple(separable.shape),
    separable_weights,
    say("个权重", "weights"),
)
print(
    say(
        "一个普通 3×3 卷积 4 -> 16 通道：",
        "one regular 3×3 conv 4 -> 16 channels:",
    ),
    regular_weights,
    say("个权重", "weights"),
)
assert separable.shape == (2, 16, 4, 4) and separable_weights < regular_weights

# %% [markdown] lang="zh"
# ## 6. `nn.Conv2d` 的每个参数
#
# `convnotes.nn.Conv2d` 与 `torch.nn.Conv2d` 的参数名、参数形状和 `state_dict` 相同，
# 所以可以把一个的权重装进另一个。下面一次只改一个参数（输入 `(1, 4, 16, 16)`），
# 看输出形状和参数量怎么变；每一行都把两者的输出比较一遍，并用输出尺寸公式核对形状。
# 最后一行一次改掉所有参数。

# %% [markdown] lang="en"
# ## 6. Every parameter of `nn.Conv2d`
#
# `convnotes.nn.Conv2d` has the same parameter names, parameter shapes and `state_dict` as
# `torch.nn.Conv2d`, so the weights of one load into the other. Below, one parameter changes at a
# time (input `(1, 4, 16, 16)`): watch the output shape and the parameter count. Every row compares
# the two outputs and checks the shape against the output-size formula; the last row changes all
# parameters at once.

# %%
x = torch.randn(1, 4, 16, 16, dtype=torch.float64)
base = dict(in_channels=4, out_channels=8, kernel_size=3, dtype=torch.float64)
variants = [
    {},
    {"out_channels": 2},
    {"kernel_size": 5},
    {"kernel_size": (1, 7)},
    {"stride": 2},
    {"padding": 1},
    {"padding": "same"},
    {"dilation": 2},
    {"groups": 4},
    {"bias": False},
    {"padding": 1, "padding_mode": "circular"},
    {
        "kernel_size": (3, 5),
        "stride": (2, 1),
        "padding": (1, 2),
        "dilation": (1, 2),
        "groups": 2,
        "padding_mode": "reflect",
    },
]
for change in variants:
    settings = {**base, **change}
    ours, theirs = cnn.Conv2d(**settings), torch.nn.Conv2d(**settings)
    theirs.load_state_dict(ours.state_dict())
    y = ours(x)
    torch.testing.assert_close(y, theirs(x))
    if settings.get("padding") != "same":
        size = conv_output_size(
            (16, 16),
            settings["kernel_size"],
            stride=settings.get("stride", 1),
            padding=settings.get("padding", 0),
            dilation=settings.get("dilation", 1),
        )
        assert tuple(y.shape[2:]) == size
    n_weights = sum(p.numel() for p in ours.parameters())
    print(
        f"{tuple(y.shape)!s:15} {n_weights:3d}",
        say("个参数", "parameters"),
        " ",
        change,
    )

# %% [markdown] lang="zh"
# ## 7. 填充模式
#
# `padding_mode` 决定补进来的是什么：`zeros` 补 0，`reflect` 以边缘为镜面反射（不重复边缘值），
# `replicate` 重复边缘值，`circular` 把另一侧的值绕过来（把信号看作周期的）。
# 在 `torch.nn.functional.pad` 中 `zeros` 叫 `constant`。

# %% [markdown] lang="en"
# ## 7. Padding modes
#
# `padding_mode` decides what is padded in: `zeros` pads 0, `reflect` mirrors at the edge
# (without repeating the edge value), `replicate` repeats the edge value, `circular` wraps the
# values around from the other side (treating the signal as periodic). In
# `torch.nn.functional.pad`, `zeros` is called `constant`.

# %%
signal = torch.tensor([[[1.0, 2.0, 3.0, 4.0]]])
for mode in ["constant", "reflect", "replicate", "circular"]:
    print(f"{mode:9s}", F.pad(signal, (2, 2), mode=mode)[0, 0].tolist())

torch.testing.assert_close(
    F.pad(signal, (2, 2), mode="circular")[0, 0, :2], signal[0, 0, -2:]
)
torch.testing.assert_close(
    F.pad(signal, (2, 2), mode="reflect")[0, 0, :2], signal[0, 0, [2, 1]]
)

# %%
grid = torch.arange(1.0, 17.0).view(1, 1, 4, 4)
modes = {
    "zeros": "constant",
    "reflect": "reflect",
    "replicate": "replicate",
    "circular": "circular",
}
fig, axes = plt.subplots(1, 4, figsize=(13, 3.6))
for ax, (padding_mode, pad_mode) in zip(axes, modes.items()):
    padded = F.pad(grid, (2, 2, 2, 2), mode=pad_mode)[0, 0]
    ax.imshow(padded, cmap="viridis", vmin=0, vmax=16)
    for (i, j), value in np.ndenumerate(padded.numpy()):
        ax.text(
            j,
            i,
            f"{value:.0f}",
            ha="center",
            va="center",
            color="w",
            fontsize=8,
        )
    ax.add_patch(
        plt.Rectangle((1.5, 1.5), 4, 4, fill=False, edgecolor="r", linewidth=2)
    )
    ax.set_title(padding_mode)
    ax.axis("off")
plt.show()

# %% [markdown] lang="zh"
# 带 `padding_mode` 的卷积层，等于先按该模式填充、再做不带填充的卷积：

# %% [markdown] lang="en"
# A conv layer with a `padding_mode` equals padding in that mode first, then convolving with no
# padding:

# %%
x = torch.randn(1, 2, 5, 6, dtype=torch.float64)
for padding_mode, pad_mode in modes.items():
    layer = cnn.Conv2d(
        2, 3, 3, padding=(1, 2), padding_mode=padding_mode, dtype=torch.float64
    )
    # F.pad order: (left, right, top, bottom)
    padded = F.pad(x, (2, 2, 1, 1), mode=pad_mode)
    torch.testing.assert_close(
        layer(x), cf.conv2d(padded, layer.weight, layer.bias)
    )
    print(
        f"{padding_mode:9s}",
        say("一致，输出", "equal, output"),
        tuple(layer(x).shape),
    )

# %% [markdown] lang="zh"
# ## 8. `padding="same"` 与 `padding="valid"`
#
# `"valid"` 就是不填充。`"same"` 让输出与输入一样大：总共填充 $d(k-1)$；总数为奇数时，
# 多出的那一个加在右边（下边）。它只允许步长为 1。

# %% [markdown] lang="en"
# ## 8. `padding="same"` and `padding="valid"`
#
# `"valid"` means no padding. `"same"` makes the output as large as the input: it pads
# $d(k-1)$ in total; when the total is odd, the extra one goes on the right (bottom). It is only
# allowed with stride 1.

# %%
x = torch.randn(1, 1, 7, 7, dtype=torch.float64)
# even kernel: total padding 3 = 1 + 2
w = torch.randn(1, 1, 4, 4, dtype=torch.float64)
(top, bottom), (left, right) = same_padding((4, 4))
print(
    say("same 每边的填充：", "same padding per side:"),
    (top, bottom),
    (left, right),
)
assert (top, bottom) == (left, right) == (1, 2)
same = cf.conv2d(x, w, padding="same")
torch.testing.assert_close(
    same, cf.conv2d(F.pad(x, (left, right, top, bottom)), w)
)
# torch notes that an even kernel costs it a padded copy
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    torch.testing.assert_close(same, F.conv2d(x, w, padding="same"))
torch.testing.assert_close(cf.conv2d(x, w, padding="valid"), cf.conv2d(x, w))
print(
    "same:",
    tuple(same.shape),
    " valid:",
    tuple(cf.conv2d(x, w, padding="valid").shape),
)
assert same.shape == x.shape

for make in [cnn.Conv2d, torch.nn.Conv2d]:
    try:
        make(1, 1, 3, stride=2, padding="same")
    except ValueError as error:
        print(f"{make.__module__}: {error}")
    else:
        raise AssertionError(
            f"{make.__module__} accepted padding='same' with stride 2"
        )
