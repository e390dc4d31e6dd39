#!/usr/bin/env python3
"""Whole-model parity between torchvision and FERKit through `fer forward`.

    /tmp/torchenv/bin/python Documentation/parity_check.py [--fer .build/release/fer] [--work /tmp/parity]

For each architecture: a seeded torchvision model with 7 classes is saved as a
safetensors state dict, a batch of 4 images of 64x64 goes through PyTorch and
`fer forward` in eval mode and in training mode, and the maximum absolute
logit difference is printed. For resnet18 the parameter gradients of the mean
cross-entropy are compared too (relative error per tensor, on tensors whose
gradient norm is not negligible). VGG's Dropout layers draw their masks from
different random generators in the two libraries, so VGG's training mode is
compared with dropout switched off on both sides (`--dropout 0`, `p = 0`):
BatchNorm still uses batch statistics.
"""
import argparse, json, pathlib, subprocess
import torch, torchvision
from safetensors.torch import save_file, load_file

p = argparse.ArgumentParser()
p.add_argument("--fer", default=".build/release/fer")
p.add_argument("--work", default="/tmp/parity")
a = p.parse_args()
work = pathlib.Path(a.work)
work.mkdir(parents=True, exist_ok=True)
torch.manual_seed(0)
x = torch.randn(4, 3, 64, 64)
y = torch.tensor([0, 3, 6, 2])
save_file({"input": x}, str(work / "input.safetensors"))
save_file({"labels": y}, str(work / "labels.safetensors"))
results = []
for name in ["resnet18", "resnet34", "resnet50", "vgg11", "vgg11_bn", "vgg13", "vgg13_bn"]:
    torch.manual_seed(1)
    model = getattr(torchvision.models, name)(num_classes=7)
    # Non-trivial BatchNorm statistics, so that eval mode is really tested.
    for module in model.modules():
        if isinstance(module, torch.nn.BatchNorm2d):
            module.running_mean.uniform_(-0.5, 0.5); module.running_var.uniform_(0.5, 1.5)
            module.weight.data.uniform_(0.5, 1.5); module.bias.data.uniform_(-0.2, 0.2)
    weights = work / f"{name}.safetensors"
    save_file({k: v.contiguous() for k, v in model.state_dict().items()}, str(weights))
    vgg = name.startswith("vgg")
    for mode in ["eval", "train"]:
        grad = name == "resnet18"
        out = work / f"{name}-{mode}-out.safetensors"
        command = [a.fer, "forward", "--arch", name, "--weights", str(weights), "--input", str(work / "input.safetensors"),
                   "--output", str(out)] + (["--train-mode"] if mode == "train" else []) + \
                  (["--grad", "--labels", str(work / "labels.safetensors")] if grad else []) + \
                  (["--dropout", "0"] if vgg and mode == "train" else [])
        subprocess.run(command, check=True, capture_output=True)
        ours = load_file(str(out))
        reference = getattr(torchvision.models, name)(num_classes=7)
        reference.load_state_dict(model.state_dict())
        reference.train(mode == "train")
        if vgg:
            for module in reference.modules():
                if isinstance(module, torch.nn.Dropout):
                    module.p = 0.0
        logits = reference(x)
        row = {"model": name, "mode": mode, "logit_magnitude": round(logits.abs().mean().item(), 3),
               "max_abs_logit_difference": float(f"{(logits - ours['logits']).abs().max().item():.3g}")}
        if grad:
            reference.zero_grad()
            torch.nn.functional.cross_entropy(logits, y).backward()
            errors = []
            for key, parameter in reference.named_parameters():
                g = parameter.grad
                if g.norm() > 1e-6:
                    errors.append(((g - ours["grad." + key]).norm() / g.norm()).item())
            row["gradient_tensors_compared"] = len(errors)
            row["max_relative_gradient_error"] = float(f"{max(errors):.3g}")
        results.append(row)
        print(json.dumps(row), flush=True)
