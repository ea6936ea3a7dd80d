"""Runway's image endpoints through a `runway` channel to the emulator: the create reaches Runway
with our copies of the inputs, and every output image is copied into Reelay's storage."""

import io

import httpx
import pytest
from PIL import Image
from runwayml import RunwayML

from support.backends import is_ours
from support.gateway import Gateway, channel, creates
from support.images import data_uri, gradient_image

pytestmark = pytest.mark.e2e  # real processes: make test-fast leaves these out

REFERENCE = data_uri(gradient_image(400, 300), "PNG")


@pytest.fixture(scope="module")
def gateway(tmp_path_factory, emulator):
    gateway = Gateway(tmp_path_factory.mktemp("images"), channel("runway-a", "runway", emulator.url, ["key-a"]))
    yield gateway
    gateway.stop()


@pytest.fixture
def client(gateway, emulator):
    emulator.reset(pending_seconds=0.2, running_seconds=0.4)
    return RunwayML(base_url=gateway.server.url, api_key=gateway.key, _strict_response_validation=True, max_retries=0)


def decoded(url):
    image = Image.open(io.BytesIO(httpx.get(url).content))
    image.load()
    return image


def test_text_to_image_goes_to_runway_and_every_image_is_copied_in(client, gateway, emulator):
    task = client.text_to_image.create(
        model="gemini_image3_pro",
        prompt_text="a harbour",
        ratio="1344:768",
        output_count=4,
        reference_images=[{"uri": REFERENCE, "tag": "harbour"}],
    ).wait_for_task_output(timeout=60)
    (sent,) = [r["json"] for r in creates(emulator, "/v1/text_to_image")]
    assert {k: v for k, v in sent.items() if k != "referenceImages"} == {
        "model": "gemini_image3_pro",
        "promptText": "a harbour",
        "ratio": "1344:768",
        "outputCount": 4,
    }
    (reference,) = sent["referenceImages"]
    assert reference["tag"] == "harbour" and reference["uri"].startswith("data:image/png;base64,")
    assert len(task.output) == 4 and all(is_ours(url, gateway.server.url) for url in task.output)
    images = [decoded(url) for url in task.output]
    assert all(image.size == (1344, 768) and image.format == "PNG" for image in images)
    assert len({image.tobytes() for image in images}) == 4  # four images, not one four times


def test_a_model_whose_ratio_was_left_out_reaches_runway_without_one(client, emulator):
    client.text_to_image.create(model="ideogram_4_0", prompt_text="a poster").wait_for_task_output(timeout=60)
    (sent,) = [r["json"] for r in creates(emulator, "/v1/text_to_image")]
    assert sent == {"model": "ideogram_4_0", "promptText": "a poster"}  # Runway picks the ratio


def test_image_upscale_goes_to_runway_and_the_result_is_the_factors_size(client, gateway, emulator):
    task = client.image_upscale.create(
        model="magnific_precision_upscaler_v2", image_uri=REFERENCE, scale_factor=4, sharpen=10
    ).wait_for_task_output(timeout=60)
    (sent,) = [r["json"] for r in creates(emulator, "/v1/image_upscale")]
    assert sent["scaleFactor"] == 4 and sent["sharpen"] == 10 and sent["imageUri"].startswith("data:image/png;base64,")
    (url,) = task.output
    assert is_ours(url, gateway.server.url)
    assert decoded(url).size == (1600, 1200)


def test_an_upstream_failure_on_an_image_task_reaches_the_client(client, emulator):
    from runwayml.lib.polling import TaskFailedError

    emulator.reset(pending_seconds=0.1, running_seconds=0.2, fail_code="SAFETY.INPUT.TEXT")
    created = client.text_to_image.create(model="gen4_image", prompt_text="x", ratio="720:720")
    with pytest.raises(TaskFailedError) as failed:
        created.wait_for_task_output(timeout=60)
    assert failed.value.task_details.failure_code == "SAFETY.INPUT.TEXT"
