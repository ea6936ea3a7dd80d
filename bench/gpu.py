"""The diffusers engine against plain diffusers: seconds per denoising step and per clip.

    .venv/bin/python bench/gpu.py                  # no GPU: tiny pipelines, sizes ÷ 8 (a few minutes)
    .venv/bin/python bench/gpu.py --quick          # the same, 16:9 only, one round (under a minute)
    .venv/bin/python bench/gpu.py --full           # a GPU: the published architectures, every size
    .venv/bin/python bench/gpu.py --full --families wan2.2-ti2v-5b --steps 10

Both sides run the same pipeline object, the same prompt, size, frame count, steps, guidance and
seed, in the same process, alternating (Reelay first in odd rounds, plain diffusers in even
ones), so a busy machine slows both alike; figures are medians over the rounds.

- Reelay: what the engine's device thread runs for a task (`engines/diffusers/run.py` then
  `output.py`): the call with its step callback (progress, cancel check), the frames to uint8,
  resampled to 24 fps (optical-flow interpolation for 16 fps families) and x264-encoded with
  the poster and last frame.
- plain diffusers: `pipe(...)` with `output_type="np"` then diffusers' own `export_to_video` at
  the model's frame rate (imageio + imageio-ffmpeg: `pip install -e '.[bench]'`), as its docs do.

Per step: the median interval between step-end callbacks (both sides have one; plain diffusers'
only records the time). Per clip: the whole call plus the encoding, for `--seconds` of video
(5 by default: the families' trained length), as wall time and as CPU time (user + system of
this process's threads and of the ffmpeg process imageio starts): on a shared machine the CPU
time is the steadier figure.

`--full` builds each family from its published architecture (transformer, VAE, UMT5/T5-XXL text
encoder; see FULL below) with random weights: no download, and speed does not depend on weight
values. It needs a GPU with the memory the model needs (TI2V-5B in bf16 ~24 GB with the text
encoder; the A14B families ~80 GB, or `--cpu-offload`). Without a GPU the script runs the tiny
pipelines the tests build (tests/support/tiny_diffusers.py) at the families' sizes divided by
`--scale` and says so: a tiny model's step costs microseconds of arithmetic, so those figures
measure the engine's overhead around the model (callbacks, conversion, interpolation, encoding)
against plain diffusers' — the part Reelay adds — not a GPU's speed. Full size on a CPU is hours
a clip (the 5B transformer alone is ~5 TFLOP a step at 1280×704×121 before attention).
`--check-configs` builds the published architectures on the meta device (no memory) and prints
their parameter counts, to check FULL against the model cards.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "tests"))

import numpy as np  # noqa: E402
import torch  # noqa: E402

from reelay.config import ChannelConfig  # noqa: E402
from reelay.domain.request import GenerationRequest  # noqa: E402
from reelay.engines.diffusers import loading, mapping, output, run  # noqa: E402
from reelay.engines.diffusers.families import FAMILIES  # noqa: E402
from reelay.engines.diffusers.settings import DiffusersSettings  # noqa: E402

# The published architectures (the Wan-AI/*-Diffusers and Lightricks/LTX-Video config.json files,
# and the Wan repos' wan/configs/*.py: dim, ffn_dim, heads, layers).
WAN_14B = dict(num_attention_heads=40, attention_head_dim=128, ffn_dim=13824, num_layers=40)
FULL: dict[str, dict[str, Any]] = {
    "wan2.2-ti2v-5b": dict(
        transformer=dict(
            num_attention_heads=24,
            attention_head_dim=128,
            ffn_dim=14336,
            num_layers=30,
            in_channels=48,
            out_channels=48,
        ),
        vae=dict(
            base_dim=160,
            decoder_base_dim=256,
            z_dim=48,
            in_channels=12,
            out_channels=12,
            is_residual=True,
            patch_size=2,
            scale_factor_spatial=16,
            dim_mult=[1, 2, 4, 4],
            num_res_blocks=2,
            latents_mean=[0.0] * 48,
            latents_std=[1.0] * 48,
        ),
        expand_timesteps=True,
    ),
    "wan2.2-t2v-a14b": dict(transformer=dict(WAN_14B, in_channels=16, out_channels=16), experts=2, boundary=0.875),
    "wan2.2-i2v-a14b": dict(transformer=dict(WAN_14B, in_channels=36, out_channels=16), experts=2, boundary=0.9),
}
UMT5_XXL = dict(
    vocab_size=256384,
    d_model=4096,
    d_kv=64,
    d_ff=10240,
    num_layers=24,
    num_heads=64,
    feed_forward_proj="gated-gelu",
    relative_attention_num_buckets=32,
)


def build_full(family: str, folder: Path, dtype: torch.dtype) -> Path:
    """A family at its published size, random weights, saved where the engine loads from."""
    import diffusers
    from transformers import UMT5Config, UMT5EncoderModel

    from support.tiny_diffusers import tokenizer

    spec = FULL[family]
    common = dict(
        patch_size=(1, 2, 2),
        text_dim=4096,
        freq_dim=256,
        cross_attn_norm=True,
        qk_norm="rms_norm_across_heads",
        rope_max_seq_len=1024,
    )
    transformers_ = [
        diffusers.WanTransformer3DModel(**common, **spec["transformer"]).to(dtype)
        for _ in range(spec.get("experts", 1))
    ]
    vae = diffusers.AutoencoderKLWan(**spec.get("vae", {})).to(torch.float32)  # the VAE runs in float32 (wan.md)
    # A word-level tokenizer stands in for UMT5's SentencePiece (no download); the encoder is full size.
    text_encoder = UMT5EncoderModel(UMT5Config(**UMT5_XXL)).to(dtype).eval()
    scheduler = diffusers.UniPCMultistepScheduler(
        prediction_type="flow_prediction", use_flow_sigmas=True, flow_shift=5.0
    )
    pipe_class = diffusers.WanImageToVideoPipeline if family == "wan2.2-i2v-a14b" else diffusers.WanPipeline
    extra: dict[str, Any] = {}
    if spec.get("experts") == 2:
        extra = dict(transformer_2=transformers_[1], boundary_ratio=spec["boundary"])
    if spec.get("expand_timesteps"):
        extra["expand_timesteps"] = True
    pipe = pipe_class(
        tokenizer=tokenizer(),
        text_encoder=text_encoder,
        vae=vae,
        scheduler=scheduler,
        transformer=transformers_[0],
        **extra,
    )
    pipe.save_pretrained(folder)
    return folder


def check_configs() -> None:
    import diffusers
    from accelerate import init_empty_weights
    from transformers import UMT5Config, UMT5EncoderModel

    common = dict(
        patch_size=(1, 2, 2), text_dim=4096, freq_dim=256, cross_attn_norm=True, qk_norm="rms_norm_across_heads"
    )
    with init_empty_weights():
        for family, spec in FULL.items():
            model = diffusers.WanTransformer3DModel(**common, **spec["transformer"])
            count = sum(p.numel() for p in model.parameters()) * spec.get("experts", 1)
            print(f"{family}: transformer(s) {count / 1e9:.2f} B parameters")
        encoder = UMT5EncoderModel(UMT5Config(**UMT5_XXL))
        print(f"UMT5-XXL encoder: {sum(p.numel() for p in encoder.parameters()) / 1e9:.2f} B parameters")


def scaled_sizes(family: str, scale: int) -> dict[str, tuple[int, int]]:
    step = FAMILIES[family].size_step
    return {
        ratio: (max(step, round(w / scale / step) * step), max(step, round(h / scale / step) * step))
        for ratio, (w, h) in FAMILIES[family].sizes.items()
    }


def cpu_seconds() -> float:
    """User + system time of this process's threads and of its finished children (ffmpeg)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


Timing = tuple[float, float, float]  # wall seconds a clip, CPU seconds a clip, wall seconds a step


def reelay_side(settings: DiffusersSettings, plan: mapping.Plan, out: Path) -> Timing:
    marks: list[float] = []
    cpu, started = cpu_seconds(), time.perf_counter()
    frames = run.generate(
        settings, plan, None, None, lambda step, steps: marks.append(time.perf_counter()), threading.Event()
    )
    output.encode(frames, plan.fps, plan.seconds, out, "bench")
    return time.perf_counter() - started, cpu_seconds() - cpu, per_step(started, marks)


def plain_side(settings: DiffusersSettings, plan: mapping.Plan, out: Path) -> Timing:
    from diffusers.utils import export_to_video

    pipe = loading.pipeline(settings)  # the same object: loading is not what is timed
    marks: list[float] = []

    def stamp(pipeline: Any, step: int, timestep: Any, tensors: dict[str, Any]) -> dict[str, Any]:
        marks.append(time.perf_counter())
        return tensors

    cpu, started = cpu_seconds(), time.perf_counter()
    frames = pipe(
        prompt=plan.prompt,
        height=plan.height,
        width=plan.width,
        num_frames=plan.frames,
        num_inference_steps=plan.steps,
        guidance_scale=plan.guidance,
        generator=torch.Generator("cpu").manual_seed(plan.seed),
        output_type="np",
        callback_on_step_end=stamp,
    ).frames[0]
    out.mkdir(parents=True, exist_ok=True)
    export_to_video(list(frames), str(out / "plain.mp4"), fps=plan.fps)
    return time.perf_counter() - started, cpu_seconds() - cpu, per_step(started, marks)


def per_step(started: float, marks: list[float]) -> float:
    intervals = np.diff([started, *marks])
    return float(np.median(intervals[1:] if len(intervals) > 1 else intervals))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--full", action="store_true", help="the published architectures (a GPU)")
    parser.add_argument("--check-configs", action="store_true", help="parameter counts of FULL on the meta device")
    parser.add_argument("--families", default="", help="comma separated (default: all the mode has)")
    parser.add_argument("--ratios", default="", help="comma separated (default: every ratio of the table)")
    parser.add_argument("--quick", action="store_true", help="16:9 only, one round")
    parser.add_argument("--scale", type=int, default=8, help="without --full: each side of the sizes divided by")
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--steps", type=int, default=None, help="default: 4 tiny, the family's own with --full")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--dtype", default=None, help="default: bfloat16 on a GPU, float32 on the CPU")
    parser.add_argument("--cpu-offload", action="store_true")
    args = parser.parse_args()
    if args.quick:
        args.ratios, args.rounds = "16:9", 1
    if args.check_configs:
        check_configs()
        return
    dtype = args.dtype or ("float32" if args.device == "cpu" else "bfloat16")
    if args.full and args.device == "cpu":
        sys.exit("--full on a CPU takes hours a clip; run it on a GPU (or drop --full for the tiny pipelines)")
    from support import tiny_diffusers

    families = [f for f in args.families.split(",") if f] or (
        list(FULL) if args.full else ["wan2.2-ti2v-5b", "wan2.2-t2v-a14b"]
    )
    mode = "published architectures, random weights" if args.full else f"TINY pipelines at sizes ÷ {args.scale}"
    print(
        f"# bench/gpu.py: {mode}; {args.device} {dtype}; torch {torch.__version__}; {platform.processor() or ''}"
        f" {os.cpu_count()} CPUs; {args.seconds} s clips; {args.rounds} round(s)"
    )
    if not args.full:
        print("# No GPU figures: a tiny model's arithmetic is negligible; this is the engine's overhead.")
    print(
        "| family | size | frames | steps | s/step Reelay | s/step plain | s/clip Reelay | s/clip plain "
        "| CPU s/clip Reelay | CPU s/clip plain | CPU ratio |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        for family in families:
            folder = root / family
            if args.full:
                build_full(family, folder, getattr(torch, dtype))
            else:
                tiny_diffusers.BUILDERS[family](folder)
            steps = args.steps or (FAMILIES[family].steps if args.full else 4)
            sizes = dict(FAMILIES[family].sizes) if args.full else scaled_sizes(family, args.scale)
            wanted = [r for r in args.ratios.split(",") if r] or list(sizes)
            channel = ChannelConfig(
                f"bench-{family}",
                "diffusers",
                model_dir=str(folder),
                family=family,
                device=args.device,
                dtype=dtype,
                cpu_offload=args.cpu_offload,
                steps=steps,
                sizes={ratio: f"{w}x{h}" for ratio, (w, h) in sizes.items()},
            )
            settings = DiffusersSettings.of(channel)
            loading.pipeline(settings)  # loaded once, before either side is timed
            for ratio in wanted:
                width, height = sizes[ratio]
                asked = GenerationRequest(
                    "runway",
                    "text_to_video",
                    "m",
                    "m",
                    ratio,
                    width,
                    height,
                    args.seconds,
                    prompt="a lighthouse at dusk",
                )
                plan = mapping.plan(asked, 7, settings)
                reelay_side(settings, plan, root / "warm")  # first call: kernels, caches
                ours: list[Timing] = []
                theirs: list[Timing] = []
                for index in range(args.rounds):
                    sides = [(ours, reelay_side), (theirs, plain_side)]
                    for into, side in sides if index % 2 == 0 else reversed(sides):
                        into.append(side(settings, plan, root / f"out-{index}"))
                wall, cpu, step = (
                    (statistics.median(t[i] for t in ours), statistics.median(t[i] for t in theirs)) for i in range(3)
                )
                print(
                    f"| {family} | {width}×{height} ({ratio}) | {plan.frames} | {steps} | {step[0]:.4f} | "
                    f"{step[1]:.4f} | {wall[0]:.2f} | {wall[1]:.2f} | {cpu[0]:.2f} | {cpu[1]:.2f} | "
                    f"{cpu[0] / cpu[1]:.2f} |",
                    flush=True,
                )


if __name__ == "__main__":
    main()
