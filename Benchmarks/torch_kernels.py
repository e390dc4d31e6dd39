#!/usr/bin/env python3
"""PyTorch's side of `fer bench --suite kernels`.

Times sgemm at 1024^3 (torch.mm) and every distinct convolution of ResNet18
at 100x100 input, batch 32, in each pass (forward, input gradient, weight
gradient), and prints one JSON line per entry with the fields of FERKit's
kernel benchmark: name, pass, gflops, fraction_of_sgemm (against the torch.mm
timed in turns with the pass), sgemm_gflops, milliseconds.

Run it back to back with `fer bench --suite kernels --json` to see how far
each library gets from its own matrix product on the same machine. Needs
PyTorch, which is not a dependency of FERKit, e.g.
  python3 -m venv /tmp/torchenv && /tmp/torchenv/bin/pip install torch numpy
"""
import argparse
import json
import statistics
import time

import torch
import torch.nn.functional as F


def convolutions(batch, size):
    """ResNet18's distinct convolutions: (name, input shape, weight shape, stride, padding)."""
    stem = (size + 2 * 3 - 7) // 2 + 1
    side = (stem + 2 - 3) // 2 + 1
    result = [("conv1", [batch, 3, size, size], [64, 3, 7, 7], 2, 3),
              ("layer1.0.conv1", [batch, 64, side, side], [64, 64, 3, 3], 1, 1)]
    for stage, width in [(2, 128), (3, 256), (4, 512)]:
        half, following = width // 2, (side + 2 - 3) // 2 + 1
        result += [(f"layer{stage}.0.conv1", [batch, half, side, side], [width, half, 3, 3], 2, 1),
                   (f"layer{stage}.0.conv2", [batch, width, following, following], [width, width, 3, 3], 1, 1),
                   (f"layer{stage}.0.downsample.0", [batch, half, side, side], [width, half, 1, 1], 2, 0)]
        side = following
    return result


ALTERNATIONS = 4  # turns of sgemm and pass in the timing of one pass
SGEMM_SECONDS = 0.2  # time given to sgemm in the timing of one pass, over all turns


def timed_calls(body, seconds, calls):
    """Wall times of `body` after one warm-up call, at least `calls` runs and `seconds`."""
    body()
    times, start = [], time.perf_counter()
    while len(times) < calls or time.perf_counter() - start < seconds:
        begin = time.perf_counter()
        body()
        times.append(time.perf_counter() - begin)
    return times


def measure(body, flops, mm, mm_flops, seconds):
    """(GFLOP/s of `body`, GFLOP/s of `mm`, median seconds of `body`), timed in
    ALTERNATIONS turns of `mm` then `body` so that both sample the same spells
    of the machine's speed (as FERKit's benchmark)."""
    mm_times, body_times = [], []
    for _ in range(ALTERNATIONS):
        mm_times += timed_calls(mm, SGEMM_SECONDS / ALTERNATIONS, 2)
        body_times += timed_calls(body, seconds / ALTERNATIONS, 2)
    median = statistics.median(body_times)
    return flops / median / 1e9, mm_flops / statistics.median(mm_times) / 1e9, median


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--size", type=int, default=100)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=0.5, help="minimum measured time per entry")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    common = {"suite": "kernels", "impl": "pytorch", "torch": torch.__version__, "threads": args.threads}

    def emit(fields):
        print(json.dumps({**fields, **common}), flush=True)

    a, b = torch.randn(1024, 1024), torch.randn(1024, 1024)
    mm, mm_flops = (lambda: torch.mm(a, b)), 2.0 * 1024 ** 3
    reference = mm_flops / statistics.median(timed_calls(mm, args.seconds, 5)) / 1e9
    emit({"name": "sgemm_1024", "pass": "gemm", "gflops": round(reference, 3), "fraction_of_sgemm": 1.0})
    with torch.no_grad():
        for name, input_shape, weight_shape, stride, padding in convolutions(args.batch, args.size):
            x, w = torch.randn(input_shape), torch.randn(weight_shape)
            y = F.conv2d(x, w, stride=stride, padding=padding)
            dy = torch.randn(y.shape)
            flops = 2.0 * y.numel() * w[0].numel()

            def backward(mask):
                return torch.ops.aten.convolution_backward(
                    dy, x, w, None, [stride] * 2, [padding] * 2, [1, 1], False, [0, 0], 1, mask)

            passes = {
                "forward": lambda: F.conv2d(x, w, stride=stride, padding=padding),
                "input_gradient": lambda: backward([True, False, False]),
                "weight_gradient": lambda: backward([False, True, False]),
            }
            for pass_name, body in passes.items():
                gflops, reference, seconds = measure(body, flops, mm, mm_flops, args.seconds)
                emit({"name": name, "pass": pass_name, "gflops": round(gflops, 3),
                      "fraction_of_sgemm": round(gflops / reference, 3), "sgemm_gflops": round(reference, 3),
                      "milliseconds": round(seconds * 1000, 3)})


if __name__ == "__main__":
    main()
