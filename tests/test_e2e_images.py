"""Runway's image endpoints through Runway's Python SDK (strict) against a real Reelay process:
text_to_image makes N real images of the size asked, image_upscale really enlarges by the factor."""

import io
import time

import httpx
import pytest
from PIL import Image
from runwayml import BadRequestError, RunwayML
from runwayml.lib.polling import TaskFailedError

from support.images import data_uri, gradient_image
from support.official import auth, official_error

REFERENCE = data_uri(gradient_image(640, 400, seed=3), "PNG")


@pytest.fixture(scope="module")
def client(reelay, api_key):
    return RunwayML(base_url=reelay.url, api_key=api_key, _strict_response_validation=True, max_retries=0)


def _image(url: str) -> tuple[Image.Image, str]:
    answer = httpx.get(url)
    assert answer.status_code == 200
    image = Image.open(io.BytesIO(answer.content))
    image.load()  # a real decode, not just a header
    return image, answer.headers["content-type"]


def test_text_to_image_makes_output_count_images_of_the_ratio(client):
    task = client.text_to_image.create(
        model="gemini_image3.1_flash",
        prompt_text="a lighthouse on a cliff",
        ratio="672:384",
        output_count=4,
        reference_images=[{"uri": REFERENCE, "tag": "cliff"}],
    ).wait_for_task_output(timeout=120)
    assert task.status == "SUCCEEDED" and len(task.output) == 4
    decoded = [_image(url) for url in task.output]
    assert all(image.size == (672, 384) and kind == "image/png" for image, kind in decoded)
    # Each image has its own seed: four different pictures, not one copied.
    assert len({image.tobytes() for image, _ in decoded}) == 4


def test_text_to_image_is_deterministic_per_seed_and_composes_the_references(client):
    def render(references):
        task = client.text_to_image.create(
            model="gen4_image", prompt_text="a red door", ratio="1280:720", seed=7, **references
        ).wait_for_task_output(timeout=120)
        (url,) = task.output
        image, kind = _image(url)
        assert image.size == (1280, 720) and kind == "image/png"
        return image.convert("RGB")

    plain = render({})
    again = render({})
    assert plain.tobytes() == again.tobytes()
    with_reference = render({"reference_images": [{"uri": REFERENCE, "tag": "door"}]})
    # The reference is laid in as a tile at the bottom left; the top of the picture is the same.
    top = (0, 0, 1280, 360)
    assert plain.crop(top).tobytes() == with_reference.crop(top).tobytes()
    bottom_left = (0, 500, 400, 720)
    assert plain.crop(bottom_left).tobytes() != with_reference.crop(bottom_left).tobytes()


def test_text_to_image_auto_ratio_follows_the_reference(client):
    task = client.text_to_image.create(
        model="gpt_image_2", prompt_text="a map", ratio="auto", reference_images=[{"uri": REFERENCE}]
    ).wait_for_task_output(timeout=120)
    image, _ = _image(task.output[0])
    assert image.width / image.height == pytest.approx(640 / 400, rel=0.01)
    assert image.width * image.height == pytest.approx(1024 * 1024, rel=0.02)


def test_text_to_image_output_format_jpeg(client):
    task = client.text_to_image.create(
        model="seedream5_lite", prompt_text="a field", ratio="2048:2048", output_format="jpeg"
    ).wait_for_task_output(timeout=120)
    image, kind = _image(task.output[0])
    assert (image.size, image.format, kind) == ((2048, 2048), "JPEG", "image/jpeg")


def test_image_upscale_enlarges_by_the_factor(client):
    source = gradient_image(400, 300, seed=5)
    task = client.image_upscale.create(
        model="magnific_precision_upscaler_v2", image_uri=data_uri(source, "PNG"), scale_factor=4
    ).wait_for_task_output(timeout=120)
    (url,) = task.output
    image, kind = _image(url)
    assert image.size == (1600, 1200) and kind == "image/png"
    # A resize of the input, not a new picture: shrunk back it is the input, near enough.
    back = image.convert("RGB").resize(source.size, Image.Resampling.BOX)
    difference = sum(abs(a - b) for a, b in zip(back.tobytes(), source.convert("RGB").tobytes(), strict=True))
    assert difference / len(back.tobytes()) < 6


def test_image_upscale_default_factor_is_two_and_jpeg_stays_jpeg(client):
    task = client.image_upscale.create(
        model="magnific_precision_upscaler_v2", image_uri=data_uri(gradient_image(500, 320), "JPEG")
    ).wait_for_task_output(timeout=120)
    image, kind = _image(task.output[0])
    assert image.size == (1000, 640) and kind == "image/jpeg"


def test_image_tasks_read_back_and_show_in_the_pro_feed(client, reelay, api_key):
    task = client.image_upscale.create(
        model="magnific_precision_upscaler_v2", image_uri=data_uri(gradient_image(320, 320), "PNG")
    ).wait_for_task_output(timeout=120)
    read = client.tasks.retrieve(task.id)
    assert read.status == "SUCCEEDED" and len(read.output) == 1
    http = httpx.Client(base_url=reelay.url, headers=auth(api_key))
    feed = http.post("/runway/feed", json={"task_id": task.id}).json()["data"]
    assert feed["status"] == "3"
    organization = client.organization.retrieve()
    assert organization.usage.models["magnific_precision_upscaler_v2"].daily_generations >= 1
    assert "gen4_image" in organization.tier.models


def test_sandbox_markers_work_on_image_tasks(client):
    created = client.text_to_image.create(
        model="gen4_image_turbo",
        prompt_text="[sandbox:fail=SAFETY.OUTPUT] a face",
        ratio="720:720",
        reference_images=[{"uri": REFERENCE}],
    )
    with pytest.raises(TaskFailedError) as failed:
        created.wait_for_task_output(timeout=120)
    assert failed.value.task_details.failure_code == "SAFETY.OUTPUT"


def test_upscale_takes_sandbox_markers_from_the_header(client):
    image = data_uri(gradient_image(320, 320), "PNG")
    created = client.image_upscale.create(
        model="magnific_precision_upscaler_v2",
        image_uri=image,
        extra_headers={"X-Reelay-Sandbox": "[sandbox:fail=SAFETY.INPUT.IMAGE]"},
    )
    with pytest.raises(TaskFailedError) as failed:
        created.wait_for_task_output(timeout=120)
    assert failed.value.task_details.failure_code == "SAFETY.INPUT.IMAGE"
    started = time.monotonic()
    delayed = client.image_upscale.create(
        model="magnific_precision_upscaler_v2", image_uri=image, extra_headers={"X-Reelay-Sandbox": "[sandbox:delay=2]"}
    ).wait_for_task_output(timeout=120)
    assert delayed.status == "SUCCEEDED" and time.monotonic() - started >= 2


@pytest.mark.parametrize(
    ("create", "field"),
    [
        (
            lambda c: c.image_upscale.create(
                model="magnific_precision_upscaler_v2", image_uri=data_uri(gradient_image(200, 400))
            ),
            "imageUri",
        ),
        (
            lambda c: c.image_upscale.create(
                model="magnific_precision_upscaler_v2",
                image_uri=data_uri(gradient_image(3000, 2200), "JPEG"),
                scale_factor=2,
            ),
            "imageUri",
        ),
        (
            lambda c: c.image_upscale.create(
                model="magnific_precision_upscaler_v2", image_uri=REFERENCE, scale_factor=3
            ),
            "scaleFactor",
        ),
        (lambda c: c.text_to_image.create(model="gen4_image", prompt_text="x", ratio="1000:1000"), "ratio"),
        (
            lambda c: c.text_to_image.create(model="gen4_image_turbo", prompt_text="x", ratio="720:720"),
            "referenceImages",
        ),
        (
            lambda c: c.text_to_image.create(
                model="gemini_image3.1_flash", prompt_text="x", ratio="512:512", output_count=11
            ),
            "outputCount",
        ),
        (
            lambda c: c.text_to_image.create(
                model="gen4_image",
                prompt_text="x",
                ratio="720:720",
                reference_images=[{"uri": "data:image/png;base64,AAAA"}],
            ),
            "referenceImages.0.uri",
        ),
    ],
)
def test_bad_bodies_are_400_naming_the_field(client, create, field):
    with pytest.raises(BadRequestError) as refused:
        create(client)
    assert official_error(refused.value.body).startswith(f"{field}:"), refused.value.body
