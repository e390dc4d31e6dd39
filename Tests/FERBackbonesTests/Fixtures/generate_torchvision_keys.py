#!/usr/bin/env python3
"""Writes torchvision_state_dicts.json: for each architecture FERBackbones
mirrors, torchvision's state-dict keys in order with their shapes, and the
parameter count, for the 1000-class ImageNet heads. Run once, by hand:

    /tmp/torchenv/bin/python Tests/FERBackbonesTests/Fixtures/generate_torchvision_keys.py
"""
import json, pathlib
import torchvision

result = {}
for name in ["resnet18", "resnet34", "resnet50", "vgg11", "vgg11_bn", "vgg13", "vgg13_bn"]:
    model = getattr(torchvision.models, name)()
    result[name] = {
        "parameters": sum(p.numel() for p in model.parameters()),
        "state_dict": [[key, list(value.shape)] for key, value in model.state_dict().items()],
    }
path = pathlib.Path(__file__).with_name("torchvision_state_dicts.json")
path.write_text(json.dumps(result, separators=(",", ":")))
print(f"wrote {path} ({path.stat().st_size} bytes)")
