#!/usr/bin/env python3
"""Writes golden.safetensors: PyTorch's outputs and gradients for FERNN's layer
and loss tests. Run once, by hand, in a throw-away environment:

    python3 -m venv /tmp/torchenv && /tmp/torchenv/bin/pip install torch safetensors
    /tmp/torchenv/bin/python Tests/FERNNTests/Fixtures/generate_golden.py

For each case NAME the file holds:
  NAME.input (and NAME.input2, NAME.input3 for layers with several inputs),
  NAME.probe            the loss is sum(output * probe),
  NAME.output           the layer's output,
  NAME.grad.input       gradient of the loss with respect to the input(s),
  NAME.state.KEY        the layer's state dict (what the Swift layer loads),
  NAME.grad.KEY         gradients of the parameters,
  NAME.after.KEY        buffers after the forward pass (BatchNorm running stats).
Losses store NAME.logits, NAME.target, NAME.weight (if any), NAME.output and
NAME.grad.logits. Everything is float32; class indices are stored as floats.
"""
import pathlib

import torch
from safetensors.torch import save_file

torch.manual_seed(0)
tensors = {}


def layer_case(name, module, *inputs, train=True):
    module.train(train)
    inputs = [x.clone().requires_grad_(True) for x in inputs]
    for key, value in module.state_dict().items():
        tensors[f"{name}.state.{key}"] = value.detach().clone().float()
    output = module(*inputs)
    if isinstance(output, tuple):
        output = output[0]
    probe = torch.randn_like(output)
    (output * probe).sum().backward()
    suffixes = ["input", "input2", "input3"]
    for suffix, x in zip(suffixes, inputs):
        tensors[f"{name}.{suffix}"] = x.detach()
        tensors[f"{name}.grad.{suffix}"] = x.grad.detach()
    tensors[f"{name}.probe"] = probe
    tensors[f"{name}.output"] = output.detach()
    for key, parameter in module.named_parameters():
        tensors[f"{name}.grad.{key}"] = parameter.grad.detach()
    for key, buffer in module.named_buffers():
        tensors[f"{name}.after.{key}"] = buffer.detach().clone().float()


def loss_case(name, function, logits, target, weight=None):
    logits = logits.clone().requires_grad_(True)
    output = function(logits, target) if weight is None else function(logits, target, weight)
    output.backward()
    tensors[f"{name}.logits"] = logits.detach()
    tensors[f"{name}.target"] = target.detach().float()
    if weight is not None:
        tensors[f"{name}.weight"] = weight
    tensors[f"{name}.output"] = output.detach().reshape(1)
    tensors[f"{name}.grad.logits"] = logits.grad.detach()


nn, F = torch.nn, torch.nn.functional
layer_case("linear", nn.Linear(5, 3), torch.randn(4, 5))
layer_case("conv2d_stride2_padding1", nn.Conv2d(3, 4, 3, stride=2, padding=1), torch.randn(2, 3, 7, 6))
layer_case("conv2d_dilation2_groups2", nn.Conv2d(4, 6, 3, padding=2, dilation=2, groups=2, bias=False), torch.randn(2, 4, 6, 6))
layer_case("conv2d_depthwise", nn.Conv2d(4, 4, 3, padding=1, groups=4), torch.randn(1, 4, 5, 5))
layer_case("conv1d", nn.Conv1d(2, 3, 3, stride=2, padding=1), torch.randn(2, 2, 9))
layer_case("conv_transpose2d", nn.ConvTranspose2d(3, 2, 3, stride=2, padding=1, output_padding=1), torch.randn(2, 3, 4, 4))
layer_case("batch_norm2d_train", nn.BatchNorm2d(3), torch.randn(4, 3, 5, 5) * 2 + 1)
evaluated = nn.BatchNorm2d(3)
evaluated.running_mean.copy_(torch.tensor([0.5, -0.2, 0.1]))
evaluated.running_var.copy_(torch.tensor([1.5, 0.7, 2.0]))
evaluated.weight.data.copy_(torch.tensor([1.2, 0.8, -0.5]))
evaluated.bias.data.copy_(torch.tensor([0.1, 0.0, 0.3]))
layer_case("batch_norm2d_eval", evaluated, torch.randn(2, 3, 4, 4), train=False)
layer_case("batch_norm1d_train", nn.BatchNorm1d(4), torch.randn(6, 4))
layer_case("layer_norm", nn.LayerNorm(4), torch.randn(3, 4))
layer_case("max_pool2d", nn.MaxPool2d(3, stride=2, padding=1), torch.randn(2, 2, 7, 7))
layer_case("avg_pool2d", nn.AvgPool2d(3, stride=2, padding=1, ceil_mode=True, count_include_pad=False), torch.randn(2, 2, 7, 6))
layer_case("adaptive_avg_pool2d", nn.AdaptiveAvgPool2d((3, 2)), torch.randn(2, 2, 7, 5))
layer_case("upsample_bilinear", nn.Upsample(scale_factor=2, mode="bilinear", align_corners=False), torch.randn(1, 2, 3, 4))
layer_case("attention", nn.MultiheadAttention(8, 2, batch_first=True),
           torch.randn(2, 5, 8), torch.randn(2, 6, 8), torch.randn(2, 6, 8))

logits = torch.randn(6, 7)
labels = torch.tensor([0, 3, 6, 2, 3, 1])
class_weights = torch.rand(7) + 0.5
loss_case("cross_entropy", lambda x, t: F.cross_entropy(x, t), logits, labels)
loss_case("cross_entropy_weighted_smoothed",
          lambda x, t, w: F.cross_entropy(x, t, weight=w, label_smoothing=0.1), logits, labels, class_weights)
loss_case("cross_entropy_sum", lambda x, t: F.cross_entropy(x, t, reduction="sum"), logits, labels)
loss_case("nll", lambda x, t: F.nll_loss(F.log_softmax(x, 1), t), logits, labels)
loss_case("mse", lambda x, t: F.mse_loss(x, t), torch.randn(3, 4), torch.randn(3, 4))
loss_case("bce_with_logits", lambda x, t: F.binary_cross_entropy_with_logits(x, t), torch.randn(3, 4),
          torch.randint(0, 2, (3, 4)).float())

output = pathlib.Path(__file__).with_name("golden.safetensors")
save_file({key: value.contiguous() for key, value in tensors.items()}, str(output),
          metadata={"generator": "generate_golden.py", "torch": torch.__version__})
print(f"wrote {output} ({output.stat().st_size} bytes, {len(tensors)} tensors)")
