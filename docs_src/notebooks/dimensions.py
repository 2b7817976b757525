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
# # 一维与三维卷积：动手验证
#
# 这个笔记本配合[一维与三维](../dimensions.md)一页：序列上的一维卷积（音频、文本）、
# 体数据和视频上的三维卷积，以及它们的转置卷积。每一处形状都与 `convnotes.shapes` 的公式核对，
# 每一个结果都与 PyTorch 核对。

# %% [markdown] lang="en"
# # 1d and 3d convolution: check it yourself
#
# This notebook goes with the [1d and 3d](../dimensions.md) page: 1d convolution over sequences
# (audio, text), 3d convolution over volumes and video, and their transposed convolutions. Every
# shape is checked against the formulas of `convnotes.shapes`, every result against PyTorch.

# %%
import matplotlib.pyplot as plt
import torch
import torch.nn.functional as F

import convnotes.functional as cf
from convnotes import nn as cnn
from convnotes.shapes import conv_output_size, conv_transpose_output_size

# tensors here are small: one thread beats thread start-up costs
torch.set_num_threads(1)
torch.manual_seed(0)
torch.set_printoptions(precision=3, sci_mode=False)

LANG = "zh"  # language of printed labels and plot text: "zh" or "en"


def say(zh, en):
    """The text in the notebook's language."""
    return {"zh": zh, "en": en}[LANG]


# %% [markdown] lang="zh"
# ## 1. 一维：一段“音频”
#
# 一维卷积的输入形状是 `(N, C, L)`：批大小、通道数（单声道 1，立体声 2）、长度。
# 下面的信号是一个慢的正弦波加上一个快的正弦波和噪声。均值卷积核（低通）留下慢的部分，
# 差分卷积核 $(-1, 1)$（高通）突出变化快的部分。

# %% [markdown] lang="en"
# ## 1. 1d: a piece of "audio"
#
# A 1d convolution takes input of shape `(N, C, L)`: batch size, channels (1 for mono, 2 for
# stereo), length. The signal below is a slow sine plus a fast sine plus noise. An averaging
# kernel (low-pass) keeps the slow part; the difference kernel $(-1, 1)$ (high-pass) brings out
# what changes quickly.

# %%
t = torch.linspace(0, 1, 400)
slow = torch.sin(2 * torch.pi * 3 * t).view(1, 1, -1)
fast = 0.4 * torch.sin(2 * torch.pi * 60 * t).view(1, 1, -1)
wave = slow + fast + 0.1 * torch.randn(1, 1, 400)  # (N=1, C=1, L=400)

average = torch.full((1, 1, 15), 1 / 15)  # (C_out, C_in, k)
difference = torch.tensor([[[-1.0, 1.0]]])
smooth = cf.conv1d(wave, average, padding=7)
edges = cf.conv1d(wave, difference)
print(
    say("信号", "wave"),
    tuple(wave.shape),
    say("-> 平滑", "-> smooth"),
    tuple(smooth.shape),
    say(" 差分", " edges"),
    tuple(edges.shape),
)
assert smooth.shape[-1] == conv_output_size(400, 15, padding=7)
assert edges.shape[-1] == conv_output_size(400, 2)
torch.testing.assert_close(smooth, F.conv1d(wave, average, padding=7))
torch.testing.assert_close(edges, F.conv1d(wave, difference))
inner = slice(7, -7)  # away from the zero padding at both ends
error_before = (wave - slow)[..., inner].abs().mean()
error_after = (smooth - slow)[..., inner].abs().mean()
# the average keeps the slow part, drops the fast one
assert error_after < error_before / 3
# the slow part ~ gone
assert cf.conv1d(slow, difference).abs().max() < edges.abs().max() / 5

fig, axes = plt.subplots(3, 1, figsize=(8, 5), sharex=True)
for ax, signal, label in zip(
    axes,
    [wave, smooth, edges],
    ["$x$", "$x \\star w_{avg}$", "$x \\star (-1, 1)$"],
):
    ax.plot(signal.flatten(), linewidth=0.8)
    ax.set_ylabel(label)
axes[-1].set_xlabel("$t$")
plt.show()

# %% [markdown] lang="zh"
# ## 2. 一维：文本
#
# `nn.Embedding` 给出 `(N, L, E)`：每个词一个 $E$ 维向量。`Conv1d` 要的是 `(N, C, L)`，
# 所以必须先 `transpose(1, 2)`，让嵌入维度当通道、在词的方向上滑动。
# 宽 3 的卷积核每次看相邻的三个词。
# 如果忘了转置，卷积核就会在嵌入维度上滑动，形状可能碰巧对得上，结果却毫无意义。

# %% [markdown] lang="en"
# ## 2. 1d: text
#
# `nn.Embedding` returns `(N, L, E)`: one $E$-dimensional vector per token. `Conv1d` wants
# `(N, C, L)`, so call `transpose(1, 2)` first: the embedding dimension becomes the channels and the
# kernel slides along the tokens. A kernel of width 3 looks at three neighbouring tokens at a time.
# Forget the transpose and the kernel slides along the embedding dimension instead; the shapes may
# even fit by accident, but the result means nothing.

# %%
tokens = torch.randint(0, 100, (2, 12))  # N=2 sentences of L=12 tokens
embed = torch.nn.Embedding(100, 16)  # E=16
ours = cnn.Conv1d(16, 32, kernel_size=3, padding=1)
theirs = torch.nn.Conv1d(16, 32, kernel_size=3, padding=1)
theirs.load_state_dict(ours.state_dict())

vectors = embed(tokens)  # (N, L, E)
features = ours(vectors.transpose(1, 2))  # (N, E, L) -> (N, 32, L)
print(
    say("词", "tokens"),
    tuple(tokens.shape),
    say("-> 嵌入", "-> embeddings"),
    tuple(vectors.shape),
    say("-> 特征", "-> features"),
    tuple(features.shape),
)
assert features.shape == (2, 32, 12)
torch.testing.assert_close(features, theirs(vectors.transpose(1, 2)))

# %% [markdown] lang="zh"
# ## 3. 因果的膨胀卷积堆叠与感受野
#
# 音频模型（如 WaveNet）常把宽 2 的卷积核按膨胀率 1, 2, 4, 8 叠起来，并只在左边填充
# $d(k-1)$ 个零，让输出不看“未来”。感受野是 $1 + \sum_l d_l (k-1)$，这里是 16。
# 下面用梯度来数：最后一个输出对哪些输入的梯度不为零，它就看得到哪些输入。

# %% [markdown] lang="en"
# ## 3. A stack of causal dilated convolutions and its receptive field
#
# Audio models (WaveNet, for instance) stack width-2 kernels with dilations 1, 2, 4, 8 and pad
# $d(k-1)$ zeros on the left only, so that no output looks at the "future". The receptive field is
# $1 + \sum_l d_l (k-1)$, here 16. We count it with the gradient: the last output sees exactly the
# inputs whose gradient is non-zero.

# %%
k, dilations = 2, [1, 2, 4, 8]
x = torch.randn(1, 1, 40, requires_grad=True)
h = x
for d in dilations:
    # positive weights: no accidental cancellation
    weight = torch.rand(1, 1, k) + 0.1
    # pad on the left only
    h = cf.conv1d(F.pad(h, (d * (k - 1), 0)), weight, dilation=d)
assert h.shape == x.shape  # causal padding keeps the length

h[0, 0, -1].backward()
seen = (x.grad[0, 0] != 0).nonzero().flatten()
receptive_field = 1 + sum(d * (k - 1) for d in dilations)
print(say("最后一个输出看到的输入：", "last output sees inputs"), seen.tolist())
print(say("感受野：", "receptive field:"), len(seen), "=", receptive_field)
# the newest 16 samples, nothing later
assert len(seen) == receptive_field and seen[-1] == 39

# %% [markdown] lang="zh"
# ## 4. 三维：视频与体数据
#
# 三维卷积的输入是 `(N, C, D, H, W)`；视频里 $D$ 是帧（时间），CT/MRI 体数据里 $D$ 是切片（深度）。
# 卷积核形状 `(C_out, C_in/groups, kD, kH, kW)`，三个方向各自套用同一个尺寸公式。
# 下面的步长 `(1, 2, 2)` 只在空间上下采样，时间长度不变。

# %% [markdown] lang="en"
# ## 4. 3d: video and volumes
#
# A 3d convolution takes `(N, C, D, H, W)`; for video $D$ is the frames (time), for a CT/MRI volume
# it is the slices (depth). The kernel has shape `(C_out, C_in/groups, kD, kH, kW)`, and the same
# size formula applies to each of the three directions. The stride `(1, 2, 2)` below downsamples in
# space only and keeps the number of frames.

# %%
# N, C (RGB), D frames, H, W
video = torch.randn(2, 3, 8, 16, 16, dtype=torch.float64)
settings = dict(kernel_size=3, stride=(1, 2, 2), padding=1, dtype=torch.float64)
ours = cnn.Conv3d(3, 4, **settings)
theirs = torch.nn.Conv3d(3, 4, **settings)
theirs.load_state_dict(ours.state_dict())

out = ours(video)
expected = conv_output_size((8, 16, 16), 3, stride=(1, 2, 2), padding=1)
print(
    say("视频", "video"),
    tuple(video.shape),
    say("-> 输出", "-> out"),
    tuple(out.shape),
    say(" 公式：", " formula:"),
    expected,
)
print(say("权重", "weight"), tuple(ours.weight.shape))
assert ours.weight.shape == (4, 3, 3, 3, 3)  # (C_out, C_in/groups, kD, kH, kW)
assert tuple(out.shape[2:]) == expected
torch.testing.assert_close(out, theirs(video))

# %% [markdown] lang="zh"
# 两个特例把三维卷积和前面的内容连起来：形状为 `(1, k, k)` 的卷积核就是逐帧做二维卷积；
# 形状为 `(k, 1, 1)` 的卷积核就是沿时间方向、逐像素做一维卷积。把这两种连起来就是“(2+1)D”分解。

# %% [markdown] lang="en"
# Two special cases connect 3d convolution with what came before: a kernel of shape `(1, k, k)` is a
# 2d convolution applied frame by frame; a kernel of shape `(k, 1, 1)` is a 1d convolution along
# time, pixel by pixel. Chaining the two is the "(2+1)D" factorisation.

# %%
n, c, d, h, w = video.shape
spatial = torch.randn(4, 3, 1, 3, 3, dtype=torch.float64)
per_frame = cf.conv2d(
    video.transpose(1, 2).reshape(n * d, c, h, w), spatial[:, :, 0]
)
per_frame = per_frame.reshape(n, d, 4, h - 2, w - 2).transpose(1, 2)
torch.testing.assert_close(cf.conv3d(video, spatial), per_frame)

temporal = torch.randn(4, 3, 3, 1, 1, dtype=torch.float64)
per_pixel = cf.conv1d(
    video.permute(0, 3, 4, 1, 2).reshape(n * h * w, c, d),
    temporal[:, :, :, 0, 0],
)
per_pixel = per_pixel.reshape(n, h, w, 4, d - 2).permute(0, 3, 4, 1, 2)
torch.testing.assert_close(cf.conv3d(video, temporal), per_pixel)
print(
    say(
        "(1, k, k) = 逐帧二维卷积；(k, 1, 1) = 逐像素一维卷积",
        "(1, k, k) = 2d per frame;  (k, 1, 1) = 1d per pixel",
    )
)

# %% [markdown] lang="zh"
# ## 5. 一维和三维的转置卷积
#
# 转置卷积在每个维度上用 $o = (i-1)s - 2p + d(k-1) + a + 1$（$a$ 是输出填充）。
# 注意它的权重形状是 `(C_in, C_out/groups, *k)`，前两维与普通卷积相反。
# 下面把一维序列长度加倍（50 → 100），把视频的空间尺寸加倍而帧数不变。

# %% [markdown] lang="en"
# ## 5. Transposed convolution in 1d and 3d
#
# A transposed convolution uses $o = (i-1)s - 2p + d(k-1) + a + 1$ in each dimension ($a$ is the
# output padding). Note its weight shape `(C_in, C_out/groups, *k)`: the first two dimensions are
# the other way round from an ordinary convolution. Below we double the length of a sequence
# (50 → 100) and the spatial size of a video while keeping its frames.

# %%
sequence = torch.randn(2, 4, 50, dtype=torch.float64)
ours = cnn.ConvTranspose1d(
    4, 2, kernel_size=4, stride=2, padding=1, dtype=torch.float64
)
theirs = torch.nn.ConvTranspose1d(
    4, 2, kernel_size=4, stride=2, padding=1, dtype=torch.float64
)
theirs.load_state_dict(ours.state_dict())
up = ours(sequence)
print(
    say("一维：", "1d:"),
    tuple(sequence.shape),
    "->",
    tuple(up.shape),
    say(" 权重", " weight"),
    tuple(ours.weight.shape),
)
# (C_in, C_out/groups, k): the other way round
assert ours.weight.shape == (
    4,
    2,
    4,
)
assert (
    up.shape[-1]
    == conv_transpose_output_size(50, 4, stride=2, padding=1)
    == 100
)
torch.testing.assert_close(up, theirs(sequence))

clip = torch.randn(1, 8, 4, 9, 9, dtype=torch.float64)
settings = dict(
    kernel_size=(1, 3, 3),
    stride=(1, 2, 2),
    padding=(0, 1, 1),
    dtype=torch.float64,
)
ours = cnn.ConvTranspose3d(8, 3, **settings)
theirs = torch.nn.ConvTranspose3d(8, 3, **settings)
theirs.load_state_dict(ours.state_dict())
# both sizes map back to 9 under the matching conv
for target in [
    (4, 17, 17),
    (4, 18, 18),
]:
    up = ours(clip, output_size=target)
    print(say("三维：", "3d:"), tuple(clip.shape), "->", tuple(up.shape))
    assert tuple(up.shape[2:]) == target
    torch.testing.assert_close(up, theirs(clip, output_size=target))
    assert conv_output_size(
        target, (1, 3, 3), stride=(1, 2, 2), padding=(0, 1, 1)
    ) == (4, 9, 9)

# %% [markdown] lang="zh"
# ## 6. 不带批维度的输入
#
# 和 PyTorch 一样，一维卷积也接受 `(C, L)`，三维卷积也接受 `(C, D, H, W)`：
# 结果等于加上 $N=1$ 再去掉。

# %% [markdown] lang="en"
# ## 6. Input without a batch dimension
#
# As in PyTorch, a 1d convolution also takes `(C, L)` and a 3d convolution `(C, D, H, W)`: the
# result equals adding $N=1$ and removing it again.

# %%
x1 = torch.randn(3, 20, dtype=torch.float64)
w1 = torch.randn(5, 3, 4, dtype=torch.float64)
torch.testing.assert_close(cf.conv1d(x1, w1), cf.conv1d(x1[None], w1)[0])
torch.testing.assert_close(cf.conv1d(x1, w1), F.conv1d(x1, w1))

x3 = torch.randn(2, 5, 6, 7, dtype=torch.float64)
w3 = torch.randn(4, 2, 2, 3, 3, dtype=torch.float64)
torch.testing.assert_close(
    cf.conv3d(x3, w3, padding=1), F.conv3d(x3, w3, padding=1)
)
print(
    say("无批维度的一维：", "unbatched 1d:"),
    tuple(cf.conv1d(x1, w1).shape),
    say(" 无批维度的三维：", " unbatched 3d:"),
    tuple(cf.conv3d(x3, w3, padding=1).shape),
)
