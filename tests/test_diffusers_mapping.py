"""The diffusers engine's tables and checks, without torch: families, sizes, frames, settings,
which requests a channel takes, how model frames become 24 fps, and that routing imports no torch."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from reelay.config import ChannelConfig, ConfigError
from reelay.domain.request import FIRST, LAST, GenerationRequest, MediaRef
from reelay.engines.diffusers import mapping
from reelay.engines.diffusers.errors import is_out_of_memory
from reelay.engines.diffusers.families import FAMILIES
from reelay.engines.diffusers.output import source_positions
from reelay.engines.diffusers.settings import DiffusersSettings


def channel(**fields) -> ChannelConfig:
    base = dict(model_dir="/models/wan", family="wan2.2-ti2v-5b")
    return ChannelConfig("gpu", "diffusers", **{**base, **fields})


def image(role: str) -> MediaRef:
    return MediaRef(
        uri="https://x/y.png", key=f"inputs/{role}.png", width=800, height=500, content_type="image/png", role=role
    )


def request(width=1280, height=720, seconds=5, images=(), kind=None, motion=None) -> GenerationRequest:
    kind = kind or ("image_to_video" if images else "text_to_video")
    inputs = tuple(image(role) for role in images)
    return GenerationRequest(
        "pro",
        kind,
        "gen4_turbo",
        "gen4_turbo",
        "16:9",
        width,
        height,
        seconds,
        prompt="a cat",
        inputs=inputs,
        motion=motion,
    )


@pytest.mark.parametrize(
    ("family", "seconds", "frames"),
    [
        ("wan2.2-i2v-a14b", 5, 81),  # 16 fps: 80 frames cover 5 s, 4k+1 -> 81
        ("wan2.2-t2v-a14b", 10, 161),
        ("wan2.1-flf2v", 2, 33),
        ("wan2.2-ti2v-5b", 5, 121),  # 24 fps
        ("wan2.2-ti2v-5b", 3, 73),
        ("ltx-condition", 5, 121),  # 8k+1
        ("ltx-condition", 2, 49),
        ("ltx-condition", 10, 241),
    ],
)
def test_frames_are_the_fewest_of_the_models_shape_that_cover_the_seconds(family, seconds, frames):
    found = mapping.frame_count(FAMILIES[family], seconds)
    assert found == frames
    step = FAMILIES[family].frame_step
    assert (found - 1) % step == 0 and found - 1 >= seconds * FAMILIES[family].fps > found - 1 - step


@pytest.mark.parametrize(
    ("family", "asked", "size"),
    [
        ("wan2.2-ti2v-5b", (1280, 720), (1280, 704)),
        ("wan2.2-ti2v-5b", (720, 1280), (704, 1280)),
        ("wan2.2-ti2v-5b", (960, 960), (928, 928)),
        ("wan2.2-i2v-a14b", (1104, 832), (720, 544)),  # 4:3 at 480P
        ("wan2.2-i2v-a14b", (1584, 672), (960, 400)),  # 21:9
        ("wan2.1-flf2v", (1280, 768), (1280, 720)),  # gen3's 5:3 is nearest 16:9
        ("ltx-condition", (832, 1104), (800, 1056)),
        ("ltx-condition", (3840, 2160), (1216, 704)),
    ],
)
def test_the_size_is_the_tables_nearest_aspect(family, asked, size):
    assert mapping.nearest_size(FAMILIES[family].sizes, *asked) == size


def test_every_size_in_the_tables_is_a_multiple_of_the_familys_step():
    for family in FAMILIES.values():
        for width, height in family.sizes.values():
            assert width % family.size_step == 0 and height % family.size_step == 0, family.name


def test_a_channels_size_table_replaces_the_familys():
    settings = DiffusersSettings.of(channel(sizes={"16:9": "128x64", "1:1": "64x64"}))
    assert settings.sizes == {"16:9": (128, 64), "1:1": (64, 64)}
    plan = mapping.plan(request(720, 1280), 5, settings)  # 9:16: 1:1 is nearer than 16:9
    assert (plan.width, plan.height, plan.frames, plan.fps, plan.seconds, plan.seed) == (64, 64, 121, 24, 5, 5)
    assert (plan.steps, plan.guidance) == (50, 5.0)  # the family's defaults


@pytest.mark.parametrize(
    ("fields", "named"),
    [
        (dict(model_dir=""), "model_dir"),
        (dict(family="wan3"), "family"),
        (dict(dtype="int8"), "dtype"),
        (dict(device="gpu0"), "device"),
        (dict(steps=0), "steps"),
        (dict(guidance=-1.0), "guidance"),
        (dict(sizes={"16:9": "wide"}), "sizes.16:9"),
        (dict(sizes={"16:9": "128x48"}), "multiples of 32"),
    ],
)
def test_bad_settings_stop_the_start_naming_the_field(fields, named):
    with pytest.raises(ConfigError, match=named):
        DiffusersSettings.of(channel(**fields))


def test_a_diffusers_channel_needs_no_base_url_and_takes_one_task_at_a_time(tmp_path):
    from reelay.config import load_config

    path = tmp_path / "reelay.toml"
    path.write_text('[[channels]]\nname = "gpu"\nengine = "diffusers"\nmodel_dir = "/m"\nfamily = "ltx-condition"\n')
    (found,) = load_config(path).channels
    assert found.capacity == 1
    assert channel(max_concurrent=3).capacity == 3


@pytest.mark.parametrize(
    ("family", "images", "takes"),
    [
        ("wan2.2-ti2v-5b", (), True),
        ("wan2.2-ti2v-5b", (FIRST,), True),
        ("wan2.2-ti2v-5b", (FIRST, LAST), False),  # diffusers would drop the last image silently
        ("wan2.2-i2v-a14b", (), False),
        ("wan2.2-i2v-a14b", (FIRST, LAST), True),
        ("wan2.2-t2v-a14b", (FIRST,), False),
        ("wan2.1-flf2v", (FIRST,), False),  # its transformer needs both images
        ("wan2.1-flf2v", (FIRST, LAST), True),
        ("ltx-condition", (LAST,), True),
        ("ltx-condition", (FIRST, LAST), True),
    ],
)
def test_a_channel_takes_only_requests_its_pipeline_honours(family, images, takes):
    assert mapping.takes(FAMILIES[family], request(images=images)) is takes


def test_camera_motion_and_stills_go_elsewhere():
    family = FAMILIES["ltx-condition"]
    assert not mapping.takes(family, request(motion=(0.0, 0.0, 5.0, 0.0, 0.0, 0.0)))
    assert mapping.takes(family, request(motion=(0.0,) * 6))
    assert not mapping.takes(family, request(kind="text_to_image", seconds=0))


def test_24_fps_models_give_their_own_frames_and_16_fps_ones_are_interpolated():
    assert source_positions(121, 24, 5) == [(j, 0.0) for j in range(120)]
    sixteen = source_positions(81, 16, 5)
    assert len(sixteen) == 120
    assert sixteen[:4] == [(0, 0.0), (0, pytest.approx(2 / 3)), (1, pytest.approx(1 / 3)), (2, 0.0)]
    assert sixteen[-1] == (79, pytest.approx(1 / 3))  # 119/24 s, before the model's last frame


def test_out_of_memory_is_told_apart():
    assert is_out_of_memory(MemoryError())
    assert is_out_of_memory(RuntimeError("CUDA error: out of memory"))
    assert is_out_of_memory(type("OutOfMemoryError", (RuntimeError,), {})("CUDA out of memory. Tried to allocate"))
    assert not is_out_of_memory(ValueError("bad shape"))


@pytest.mark.e2e
def test_an_api_process_routes_to_diffusers_channels_without_importing_torch(tmp_path):
    """The app and the engines built for it (as `reelay serve` builds them) import no torch or
    diffusers; the channel still answers which requests it takes."""
    config = tmp_path / "reelay.toml"
    config.write_text(
        '[[channels]]\nname = "gpu"\nengine = "diffusers"\nmodel_dir = "/nowhere"\nfamily = "wan2.2-ti2v-5b"\n'
    )
    script = textwrap.dedent(
        f"""
        import sys
        import reelay.app, reelay.cli, reelay.wiring
        from reelay.config import load_config
        from reelay.settings import Settings
        from reelay.storage.local import LocalStorage
        from reelay.storage.signing import UrlSigner
        from reelay.domain.request import GenerationRequest
        settings = Settings(data_dir={str(tmp_path / "data")!r}, config={str(config)!r})
        signer = UrlSigner("s" * 32, 60)
        engines = reelay.wiring.build_engines(
            load_config(settings.config), settings, LocalStorage(settings.files_dir, signer), signer, None
        )
        asked = GenerationRequest("pro", "text_to_video", "gen4_turbo", "gen4_turbo", "16:9", 1280, 720, 5, "a cat")
        assert engines.candidates(asked) == ["gpu"]
        heavy = sorted(name for name in sys.modules if name.split(".")[0] in ("torch", "diffusers", "transformers"))
        print(heavy)
        """
    )
    ran = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.strip() == "[]"
