import torch

from convnotes import nn as cnn

torch.manual_seed(0)
tokens = torch.randint(0, 100, (2, 12))  # 2 sentences of 12 tokens
vectors = torch.nn.Embedding(100, 16)(tokens)  # (N, L, E) = (2, 12, 16)
conv = cnn.Conv1d(16, 32, kernel_size=3, padding=1)
# the embedding dimension becomes the channels
features = conv(vectors.transpose(1, 2))
assert features.shape == (2, 32, 12)
