"""Runway's model catalogue as data: one row per (endpoint, model), as the `runwayml` 5.24 SDK types them.

Drafted by `scripts/catalogue_from_sdk.py` from the SDK's request types, then reviewed by hand;
`tests/test_catalogue_sdk.py` proves the rows and the installed SDK agree (models, field names,
which are required, every choice's values). What the SDK does not say was chosen here:

- Durations the SDK types only as `int` get the range Runway's published constraints give
  (seedance 4-15 s, happyhorse 3-15 s, kling 3.0/O3 3-15 s, gen4_turbo 2-10 s; hailuo3 6-10 s);
  where nothing is published (grok, wan3, h3_max, kling_4) a range wide enough for the model's
  known clips, so that a render stays bounded. An upstream may be stricter; it answers for itself.
- `default_seconds`: the length rendered when a body leaves `duration` out (5 unless the model's
  own default is known). `"auto"` is priced and rendered as the row's longest duration, which is
  what Runway charges up front for it.
- `credits`: Runway's credits per second of output (per image for text_to_image, per task for
  image_upscale), the price when the operator's `[prices]` table names neither the model nor a
  default. Runway's published rates where known (gen4.5 12, gen4_turbo 5, gen3a_turbo 5, veo3 40,
  veo3.1 40, veo3.1_fast 15, act_two 5, aleph2 15, gen4_image 5, gen4_image_turbo 2,
  gemini_2.5_flash 5); the third-party models' rates are estimates by tier, to be overridden in
  `[prices]` by an operator who resells them.
- `last_needs_first`: the SDK's docstrings say a last frame needs a first (veo3.1, kling, h3_max,
  gemini_omni_flash_1.1).
- `rules` (what holds between fields) are the SDK docstrings' sentences as data, each quoted
  above its rule. What depends on the media itself (audio and video references' total length,
  an image's aspect) is checked once it is fetched, if at all, not here. `bria_fibo_edit_1_5`
  takes "1 to 4 images to edit" (a required list of at most 4), which the SDK types only as a list.
- A reference image's `tag` is a `Tag` (3-16 characters, a letter first, letters, digits and
  underscores) where its docstring says so (all but gemini_image3.1_flash_lite's).
- A media member's kind follows its docstring ("an encoded audio"): `referenceAudio` items take
  audio, `referenceVideos` items and a character or reference `video` take video.
- `gen3a_turbo` and `veo3` are gone from the SDK but stay accepted (`legacy=True`): seed 004 and
  older clients still send them.
"""

from __future__ import annotations

from .catalogue_row import AllOrNone, Count, Forbids, Limits, Only, Requires, Row, Total, Unique, When, Within
from .fields import AnyOf, Choice, Flag, Integer, ListOf, Number, Record, Tag, Text, Uri, optional, required

SEED = Integer(0, 4294967295)

# -- rules between fields, each as the SDK's docstring of the field states it ----------------------

# "Only valid when `outputFormat` is `prores` or `hdr_prores` ... For `hdr_prores`, only `422`,
# `422 HQ` and `4444` are available."
GEN4_5_PRORES = (
    Only("proresProfile", When("outputFormat", ("prores", "hdr_prores"))),
    Limits("proresProfile", ("422", "422 HQ", "4444"), When("outputFormat", ("hdr_prores",))),
)
# "Only valid when `outputFormat` is `prores`"; keyframes' ranges: "All keyframes must either set
# a range or none may", and "the keyframe timestamp must fall within it" (its end exclusive).
ALEPH2_RULES = (
    Only("proresProfile", When("outputFormat", ("prores",))),
    AllOrNone("keyframes", "range"),
    Within("keyframes", "seconds", "range.start_seconds", "range.end_seconds"),
)
# "Total duration across all segments must be between 3 and 15 seconds. `promptText` is still
# required when `shotType` is "intelligence"."
KLING_MULTI_PROMPT = (
    Total("providerSettings.multiPrompt", "duration", 3, 15),
    Requires(("promptText",), When("providerSettings.shotType", ("intelligence",))),
)
# "Use adaptive only when image or video references are provided; text-only requests require a
# concrete ratio." (image_to_video and video_to_video always carry an image or a video.)
HAILUO3_TEXT = (Requires(("references", "referenceVideos"), When("ratio", ("adaptive",))),)
# "Audio references require at least one image reference."
GROK_TEXT = (Requires(("references",), When("referenceAudio")),)
# "Keyframe image-to-video requests must use `auto_480p`, `auto_720p`, or `auto_1080p`."
WAN3_KEYFRAMES = (Limits("ratio", ("auto_480p", "auto_720p", "auto_1080p"), When("promptImage.*.position")),)
# "Draft mode only supports `mp4`."
SEEDANCE2_5_DRAFT = (Limits("outputFormat", ("mp4",), When("draft", (True,))),)
# A text_to_video needs something to go on (a prompt, references or a draft to enhance); a
# `draftTaskId` "is regenerated with its original prompt, references, and settings, so no other
# generation fields may be provided".
SEEDANCE2_5_TEXT = (
    *SEEDANCE2_5_DRAFT,
    Requires(("promptText", "references", "referenceVideos", "draftTaskId")),
    Forbids(
        (
            "audio",
            "draft",
            "duration",
            "outputFormat",
            "promptText",
            "ratio",
            "referenceAudio",
            "references",
            "referenceVideos",
            "seed",
        ),
        When("draftTaskId"),
    ),
)
# "`extend` continues the input video, requires `promptText`, and matches the input aspect ratio,
# so `ratio` may not be provided. `edit` ... requires `promptText`, requires `duration: "auto"`,
# and does not accept `ratio`."
SEEDANCE2_5_VIDEO = (
    *SEEDANCE2_5_DRAFT,
    Requires(("promptText",), When("mode", ("extend", "edit"))),
    Forbids(("ratio",), When("mode", ("extend", "edit"))),
    Requires(("duration",), When("mode", ("edit",))),
    Limits("duration", ("auto",), When("mode", ("edit",))),
)
# "Up to 10 images in total, frames included."
KLING_4_IMAGES = (Count(("promptImage", "references"), maximum=10),)
# `edit`: "Requires at least one reference image."
GROK_IMAGE_EDIT = (Requires(("referenceImages",), When("edit", (True,))),)
# `preciseEdit`: "Requires at least one reference image"; `maskUri` edits the first reference
# image; "`very_low` requires reference images and is not available with `preciseEdit`"; `ratio`:
# "Not available with `maskUri` or `preciseEdit`, which keep the size of the first reference image."
IDEOGRAM_4_5_EDIT = (
    Requires(("referenceImages",), When("preciseEdit", (True,))),
    Requires(("referenceImages",), When("maskUri")),
    Requires(("referenceImages",), When("quality", ("very_low",))),
    Limits("quality", ("low", "medium", "high"), When("preciseEdit", (True,))),
    Limits("ratio", ("auto",), When("maskUri")),
    Limits("ratio", ("auto",), When("preciseEdit", (True,))),
)
# "1 to 4 images to edit"; `ratio`: "Choosing a size requires at least 2 reference images."
BRIA_EDIT = (
    Requires(("referenceImages",)),
    Count(("referenceImages",), minimum=2, when=When("ratio", other_than=("auto",))),
)
# "No two images may share the same tag."
TAGS_UNIQUE = (Unique("referenceImages", "tag"),)
# "Up to five of those images can pass `subject: "human"` ... up to nine ... `subject: "object"`."
GEMINI_SUBJECTS = (
    Count(("referenceImages",), maximum=5, where=("subject", "human")),
    Count(("referenceImages",), maximum=9, where=("subject", "object")),
)

ROWS = (
    Row(
        "image_to_video",
        "gen4.5",
        {
            "duration": required(Integer(2, 10)),
            "promptImage": required(
                AnyOf(
                    (
                        Uri("image"),
                        ListOf(Record({"position": required(Choice(("first",))), "uri": required(Uri("image"))})),
                    )
                )
            ),
            "promptText": required(Text(1000)),
            "ratio": required(Choice(("1280:720", "720:1280", "1104:832", "960:960", "832:1104", "1584:672"))),
            "contentModeration": optional(Record({"publicFigureThreshold": optional(Choice(("auto", "low")))})),
            "outputFormat": optional(
                Choice(
                    (
                        "mp4",
                        "prores",
                        "png_sequence",
                        "hdr10",
                        "hlg",
                        "sdr_rec709_10bit",
                        "hdr_pq_12bit_master",
                        "hdr_prores",
                        "hdr_png_sequence",
                        "hdr_exr_sequence",
                        "hdr_exr_acescg_sequence_1_3",
                        "hdr_exr_acescg_sequence_2_0",
                    )
                )
            ),
            "proresProfile": optional(Choice(("422", "4444", "422 Proxy", "422 LT", "422 HQ", "4444 XQ"))),
            "seed": optional(SEED),
        },
        credits=12,
        rules=GEN4_5_PRORES,
    ),
    Row(
        "image_to_video",
        "gen4_turbo",
        {
            "promptImage": required(
                AnyOf(
                    (
                        Uri("image"),
                        ListOf(Record({"position": required(Choice(("first",))), "uri": required(Uri("image"))})),
                    )
                )
            ),
            "ratio": required(Choice(("1280:720", "720:1280", "1104:832", "960:960", "832:1104", "1584:672"))),
            "contentModeration": optional(Record({"publicFigureThreshold": optional(Choice(("auto", "low")))})),
            "duration": optional(Integer(2, 10)),
            "promptText": optional(Text(1000)),
            "seed": optional(SEED),
        },
        credits=5,
        default_seconds=10,
    ),
    Row(
        "image_to_video",
        "veo3.1",
        {
            "promptImage": required(
                AnyOf(
                    (
                        Uri("image"),
                        ListOf(
                            Record({"position": required(Choice(("first", "last"))), "uri": required(Uri("image"))})
                        ),
                    )
                )
            ),
            "ratio": required(Choice(("1280:720", "720:1280", "1080:1920", "1920:1080"))),
            "audio": optional(Flag()),
            "duration": optional(Choice((4, 6, 8))),
            "negativePrompt": optional(Text()),
            "promptText": optional(Text(1000)),
            "seed": optional(SEED),
        },
        credits=40,
        default_seconds=8,
        last_needs_first=True,
    ),
    Row(
        "image_to_video",
        "veo3.1_fast",
        {
            "promptImage": required(
                AnyOf(
                    (
                        Uri("image"),
                        ListOf(
                            Record({"position": required(Choice(("first", "last"))), "uri": required(Uri("image"))})
                        ),
                    )
                )
            ),
            "ratio": required(Choice(("1280:720", "720:1280", "1080:1920", "1920:1080"))),
            "audio": optional(Flag()),
            "duration": optional(Choice((4, 6, 8))),
            "negativePrompt": optional(Text()),
            "promptText": optional(Text(1000)),
            "seed": optional(SEED),
        },
        credits=15,
        default_seconds=8,
        last_needs_first=True,
    ),
    Row(
        "image_to_video",
        "klingO3_4k",
        {
            "promptImage": required(
                AnyOf(
                    (
                        Uri("image"),
                        ListOf(
                            Record({"position": required(Choice(("first", "last"))), "uri": required(Uri("image"))})
                        ),
                    )
                )
            ),
            "audio": optional(Flag()),
            "duration": optional(Integer(3, 15)),
            "promptText": optional(Text()),
            "providerSettings": optional(
                Record(
                    {
                        "multiPrompt": optional(
                            ListOf(Record({"duration": required(Integer(3, 15)), "prompt": required(Text(2500))}))
                        ),
                        "shotType": optional(Choice(("intelligence", "customize"))),
                    }
                )
            ),
            "ratio": optional(Choice(("3840:2160", "2160:3840", "2880:2880"))),
            "references": optional(
                AnyOf(
                    (
                        Uri("image"),
                        ListOf(
                            Record({"uri": required(Uri("image")), "position": optional(Choice(("first", "last")))}),
                            max_items=7,
                        ),
                    )
                )
            ),
        },
        credits=30,
        last_needs_first=True,
        rules=KLING_MULTI_PROMPT,
    ),
    Row(
        "image_to_video",
        "hailuo3",
        {
            "promptImage": required(
                AnyOf(
                    (
                        Uri("image"),
                        ListOf(
                            Record({"uri": required(Uri("image")), "position": optional(Choice(("first", "last")))})
                        ),
                    )
                )
            ),
            "promptText": required(Text()),
            "duration": optional(Integer(6, 10)),
            "ratio": optional(Choice(("adaptive", "21:9", "16:9", "4:3", "1:1", "3:4", "9:16"))),
            "referenceAudio": optional(
                ListOf(Record({"type": required(Choice(("audio",))), "uri": required(Uri("audio"))}))
            ),
            "resolution": optional(Choice(("768p", "2k", "768P", "2K"))),
        },
        credits=10,
    ),
    Row(
        "image_to_video",
        "kling3.0_4k",
        {
            "promptImage": required(
                AnyOf(
                    (
                        Uri("image"),
                        ListOf(
                            Record({"position": required(Choice(("first", "last"))), "uri": required(Uri("image"))})
                        ),
                    )
                )
            ),
            "audio": optional(Flag()),
            "cfgScale": optional(Number(0, 1)),
            "duration": optional(Integer(3, 15)),
            "promptText": optional(Text()),
            "providerSettings": optional(
                Record(
                    {
                        "multiPrompt": optional(
                            ListOf(Record({"duration": required(Integer(3, 15)), "prompt": required(Text(2500))}))
                        ),
                        "shotType": optional(Choice(("intelligence", "customize"))),
                    }
                )
            ),
            "ratio": optional(Choice(("3840:2160", "2160:3840", "2880:2880"))),
        },
        credits=30,
        last_needs_first=True,
        rules=KLING_MULTI_PROMPT,
    ),
    Row(
        "image_to_video",
        "happyhorse_1_0",
        {
            "promptImage": required(
                AnyOf(
                    (
                        Uri("image"),
                        ListOf(Record({"position": required(Choice(("first",))), "uri": required(Uri("image"))})),
                    )
                )
            ),
            "duration": optional(Integer(3, 15)),
            "promptText": optional(Text(2500)),
            "resolution": optional(Choice(("720p", "1080p", "720P", "1080P"))),
        },
        credits=10,
    ),
    Row(
        "image_to_video",
        "kling2.5_turbo_pro",
        {
            "promptImage": required(
                AnyOf(
                    (
                        Uri("image"),
                        ListOf(
                            Record({"position": required(Choice(("first", "last"))), "uri": required(Uri("image"))})
                        ),
                    )
                )
            ),
            "promptText": required(Text()),
            "cfgScale": optional(Number(0, 1)),
            "duration": optional(Choice((5, 10))),
        },
        credits=7,
    ),
    Row(
        "image_to_video",
        "kling3.0_pro",
        {
            "promptImage": required(
                AnyOf(
                    (
                        Uri("image"),
                        ListOf(
                            Record({"position": required(Choice(("first", "last"))), "uri": required(Uri("image"))})
                        ),
                    )
                )
            ),
            "audio": optional(Flag()),
            "cfgScale": optional(Number(0, 1)),
            "duration": optional(Integer(3, 15)),
            "promptText": optional(Text()),
            "providerSettings": optional(
                Record(
                    {
                        "multiPrompt": optional(
                            ListOf(Record({"duration": required(Integer(3, 15)), "prompt": required(Text(2500))}))
                        ),
                        "shotType": optional(Choice(("intelligence", "customize"))),
                    }
                )
            ),
            "ratio": optional(Choice(("1920:1080", "1080:1920", "1440:1440"))),
        },
        credits=15,
        last_needs_first=True,
        rules=KLING_MULTI_PROMPT,
    ),
    Row(
        "image_to_video",
        "kling3.0_standard",
        {
            "promptImage": required(
                AnyOf(
                    (
                        Uri("image"),
                        ListOf(
                            Record({"position": required(Choice(("first", "last"))), "uri": required(Uri("image"))})
                        ),
                    )
                )
            ),
            "audio": optional(Flag()),
            "cfgScale": optional(Number(0, 1)),
            "duration": optional(Integer(3, 15)),
            "promptText": optional(Text()),
            "providerSettings": optional(
                Record(
                    {
                        "multiPrompt": optional(
                            ListOf(Record({"duration": required(Integer(3, 15)), "prompt": required(Text(2500))}))
                        ),
                        "shotType": optional(Choice(("intelligence", "customize"))),
                    }
                )
            ),
            "ratio": optional(Choice(("1280:720", "720:1280", "960:960"))),
        },
        credits=10,
        last_needs_first=True,
        rules=KLING_MULTI_PROMPT,
    ),
    Row(
        "image_to_video",
        "klingO3_pro",
        {
            "promptImage": required(
                AnyOf(
                    (
                        Uri("image"),
                        ListOf(
                            Record({"position": required(Choice(("first", "last"))), "uri": required(Uri("image"))})
                        ),
                    )
                )
            ),
            "audio": optional(Flag()),
            "duration": optional(Integer(3, 15)),
            "promptText": optional(Text()),
            "providerSettings": optional(
                Record(
                    {
                        "multiPrompt": optional(
                            ListOf(Record({"duration": required(Integer(3, 15)), "prompt": required(Text(2500))}))
                        ),
                        "shotType": optional(Choice(("intelligence", "customize"))),
                    }
                )
            ),
            "ratio": optional(Choice(("1920:1080", "1080:1920", "1440:1440"))),
            "references": optional(
                AnyOf(
                    (
                        Uri("image"),
                        ListOf(
                            Record({"uri": required(Uri("image")), "position": optional(Choice(("first", "last")))}),
                            max_items=7,
                        ),
                    )
                )
            ),
        },
        credits=15,
        last_needs_first=True,
        rules=KLING_MULTI_PROMPT,
    ),
    Row(
        "image_to_video",
        "klingO3_standard",
        {
            "promptImage": required(
                AnyOf(
                    (
                        Uri("image"),
                        ListOf(
                            Record({"position": required(Choice(("first", "last"))), "uri": required(Uri("image"))})
                        ),
                    )
                )
            ),
            "audio": optional(Flag()),
            "duration": optional(Integer(3, 15)),
            "promptText": optional(Text()),
            "providerSettings": optional(
                Record(
                    {
                        "multiPrompt": optional(
                            ListOf(Record({"duration": required(Integer(3, 15)), "prompt": required(Text(2500))}))
                        ),
                        "shotType": optional(Choice(("intelligence", "customize"))),
                    }
                )
            ),
            "ratio": optional(Choice(("1280:720", "720:1280", "960:960"))),
            "references": optional(
                AnyOf(
                    (
                        Uri("image"),
                        ListOf(
                            Record({"uri": required(Uri("image")), "position": optional(Choice(("first", "last")))}),
                            max_items=7,
                        ),
                    )
                )
            ),
        },
        credits=10,
        last_needs_first=True,
        rules=KLING_MULTI_PROMPT,
    ),
    Row(
        "image_to_video",
        "seedance2",
        {
            "promptImage": required(
                AnyOf(
                    (
                        Uri("image"),
                        ListOf(
                            Record({"uri": required(Uri("image")), "position": optional(Choice(("first", "last")))})
                        ),
                    )
                )
            ),
            "audio": optional(Flag()),
            "duration": optional(
                AnyOf(
                    (
                        Integer(4, 15),
                        Choice(("auto",)),
                    )
                )
            ),
            "promptText": optional(Text(3500)),
            "ratio": optional(
                Choice(
                    (
                        "992:432",
                        "864:496",
                        "752:560",
                        "640:640",
                        "560:752",
                        "496:864",
                        "1470:630",
                        "1280:720",
                        "1112:834",
                        "960:960",
                        "834:1112",
                        "720:1280",
                        "2206:946",
                        "1920:1080",
                        "1664:1248",
                        "1440:1440",
                        "1248:1664",
                        "1080:1920",
                        "3840:1646",
                        "3840:2160",
                        "3840:2880",
                        "3840:3840",
                        "2880:3840",
                        "2160:3840",
                    )
                )
            ),
            "referenceAudio": optional(
                ListOf(Record({"type": required(Choice(("audio",))), "uri": required(Uri("audio"))}))
            ),
            "seed": optional(SEED),
        },
        credits=20,
    ),
    Row(
        "image_to_video",
        "seedance2_fast",
        {
            "promptImage": required(
                AnyOf(
                    (
                        Uri("image"),
                        ListOf(
                            Record({"uri": required(Uri("image")), "position": optional(Choice(("first", "last")))})
                        ),
                    )
                )
            ),
            "audio": optional(Flag()),
            "duration": optional(
                AnyOf(
                    (
                        Integer(4, 15),
                        Choice(("auto",)),
                    )
                )
            ),
            "promptText": optional(Text(3500)),
            "ratio": optional(
                Choice(
                    (
                        "992:432",
                        "864:496",
                        "752:560",
                        "640:640",
                        "560:752",
                        "496:864",
                        "1470:630",
                        "1280:720",
                        "1112:834",
                        "960:960",
                        "834:1112",
                        "720:1280",
                    )
                )
            ),
            "referenceAudio": optional(
                ListOf(Record({"type": required(Choice(("audio",))), "uri": required(Uri("audio"))}))
            ),
            "seed": optional(SEED),
        },
        credits=10,
    ),
    Row(
        "image_to_video",
        "seedance2_mini",
        {
            "promptImage": required(
                AnyOf(
                    (
                        Uri("image"),
                        ListOf(
                            Record({"uri": required(Uri("image")), "position": optional(Choice(("first", "last")))})
                        ),
                    )
                )
            ),
            "audio": optional(Flag()),
            "duration": optional(
                AnyOf(
                    (
                        Integer(4, 15),
                        Choice(("auto",)),
                    )
                )
            ),
            "promptText": optional(Text(3500)),
            "ratio": optional(
                Choice(
                    (
                        "992:432",
                        "864:496",
                        "752:560",
                        "640:640",
                        "560:752",
                        "496:864",
                        "1470:630",
                        "1280:720",
                        "1112:834",
                        "960:960",
                        "834:1112",
                        "720:1280",
                    )
                )
            ),
            "referenceAudio": optional(
                ListOf(Record({"type": required(Choice(("audio",))), "uri": required(Uri("audio"))}))
            ),
            "seed": optional(SEED),
        },
        credits=6,
    ),
    Row(
        "image_to_video",
        "gemini_omni_flash",
        {
            "promptImage": required(
                AnyOf(
                    (
                        Uri("image"),
                        ListOf(Record({"position": required(Choice(("first",))), "uri": required(Uri("image"))})),
                    )
                )
            ),
            "duration": optional(Integer(3, 10)),
            "promptText": optional(Text()),
            "ratio": optional(Choice(("1280:720", "720:1280"))),
        },
        credits=20,
    ),
    Row(
        "image_to_video",
        "grok_imagine_1_5",
        {
            "promptImage": required(
                AnyOf(
                    (
                        Uri("image"),
                        ListOf(Record({"position": required(Choice(("first",))), "uri": required(Uri("image"))})),
                    )
                )
            ),
            "duration": optional(Integer(1, 15)),
            "promptText": optional(Text()),
            "resolution": optional(Choice(("480p", "720p", "1080p"))),
        },
        credits=8,
    ),
    Row(
        "image_to_video",
        "wan3",
        {
            "promptImage": required(
                AnyOf(
                    (
                        Uri("image"),
                        ListOf(
                            Record({"uri": required(Uri("image")), "position": optional(Choice(("first", "last")))})
                        ),
                    )
                )
            ),
            "promptText": required(Text()),
            "audio": optional(Flag()),
            "duration": optional(Integer(2, 15)),
            "ratio": optional(
                Choice(
                    (
                        "832:480",
                        "720:544",
                        "624:624",
                        "544:720",
                        "480:832",
                        "1280:720",
                        "1104:832",
                        "960:960",
                        "832:1104",
                        "720:1280",
                        "1920:1080",
                        "1648:1248",
                        "1440:1440",
                        "1248:1648",
                        "1080:1920",
                        "auto_480p",
                        "auto_720p",
                        "auto_1080p",
                    )
                )
            ),
            "referenceAudio": optional(
                ListOf(Record({"type": required(Choice(("audio",))), "uri": required(Uri("audio"))}))
            ),
            "referenceVideos": optional(
                ListOf(Record({"type": required(Choice(("video",))), "uri": required(Uri("video"))}))
            ),
        },
        credits=10,
        rules=WAN3_KEYFRAMES,
    ),
    Row(
        "image_to_video",
        "gemini_omni_flash_1.1",
        {
            "promptImage": required(
                AnyOf(
                    (
                        Uri("image"),
                        ListOf(
                            Record({"position": required(Choice(("first", "last"))), "uri": required(Uri("image"))})
                        ),
                    )
                )
            ),
            "promptText": required(Text()),
            "duration": optional(
                AnyOf(
                    (
                        Choice(("auto",)),
                        Integer(3, 10),
                    )
                )
            ),
            "ratio": optional(
                Choice(
                    ("640:360", "360:640", "1280:720", "720:1280", "1920:1080", "1080:1920", "3840:2160", "2160:3840")
                )
            ),
        },
        credits=25,
        last_needs_first=True,
    ),
    Row(
        "image_to_video",
        "wan3_prime",
        {
            "promptImage": required(
                AnyOf(
                    (
                        Uri("image"),
                        ListOf(
                            Record({"uri": required(Uri("image")), "position": optional(Choice(("first", "last")))})
                        ),
                    )
                )
            ),
            "promptText": required(Text()),
            "audio": optional(Flag()),
            "duration": optional(Integer(2, 15)),
            "ratio": optional(
                Choice(
                    (
                        "832:480",
                        "720:544",
                        "624:624",
                        "544:720",
                        "480:832",
                        "1280:720",
                        "1104:832",
                        "960:960",
                        "832:1104",
                        "720:1280",
                        "1920:1080",
                        "1648:1248",
                        "1440:1440",
                        "1248:1648",
                        "1080:1920",
                        "auto_480p",
                        "auto_720p",
                        "auto_1080p",
                    )
                )
            ),
            "referenceAudio": optional(
                ListOf(Record({"type": required(Choice(("audio",))), "uri": required(Uri("audio"))}))
            ),
            "referenceVideos": optional(
                ListOf(Record({"type": required(Choice(("video",))), "uri": required(Uri("video"))}))
            ),
        },
        credits=15,
        rules=WAN3_KEYFRAMES,
    ),
    Row(
        "image_to_video",
        "h3_max",
        {
            "promptImage": required(
                AnyOf(
                    (
                        Uri("image"),
                        ListOf(
                            Record({"position": required(Choice(("first", "last"))), "uri": required(Uri("image"))})
                        ),
                    )
                )
            ),
            "promptText": required(Text()),
            "duration": optional(Integer(2, 15)),
            "promptExpansionMode": optional(Choice(("disabled", "balanced", "quality"))),
            "resolution": optional(Choice(("480p", "768p"))),
            "seed": optional(SEED),
        },
        credits=10,
        last_needs_first=True,
    ),
    Row(
        "image_to_video",
        "seedance2_5",
        {
            "promptImage": required(
                AnyOf(
                    (
                        Uri("image"),
                        ListOf(
                            Record({"uri": required(Uri("image")), "position": optional(Choice(("first", "last")))})
                        ),
                    )
                )
            ),
            "audio": optional(Flag()),
            "draft": optional(Flag()),
            "duration": optional(
                AnyOf(
                    (
                        Integer(4, 15),
                        Choice(("auto",)),
                    )
                )
            ),
            "outputFormat": optional(Choice(("mp4", "mov"))),
            "promptText": optional(Text(15000)),
            "ratio": optional(
                Choice(
                    (
                        "992:432",
                        "854:480",
                        "752:560",
                        "640:640",
                        "560:752",
                        "480:854",
                        "1470:630",
                        "1280:720",
                        "1112:834",
                        "960:960",
                        "834:1112",
                        "720:1280",
                        "2206:946",
                        "1920:1080",
                        "1664:1248",
                        "1440:1440",
                        "1248:1664",
                        "1080:1920",
                    )
                )
            ),
            "referenceAudio": optional(
                ListOf(Record({"type": required(Choice(("audio",))), "uri": required(Uri("audio"))}))
            ),
            "seed": optional(SEED),
        },
        credits=25,
        rules=SEEDANCE2_5_DRAFT,
    ),
    Row(
        "image_to_video",
        "grok_imagine_1_5_lite",
        {
            "promptImage": required(
                AnyOf(
                    (
                        Uri("image"),
                        ListOf(Record({"position": required(Choice(("first",))), "uri": required(Uri("image"))})),
                    )
                )
            ),
            "duration": optional(Integer(1, 15)),
            "promptText": optional(Text()),
            "ratio": optional(Choice(("auto_480p", "auto_720p", "auto_1080p"))),
        },
        credits=4,
    ),
    Row(
        "image_to_video",
        "kling_4",
        {
            "promptImage": required(
                AnyOf(
                    (
                        Uri("image"),
                        ListOf(
                            Record(
                                {
                                    "uri": required(Uri("image")),
                                    "position": required(Choice(("first", "middle", "last"))),
                                }
                            ),
                            max_items=3,
                        ),
                    )
                )
            ),
            "duration": optional(Integer(3, 15)),
            "promptText": optional(Text()),
            "ratio": optional(Choice(("auto_720p", "auto_1080p"))),
            "references": optional(ListOf(Record({"uri": required(Uri("image"))}), max_items=10)),
            "referenceVideos": optional(ListOf(Record({"uri": required(Uri("video"))}), max_items=5)),
        },
        credits=15,
        last_needs_first=True,
        rules=KLING_4_IMAGES,
    ),
    Row(
        "text_to_video",
        "gen4.5",
        {
            "duration": required(Integer(2, 10)),
            "promptText": required(Text(1000)),
            "ratio": required(Choice(("1280:720", "720:1280"))),
            "contentModeration": optional(Record({"publicFigureThreshold": optional(Choice(("auto", "low")))})),
            "outputFormat": optional(
                Choice(
                    (
                        "mp4",
                        "prores",
                        "png_sequence",
                        "hdr10",
                        "hlg",
                        "sdr_rec709_10bit",
                        "hdr_pq_12bit_master",
                        "hdr_prores",
                        "hdr_png_sequence",
                        "hdr_exr_sequence",
                        "hdr_exr_acescg_sequence_1_3",
                        "hdr_exr_acescg_sequence_2_0",
                    )
                )
            ),
            "proresProfile": optional(Choice(("422", "4444", "422 Proxy", "422 LT", "422 HQ", "4444 XQ"))),
            "seed": optional(SEED),
        },
        credits=12,
        rules=GEN4_5_PRORES,
    ),
    Row(
        "text_to_video",
        "veo3.1",
        {
            "promptText": required(Text(1000)),
            "ratio": required(Choice(("1280:720", "720:1280", "1080:1920", "1920:1080"))),
            "audio": optional(Flag()),
            "duration": optional(Choice((4, 6, 8))),
            "negativePrompt": optional(Text()),
            "seed": optional(SEED),
        },
        credits=40,
        default_seconds=8,
    ),
    Row(
        "text_to_video",
        "veo3.1_fast",
        {
            "promptText": required(Text(1000)),
            "ratio": required(Choice(("1280:720", "720:1280", "1080:1920", "1920:1080"))),
            "audio": optional(Flag()),
            "duration": optional(Choice((4, 6, 8))),
            "negativePrompt": optional(Text()),
            "seed": optional(SEED),
        },
        credits=15,
        default_seconds=8,
    ),
    Row(
        "text_to_video",
        "klingO3_4k",
        {
            "ratio": required(Choice(("3840:2160", "2160:3840", "2880:2880"))),
            "audio": optional(Flag()),
            "duration": optional(Integer(3, 15)),
            "promptText": optional(Text()),
            "providerSettings": optional(
                Record(
                    {
                        "multiPrompt": optional(
                            ListOf(Record({"duration": required(Integer(3, 15)), "prompt": required(Text(2500))}))
                        ),
                        "shotType": optional(Choice(("intelligence", "customize"))),
                    }
                )
            ),
        },
        credits=30,
        rules=KLING_MULTI_PROMPT,
    ),
    Row(
        "text_to_video",
        "hailuo3",
        {
            "promptText": required(Text()),
            "duration": optional(Integer(6, 10)),
            "ratio": optional(Choice(("adaptive", "21:9", "16:9", "4:3", "1:1", "3:4", "9:16"))),
            "referenceAudio": optional(
                ListOf(Record({"type": required(Choice(("audio",))), "uri": required(Uri("audio"))}))
            ),
            "references": optional(ListOf(Record({"uri": required(Uri("image"))}), max_items=9)),
            "referenceVideos": optional(
                ListOf(Record({"type": required(Choice(("video",))), "uri": required(Uri("video"))}))
            ),
            "resolution": optional(Choice(("768p", "2k", "768P", "2K"))),
        },
        credits=10,
        rules=HAILUO3_TEXT,
    ),
    Row(
        "text_to_video",
        "kling3.0_4k",
        {
            "ratio": required(Choice(("3840:2160", "2160:3840", "2880:2880"))),
            "audio": optional(Flag()),
            "cfgScale": optional(Number(0, 1)),
            "duration": optional(Integer(3, 15)),
            "promptText": optional(Text()),
            "providerSettings": optional(
                Record(
                    {
                        "multiPrompt": optional(
                            ListOf(Record({"duration": required(Integer(3, 15)), "prompt": required(Text(2500))}))
                        ),
                        "shotType": optional(Choice(("intelligence", "customize"))),
                    }
                )
            ),
        },
        credits=30,
        rules=KLING_MULTI_PROMPT,
    ),
    Row(
        "text_to_video",
        "happyhorse_1_0",
        {
            "promptText": required(Text(2500)),
            "duration": optional(Integer(3, 15)),
            "ratio": optional(
                Choice(
                    (
                        "1280:720",
                        "720:1280",
                        "960:960",
                        "1108:832",
                        "832:1108",
                        "1920:1080",
                        "1080:1920",
                        "1440:1440",
                        "1662:1248",
                        "1248:1662",
                    )
                )
            ),
        },
        credits=10,
    ),
    Row(
        "text_to_video",
        "kling2.5_turbo_pro",
        {
            "promptText": required(Text()),
            "cfgScale": optional(Number(0, 1)),
            "duration": optional(Choice((5, 10))),
            "ratio": optional(Choice(("1920:1080", "1440:1440", "1080:1920", "1280:720", "720:720", "720:1280"))),
        },
        credits=7,
    ),
    Row(
        "text_to_video",
        "kling3.0_pro",
        {
            "ratio": required(Choice(("1920:1080", "1080:1920", "1440:1440"))),
            "audio": optional(Flag()),
            "cfgScale": optional(Number(0, 1)),
            "duration": optional(Integer(3, 15)),
            "promptText": optional(Text()),
            "providerSettings": optional(
                Record(
                    {
                        "multiPrompt": optional(
                            ListOf(Record({"duration": required(Integer(3, 15)), "prompt": required(Text(2500))}))
                        ),
                        "shotType": optional(Choice(("intelligence", "customize"))),
                    }
                )
            ),
        },
        credits=15,
        rules=KLING_MULTI_PROMPT,
    ),
    Row(
        "text_to_video",
        "kling3.0_standard",
        {
            "ratio": required(Choice(("1280:720", "720:1280", "960:960"))),
            "audio": optional(Flag()),
            "cfgScale": optional(Number(0, 1)),
            "duration": optional(Integer(3, 15)),
            "promptText": optional(Text()),
            "providerSettings": optional(
                Record(
                    {
                        "multiPrompt": optional(
                            ListOf(Record({"duration": required(Integer(3, 15)), "prompt": required(Text(2500))}))
                        ),
                        "shotType": optional(Choice(("intelligence", "customize"))),
                    }
                )
            ),
        },
        credits=10,
        rules=KLING_MULTI_PROMPT,
    ),
    Row(
        "text_to_video",
        "klingO3_pro",
        {
            "ratio": required(Choice(("1920:1080", "1080:1920", "1440:1440"))),
            "audio": optional(Flag()),
            "duration": optional(Integer(3, 15)),
            "promptText": optional(Text()),
            "providerSettings": optional(
                Record(
                    {
                        "multiPrompt": optional(
                            ListOf(Record({"duration": required(Integer(3, 15)), "prompt": required(Text(2500))}))
                        ),
                        "shotType": optional(Choice(("intelligence", "customize"))),
                    }
                )
            ),
        },
        credits=15,
        rules=KLING_MULTI_PROMPT,
    ),
    Row(
        "text_to_video",
        "klingO3_standard",
        {
            "ratio": required(Choice(("1280:720", "720:1280", "960:960"))),
            "audio": optional(Flag()),
            "duration": optional(Integer(3, 15)),
            "promptText": optional(Text()),
            "providerSettings": optional(
                Record(
                    {
                        "multiPrompt": optional(
                            ListOf(Record({"duration": required(Integer(3, 15)), "prompt": required(Text(2500))}))
                        ),
                        "shotType": optional(Choice(("intelligence", "customize"))),
                    }
                )
            ),
        },
        credits=10,
        rules=KLING_MULTI_PROMPT,
    ),
    Row(
        "text_to_video",
        "seedance2",
        {
            "promptText": required(Text(3500)),
            "audio": optional(Flag()),
            "duration": optional(
                AnyOf(
                    (
                        Integer(4, 15),
                        Choice(("auto",)),
                    )
                )
            ),
            "ratio": optional(
                Choice(
                    (
                        "992:432",
                        "864:496",
                        "752:560",
                        "640:640",
                        "560:752",
                        "496:864",
                        "1470:630",
                        "1280:720",
                        "1112:834",
                        "960:960",
                        "834:1112",
                        "720:1280",
                        "2206:946",
                        "1920:1080",
                        "1664:1248",
                        "1440:1440",
                        "1248:1664",
                        "1080:1920",
                        "3840:1646",
                        "3840:2160",
                        "3840:2880",
                        "3840:3840",
                        "2880:3840",
                        "2160:3840",
                    )
                )
            ),
            "referenceAudio": optional(
                ListOf(Record({"type": required(Choice(("audio",))), "uri": required(Uri("audio"))}))
            ),
            "references": optional(ListOf(Record({"uri": required(Uri("image"))}), max_items=9)),
            "referenceVideos": optional(
                ListOf(Record({"type": required(Choice(("video",))), "uri": required(Uri("video"))}))
            ),
            "seed": optional(SEED),
        },
        credits=20,
    ),
    Row(
        "text_to_video",
        "seedance2_fast",
        {
            "promptText": required(Text(3500)),
            "audio": optional(Flag()),
            "duration": optional(
                AnyOf(
                    (
                        Integer(4, 15),
                        Choice(("auto",)),
                    )
                )
            ),
            "ratio": optional(
                Choice(
                    (
                        "992:432",
                        "864:496",
                        "752:560",
                        "640:640",
                        "560:752",
                        "496:864",
                        "1470:630",
                        "1280:720",
                        "1112:834",
                        "960:960",
                        "834:1112",
                        "720:1280",
                    )
                )
            ),
            "referenceAudio": optional(
                ListOf(Record({"type": required(Choice(("audio",))), "uri": required(Uri("audio"))}))
            ),
            "references": optional(ListOf(Record({"uri": required(Uri("image"))}), max_items=9)),
            "referenceVideos": optional(
                ListOf(Record({"type": required(Choice(("video",))), "uri": required(Uri("video"))}))
            ),
            "seed": optional(SEED),
        },
        credits=10,
    ),
    Row(
        "text_to_video",
        "seedance2_mini",
        {
            "promptText": required(Text(3500)),
            "audio": optional(Flag()),
            "duration": optional(
                AnyOf(
                    (
                        Integer(4, 15),
                        Choice(("auto",)),
                    )
                )
            ),
            "ratio": optional(
                Choice(
                    (
                        "992:432",
                        "864:496",
                        "752:560",
                        "640:640",
                        "560:752",
                        "496:864",
                        "1470:630",
                        "1280:720",
                        "1112:834",
                        "960:960",
                        "834:1112",
                        "720:1280",
                    )
                )
            ),
            "referenceAudio": optional(
                ListOf(Record({"type": required(Choice(("audio",))), "uri": required(Uri("audio"))}))
            ),
            "references": optional(ListOf(Record({"uri": required(Uri("image"))}), max_items=9)),
            "referenceVideos": optional(
                ListOf(Record({"type": required(Choice(("video",))), "uri": required(Uri("video"))}))
            ),
            "seed": optional(SEED),
        },
        credits=6,
    ),
    Row(
        "text_to_video",
        "gemini_omni_flash",
        {
            "promptText": required(Text()),
            "duration": optional(Integer(3, 10)),
            "ratio": optional(Choice(("1280:720", "720:1280"))),
        },
        credits=20,
    ),
    Row(
        "text_to_video",
        "grok_imagine_1_5",
        {
            "promptText": required(Text()),
            "duration": optional(Integer(1, 15)),
            "ratio": optional(Choice(("1:1", "16:9", "9:16", "4:3", "3:4", "3:2", "2:3"))),
            "referenceAudio": optional(
                ListOf(Record({"type": required(Choice(("audio",))), "uri": required(Uri("audio"))}))
            ),
            "references": optional(ListOf(Record({"uri": required(Uri("image"))}))),
            "resolution": optional(Choice(("480p", "720p", "1080p"))),
        },
        credits=8,
        rules=GROK_TEXT,
    ),
    Row(
        "text_to_video",
        "wan3",
        {
            "promptText": required(Text()),
            "audio": optional(Flag()),
            "duration": optional(Integer(2, 15)),
            "ratio": optional(
                Choice(
                    (
                        "832:480",
                        "720:544",
                        "624:624",
                        "544:720",
                        "480:832",
                        "1280:720",
                        "1104:832",
                        "960:960",
                        "832:1104",
                        "720:1280",
                        "1920:1080",
                        "1648:1248",
                        "1440:1440",
                        "1248:1648",
                        "1080:1920",
                        "auto_480p",
                        "auto_720p",
                        "auto_1080p",
                    )
                )
            ),
            "referenceAudio": optional(
                ListOf(Record({"type": required(Choice(("audio",))), "uri": required(Uri("audio"))}))
            ),
            "references": optional(ListOf(Record({"uri": required(Uri("image"))}), max_items=10)),
            "referenceVideos": optional(
                ListOf(Record({"type": required(Choice(("video",))), "uri": required(Uri("video"))}))
            ),
        },
        credits=10,
    ),
    Row(
        "text_to_video",
        "gemini_omni_flash_1.1",
        {
            "promptText": required(Text()),
            "duration": optional(
                AnyOf(
                    (
                        Choice(("auto",)),
                        Integer(3, 10),
                    )
                )
            ),
            "ratio": optional(
                Choice(
                    ("640:360", "360:640", "1280:720", "720:1280", "1920:1080", "1080:1920", "3840:2160", "2160:3840")
                )
            ),
            "references": optional(ListOf(Record({"uri": required(Uri("image"))}))),
            "referenceVideos": optional(ListOf(Record({"uri": required(Uri("image"))}))),
        },
        credits=25,
    ),
    Row(
        "text_to_video",
        "wan3_prime",
        {
            "promptText": required(Text()),
            "audio": optional(Flag()),
            "duration": optional(Integer(2, 15)),
            "ratio": optional(
                Choice(
                    (
                        "832:480",
                        "720:544",
                        "624:624",
                        "544:720",
                        "480:832",
                        "1280:720",
                        "1104:832",
                        "960:960",
                        "832:1104",
                        "720:1280",
                        "1920:1080",
                        "1648:1248",
                        "1440:1440",
                        "1248:1648",
                        "1080:1920",
                        "auto_480p",
                        "auto_720p",
                        "auto_1080p",
                    )
                )
            ),
            "referenceAudio": optional(
                ListOf(Record({"type": required(Choice(("audio",))), "uri": required(Uri("audio"))}))
            ),
            "references": optional(ListOf(Record({"uri": required(Uri("image"))}), max_items=10)),
            "referenceVideos": optional(
                ListOf(Record({"type": required(Choice(("video",))), "uri": required(Uri("video"))}))
            ),
        },
        credits=15,
    ),
    Row(
        "text_to_video",
        "h3_max",
        {
            "promptText": required(Text()),
            "duration": optional(Integer(2, 15)),
            "promptExpansionMode": optional(Choice(("disabled", "balanced", "quality"))),
            "resolution": optional(Choice(("480p", "768p"))),
            "seed": optional(SEED),
        },
        credits=10,
    ),
    Row(
        "text_to_video",
        "seedance2_5",
        {
            "audio": optional(Flag()),
            "draft": optional(Flag()),
            "draftTaskId": optional(Text()),
            "duration": optional(
                AnyOf(
                    (
                        Integer(4, 15),
                        Choice(("auto",)),
                    )
                )
            ),
            "outputFormat": optional(Choice(("mp4", "mov"))),
            "promptText": optional(Text(15000)),
            "ratio": optional(
                Choice(
                    (
                        "992:432",
                        "854:480",
                        "752:560",
                        "640:640",
                        "560:752",
                        "480:854",
                        "1470:630",
                        "1280:720",
                        "1112:834",
                        "960:960",
                        "834:1112",
                        "720:1280",
                        "2206:946",
                        "1920:1080",
                        "1664:1248",
                        "1440:1440",
                        "1248:1664",
                        "1080:1920",
                    )
                )
            ),
            "referenceAudio": optional(
                ListOf(Record({"type": required(Choice(("audio",))), "uri": required(Uri("audio"))}))
            ),
            "references": optional(ListOf(Record({"uri": required(Uri("image"))}), max_items=30)),
            "referenceVideos": optional(
                ListOf(Record({"type": required(Choice(("video",))), "uri": required(Uri("video"))}))
            ),
            "seed": optional(SEED),
        },
        credits=25,
        rules=SEEDANCE2_5_TEXT,
    ),
    Row(
        "text_to_video",
        "grok_imagine_1_5_lite",
        {
            "promptText": required(Text()),
            "duration": optional(Integer(1, 15)),
            "ratio": optional(
                Choice(
                    (
                        "848:480",
                        "480:848",
                        "480:480",
                        "640:480",
                        "480:640",
                        "720:480",
                        "480:720",
                        "1280:720",
                        "720:1280",
                        "720:720",
                        "960:720",
                        "720:960",
                        "1088:720",
                        "720:1088",
                        "1904:1072",
                        "1072:1904",
                        "1424:1424",
                        "1648:1232",
                        "1232:1648",
                        "1744:1152",
                        "1152:1744",
                    )
                )
            ),
        },
        credits=4,
    ),
    Row(
        "text_to_video",
        "kling_4",
        {
            "promptText": required(Text()),
            "duration": optional(Integer(3, 15)),
            "ratio": optional(
                Choice(
                    (
                        "1280:720",
                        "720:1280",
                        "940:940",
                        "1460:624",
                        "1920:1080",
                        "1080:1920",
                        "1440:1440",
                        "2200:940",
                        "auto_720p",
                        "auto_1080p",
                    )
                )
            ),
            "references": optional(ListOf(Record({"uri": required(Uri("image"))}), max_items=10)),
            "referenceVideos": optional(ListOf(Record({"uri": required(Uri("video"))}), max_items=5)),
        },
        credits=15,
    ),
    Row(
        "text_to_image",
        "gen4_image_turbo",
        {
            "promptText": required(Text(1000)),
            "ratio": required(
                Choice(
                    (
                        "1024:1024",
                        "1080:1080",
                        "1168:880",
                        "1360:768",
                        "1440:1080",
                        "1080:1440",
                        "1808:768",
                        "1920:1080",
                        "1080:1920",
                        "2112:912",
                        "1280:720",
                        "720:1280",
                        "720:720",
                        "960:720",
                        "720:960",
                        "1680:720",
                    )
                )
            ),
            "referenceImages": required(ListOf(Record({"uri": required(Uri("image")), "tag": optional(Tag())}))),
            "contentModeration": optional(Record({"publicFigureThreshold": optional(Choice(("auto", "low")))})),
            "seed": optional(SEED),
        },
        credits=2,
        per="image",
    ),
    Row(
        "text_to_image",
        "gen4_image",
        {
            "promptText": required(Text(1000)),
            "ratio": required(
                Choice(
                    (
                        "1024:1024",
                        "1080:1080",
                        "1168:880",
                        "1360:768",
                        "1440:1080",
                        "1080:1440",
                        "1808:768",
                        "1920:1080",
                        "1080:1920",
                        "2112:912",
                        "1280:720",
                        "720:1280",
                        "720:720",
                        "960:720",
                        "720:960",
                        "1680:720",
                    )
                )
            ),
            "contentModeration": optional(Record({"publicFigureThreshold": optional(Choice(("auto", "low")))})),
            "referenceImages": optional(ListOf(Record({"uri": required(Uri("image")), "tag": optional(Tag())}))),
            "seed": optional(SEED),
        },
        credits=5,
        per="image",
    ),
    Row(
        "text_to_image",
        "gpt_image_2",
        {
            "promptText": required(Text()),
            "ratio": required(
                Choice(
                    (
                        "2048:880",
                        "1920:1088",
                        "1920:1280",
                        "1920:1440",
                        "1920:1536",
                        "1920:1920",
                        "1536:1920",
                        "1440:1920",
                        "1280:1920",
                        "1088:1920",
                        "2912:1248",
                        "2560:1440",
                        "2560:1712",
                        "2560:1920",
                        "2560:2048",
                        "2560:2560",
                        "2048:2560",
                        "1920:2560",
                        "1712:2560",
                        "1440:2560",
                        "3840:1648",
                        "3840:2160",
                        "3504:2336",
                        "3264:2448",
                        "3200:2560",
                        "2880:2880",
                        "2560:3200",
                        "2448:3264",
                        "2336:3504",
                        "2160:3840",
                        "auto",
                    )
                )
            ),
            "background": optional(Choice(("transparent", "opaque", "auto"))),
            "outputCount": optional(Integer()),
            "quality": optional(Choice(("low", "medium", "high", "auto"))),
            "referenceImages": optional(
                ListOf(Record({"uri": required(Uri("image")), "tag": optional(Tag())}), max_items=16)
            ),
        },
        credits=5,
        per="image",
        rules=TAGS_UNIQUE,
    ),
    Row(
        "text_to_image",
        "gemini_image3.1_flash",
        {
            "promptText": required(Text()),
            "ratio": required(
                Choice(
                    (
                        "512:512",
                        "416:624",
                        "624:416",
                        "432:592",
                        "592:432",
                        "448:576",
                        "576:448",
                        "384:672",
                        "672:384",
                        "768:336",
                        "256:1024",
                        "1024:256",
                        "176:1408",
                        "1408:176",
                        "1024:1024",
                        "832:1248",
                        "1248:832",
                        "864:1184",
                        "1184:864",
                        "896:1152",
                        "1152:896",
                        "768:1344",
                        "1344:768",
                        "1536:672",
                        "512:2048",
                        "2048:512",
                        "352:2816",
                        "2816:352",
                        "2048:2048",
                        "1696:2528",
                        "2528:1696",
                        "1792:2400",
                        "2400:1792",
                        "1856:2304",
                        "2304:1856",
                        "1536:2752",
                        "2752:1536",
                        "3168:1344",
                        "1024:4096",
                        "4096:1024",
                        "704:5632",
                        "5632:704",
                        "4096:4096",
                        "3392:5056",
                        "5056:3392",
                        "3584:4800",
                        "4800:3584",
                        "3712:4608",
                        "4608:3712",
                        "3072:5504",
                        "5504:3072",
                        "6336:2688",
                        "2048:8192",
                        "8192:2048",
                        "1408:11264",
                        "11264:1408",
                    )
                )
            ),
            "outputCount": optional(Choice((1, 4))),
            "referenceImages": optional(
                ListOf(
                    Record(
                        {
                            "uri": required(Uri("image")),
                            "subject": optional(Choice(("object", "human"))),
                            "tag": optional(Tag()),
                        }
                    ),
                    max_items=14,
                )
            ),
        },
        credits=5,
        per="image",
        rules=GEMINI_SUBJECTS,
    ),
    Row(
        "text_to_image",
        "muse_image",
        {
            "promptText": required(Text()),
            "ratio": required(
                Choice(
                    (
                        "2352:1008",
                        "2016:1152",
                        "1920:1280",
                        "1792:1344",
                        "1600:1600",
                        "1344:1792",
                        "1280:1920",
                        "1152:2016",
                        "auto",
                    )
                )
            ),
            "outputCount": optional(Integer()),
            "outputFormat": optional(Choice(("webp", "png", "jpeg"))),
            "referenceImages": optional(ListOf(Record({"uri": required(Uri("image"))}), max_items=10)),
        },
        credits=5,
        per="image",
    ),
    Row(
        "text_to_image",
        "seedream5_pro",
        {
            "promptText": required(Text()),
            "ratio": required(
                Choice(
                    (
                        "1024:1024",
                        "1184:896",
                        "896:1184",
                        "1376:768",
                        "768:1376",
                        "1296:864",
                        "864:1296",
                        "2048:2048",
                        "2304:1728",
                        "1728:2304",
                        "2720:1530",
                        "1530:2720",
                        "2496:1664",
                        "1664:2496",
                        "auto_1k",
                        "auto_2k",
                    )
                )
            ),
            "grounding": optional(Flag()),
            "outputCount": optional(Integer()),
            "outputFormat": optional(Choice(("png", "jpeg"))),
            "referenceImages": optional(ListOf(Record({"uri": required(Uri("image"))}))),
        },
        credits=5,
        per="image",
    ),
    Row(
        "text_to_image",
        "seedream5_lite",
        {
            "promptText": required(Text()),
            "ratio": required(
                AnyOf(
                    (
                        Choice(
                            (
                                "2048:2048",
                                "2304:1728",
                                "1728:2304",
                                "2848:1600",
                                "1600:2848",
                                "2496:1664",
                                "1664:2496",
                                "3136:1344",
                                "3072:3072",
                                "3456:2592",
                                "2592:3456",
                                "4096:2304",
                                "2304:4096",
                                "3744:2496",
                                "2496:3744",
                                "4704:2016",
                            )
                        ),
                        Text(),
                    )
                )
            ),
            "grounding": optional(Flag()),
            "outputCount": optional(Integer()),
            "outputFormat": optional(Choice(("png", "jpeg"))),
            "referenceImages": optional(ListOf(Record({"uri": required(Uri("image"))}))),
        },
        credits=5,
        per="image",
    ),
    Row(
        "text_to_image",
        "grok_imagine_image_2",
        {
            "promptText": required(Text()),
            "ratio": required(
                Choice(
                    (
                        "1024:1024",
                        "1280:720",
                        "720:1280",
                        "1152:864",
                        "864:1152",
                        "1248:832",
                        "832:1248",
                        "1248:576",
                        "576:1248",
                        "1280:576",
                        "576:1280",
                        "1408:704",
                        "704:1408",
                        "2048:2048",
                        "2816:1584",
                        "1584:2816",
                        "2368:1776",
                        "1776:2368",
                        "2496:1664",
                        "1664:2496",
                        "2912:1344",
                        "1344:2912",
                        "3200:1440",
                        "1440:3200",
                        "2912:1456",
                        "1456:2912",
                        "auto_1k",
                        "auto_2k",
                    )
                )
            ),
            "edit": optional(Flag()),
            "outputCount": optional(Integer()),
            "quality": optional(Choice(("low", "medium"))),
            "referenceImages": optional(ListOf(Record({"uri": required(Uri("image"))}), max_items=3)),
        },
        credits=5,
        per="image",
        rules=GROK_IMAGE_EDIT,
    ),
    Row(
        "text_to_image",
        "gemini_image3.1_flash_lite",
        {
            "promptText": required(Text()),
            "ratio": required(
                Choice(
                    (
                        "1024:1024",
                        "848:1264",
                        "1264:848",
                        "896:1200",
                        "1200:896",
                        "928:1152",
                        "1152:928",
                        "768:1376",
                        "1376:768",
                        "1584:672",
                    )
                )
            ),
            "outputCount": optional(Choice((1, 4))),
            "referenceImages": optional(
                ListOf(
                    Record(
                        {
                            "uri": required(Uri("image")),
                            "subject": optional(Choice(("object", "human"))),
                            "tag": optional(Text()),
                        }
                    ),
                    max_items=14,
                )
            ),
        },
        credits=5,
        per="image",
        rules=GEMINI_SUBJECTS,
    ),
    Row(
        "text_to_image",
        "gemini_image3_pro",
        {
            "promptText": required(Text()),
            "ratio": required(
                Choice(
                    (
                        "1344:768",
                        "768:1344",
                        "1024:1024",
                        "1184:864",
                        "864:1184",
                        "1536:672",
                        "832:1248",
                        "1248:832",
                        "896:1152",
                        "1152:896",
                        "2048:2048",
                        "1696:2528",
                        "2528:1696",
                        "1792:2400",
                        "2400:1792",
                        "1856:2304",
                        "2304:1856",
                        "1536:2752",
                        "2752:1536",
                        "3168:1344",
                        "4096:4096",
                        "3392:5056",
                        "5056:3392",
                        "3584:4800",
                        "4800:3584",
                        "3712:4608",
                        "4608:3712",
                        "3072:5504",
                        "5504:3072",
                        "6336:2688",
                    )
                )
            ),
            "outputCount": optional(Choice((1, 4))),
            "referenceImages": optional(
                ListOf(
                    Record(
                        {
                            "uri": required(Uri("image")),
                            "subject": optional(Choice(("object", "human"))),
                            "tag": optional(Tag()),
                        }
                    ),
                    max_items=14,
                )
            ),
        },
        credits=5,
        per="image",
        rules=GEMINI_SUBJECTS,
    ),
    Row(
        "text_to_image",
        "gpt_image_2_5_flare",
        {
            "promptText": required(Text()),
            "ratio": required(
                Choice(
                    (
                        "2048:880",
                        "1920:1088",
                        "1920:1280",
                        "1920:1440",
                        "1920:1536",
                        "1920:1920",
                        "1536:1920",
                        "1440:1920",
                        "1280:1920",
                        "1088:1920",
                        "2912:1248",
                        "2560:1440",
                        "2560:1712",
                        "2560:1920",
                        "2560:2048",
                        "2560:2560",
                        "2048:2560",
                        "1920:2560",
                        "1712:2560",
                        "1440:2560",
                        "3840:1648",
                        "3840:2160",
                        "3504:2336",
                        "3264:2448",
                        "3200:2560",
                        "2880:2880",
                        "2560:3200",
                        "2448:3264",
                        "2336:3504",
                        "2160:3840",
                        "auto",
                    )
                )
            ),
            "background": optional(Choice(("opaque", "auto"))),
            "outputCount": optional(Integer()),
            "quality": optional(Choice(("low", "medium", "high", "xhigh", "max"))),
            "referenceImages": optional(
                ListOf(Record({"uri": required(Uri("image")), "tag": optional(Tag())}), max_items=16)
            ),
        },
        credits=5,
        per="image",
        rules=TAGS_UNIQUE,
    ),
    Row(
        "text_to_image",
        "gpt_image_2_5_sunburst",
        {
            "promptText": required(Text()),
            "ratio": required(
                Choice(
                    (
                        "2048:880",
                        "1920:1088",
                        "1920:1280",
                        "1920:1440",
                        "1920:1536",
                        "1920:1920",
                        "1536:1920",
                        "1440:1920",
                        "1280:1920",
                        "1088:1920",
                        "2912:1248",
                        "2560:1440",
                        "2560:1712",
                        "2560:1920",
                        "2560:2048",
                        "2560:2560",
                        "2048:2560",
                        "1920:2560",
                        "1712:2560",
                        "1440:2560",
                        "3840:1648",
                        "3840:2160",
                        "3504:2336",
                        "3264:2448",
                        "3200:2560",
                        "2880:2880",
                        "2560:3200",
                        "2448:3264",
                        "2336:3504",
                        "2160:3840",
                        "auto",
                    )
                )
            ),
            "background": optional(Choice(("transparent", "opaque", "auto"))),
            "outputCount": optional(Integer()),
            "quality": optional(Choice(("low", "medium", "high", "xhigh", "max"))),
            "referenceImages": optional(
                ListOf(Record({"uri": required(Uri("image")), "tag": optional(Tag())}), max_items=16)
            ),
        },
        credits=5,
        per="image",
        rules=TAGS_UNIQUE,
    ),
    Row(
        "text_to_image",
        "bria_fibo_1_5",
        {
            "promptText": required(Text()),
            "ratio": required(
                Choice(
                    (
                        "1024:1024",
                        "768:1152",
                        "1152:768",
                        "768:1024",
                        "1024:768",
                        "768:960",
                        "960:768",
                        "576:1024",
                        "1024:576",
                        "2048:2048",
                        "1536:2304",
                        "2304:1536",
                        "1536:2048",
                        "2048:1536",
                        "1536:1920",
                        "1920:1536",
                        "1152:2048",
                        "2048:1152",
                    )
                )
            ),
            "outputFormat": optional(Choice(("png", "jpeg"))),
            "referenceImages": optional(ListOf(Record({"uri": required(Uri("image"))}), max_items=1)),
            "seed": optional(SEED),
        },
        credits=5,
        per="image",
    ),
    Row(
        "text_to_image",
        "bria_fibo_edit_1_5",
        {
            "promptText": required(Text()),
            "outputFormat": optional(Choice(("png", "jpeg"))),
            "ratio": optional(
                Choice(
                    (
                        "1024:1024",
                        "768:1152",
                        "1152:768",
                        "768:1024",
                        "1024:768",
                        "768:960",
                        "960:768",
                        "576:1024",
                        "1024:576",
                        "auto",
                    )
                )
            ),
            "referenceImages": optional(ListOf(Record({"uri": required(Uri("image"))}), max_items=4)),
            "seed": optional(SEED),
        },
        credits=5,
        per="image",
        rules=BRIA_EDIT,
    ),
    Row(
        "text_to_image",
        "ideogram_4_0",
        {
            "promptText": required(Text()),
            "outputCount": optional(Integer()),
            "quality": optional(Choice(("low", "medium", "high"))),
            "ratio": optional(
                Choice(
                    (
                        "2048:2048",
                        "2560:1440",
                        "1440:2560",
                        "2304:1728",
                        "1728:2304",
                        "2496:1664",
                        "1664:2496",
                        "3072:1280",
                        "1280:3072",
                    )
                )
            ),
            "referenceImages": optional(ListOf(Record({"uri": required(Uri("image"))}))),
        },
        credits=5,
        per="image",
    ),
    Row(
        "text_to_image",
        "ideogram_4_5",
        {
            "promptText": required(Text()),
            "maskUri": optional(Uri("image")),
            "outputCount": optional(Integer()),
            "preciseEdit": optional(Flag()),
            "quality": optional(Choice(("very_low", "low", "medium", "high"))),
            "ratio": optional(
                Choice(
                    (
                        "1024:1024",
                        "1280:720",
                        "720:1280",
                        "1152:864",
                        "864:1152",
                        "1248:832",
                        "832:1248",
                        "1120:896",
                        "896:1120",
                        "1440:720",
                        "720:1440",
                        "2048:2048",
                        "2560:1440",
                        "1440:2560",
                        "2304:1728",
                        "1728:2304",
                        "2496:1664",
                        "1664:2496",
                        "2240:1792",
                        "1792:2240",
                        "2880:1440",
                        "1440:2880",
                        "1024:576",
                        "576:1024",
                        "1408:704",
                        "704:1408",
                        "auto",
                    )
                )
            ),
            "referenceImages": optional(ListOf(Record({"uri": required(Uri("image"))}), max_items=5)),
        },
        credits=5,
        per="image",
        rules=IDEOGRAM_4_5_EDIT,
    ),
    Row(
        "text_to_image",
        "seedream5_flash",
        {
            "promptText": required(Text()),
            "ratio": required(
                Choice(
                    (
                        "1024:1024",
                        "1184:896",
                        "896:1184",
                        "1376:768",
                        "768:1376",
                        "1248:832",
                        "832:1248",
                        "1568:672",
                        "2048:2048",
                        "2304:1728",
                        "1728:2304",
                        "2848:1600",
                        "1600:2848",
                        "2496:1664",
                        "1664:2496",
                        "3136:1344",
                        "auto_1k",
                        "auto_2k",
                    )
                )
            ),
            "outputCount": optional(Integer()),
            "outputFormat": optional(Choice(("png", "jpeg"))),
            "referenceImages": optional(ListOf(Record({"uri": required(Uri("image"))}))),
        },
        credits=5,
        per="image",
    ),
    Row(
        "text_to_image",
        "nano_banana_2.1",
        {
            "promptText": required(Text()),
            "ratio": required(
                Choice(
                    (
                        "1024:1024",
                        "848:1264",
                        "1264:848",
                        "896:1200",
                        "1200:896",
                        "928:1152",
                        "1152:928",
                        "768:1376",
                        "1376:768",
                        "1584:672",
                        "512:2064",
                        "2064:512",
                        "352:2928",
                        "2928:352",
                        "2048:2048",
                        "1696:2528",
                        "2528:1696",
                        "1792:2400",
                        "2400:1792",
                        "1856:2304",
                        "2304:1856",
                        "1536:2752",
                        "2752:1536",
                        "3168:1344",
                        "1024:4128",
                        "4128:1024",
                        "704:5856",
                        "5856:704",
                        "4096:4096",
                        "3392:5056",
                        "5056:3392",
                        "3584:4800",
                        "4800:3584",
                        "3712:4608",
                        "4608:3712",
                        "3072:5504",
                        "5504:3072",
                        "6336:2688",
                        "2048:8256",
                        "8256:2048",
                        "1408:11712",
                        "11712:1408",
                    )
                )
            ),
            "outputCount": optional(Integer()),
            "referenceImages": optional(
                ListOf(Record({"uri": required(Uri("image")), "tag": optional(Tag())}), max_items=14)
            ),
            "thinkingLevel": optional(Choice(("minimal", "medium", "high"))),
        },
        credits=5,
        per="image",
    ),
    Row(
        "text_to_image",
        "recraft_v4_1_flash",
        {
            "promptText": required(Text()),
            "ratio": required(
                Choice(
                    (
                        "1024:1024",
                        "1536:768",
                        "768:1536",
                        "1280:832",
                        "832:1280",
                        "1216:896",
                        "896:1216",
                        "1152:896",
                        "896:1152",
                        "832:1344",
                        "1280:896",
                        "896:1280",
                        "1344:768",
                        "768:1344",
                    )
                )
            ),
            "backgroundColor": optional(Text()),
            "colors": optional(ListOf(Text())),
            "outputCount": optional(Integer()),
            "outputFormat": optional(Choice(("webp", "png"))),
            "seed": optional(SEED),
        },
        credits=5,
        per="image",
    ),
    Row(
        "text_to_image",
        "recraft_v4_1_vector",
        {
            "promptText": required(Text()),
            "backgroundColor": optional(Text()),
            "colors": optional(ListOf(Text())),
            "ratio": optional(Choice(("1024:1024", "1216:896", "896:1216", "1344:768", "768:1344"))),
        },
        credits=5,
        per="image",
    ),
    Row(
        "text_to_image",
        "gemini_2.5_flash",
        {
            "promptText": required(Text()),
            "ratio": required(
                Choice(
                    (
                        "1344:768",
                        "768:1344",
                        "1024:1024",
                        "1184:864",
                        "864:1184",
                        "1536:672",
                        "832:1248",
                        "1248:832",
                        "896:1152",
                        "1152:896",
                    )
                )
            ),
            "referenceImages": optional(ListOf(Record({"uri": required(Uri("image")), "tag": optional(Tag())}))),
        },
        credits=5,
        per="image",
    ),
    Row(
        "video_to_video",
        "aleph2",
        {
            "videoUri": required(Uri("video")),
            "contentModeration": optional(Record({"publicFigureThreshold": optional(Choice(("auto", "low")))})),
            "keyframes": optional(
                ListOf(
                    AnyOf(
                        (
                            Record(
                                {
                                    "seconds": required(Number()),
                                    "uri": required(Uri("image")),
                                    "range": optional(
                                        Record(
                                            {"end_seconds": required(Integer()), "start_seconds": required(Integer())}
                                        )
                                    ),
                                }
                            ),
                            Record(
                                {
                                    "at": required(Number()),
                                    "uri": required(Uri("image")),
                                    "range": optional(
                                        Record(
                                            {"end_seconds": required(Integer()), "start_seconds": required(Integer())}
                                        )
                                    ),
                                }
                            ),
                        )
                    ),
                    max_items=5,
                )
            ),
            "outputFormat": optional(Choice(("mp4", "prores", "png_sequence", "sdr_rec709_10bit"))),
            "promptText": optional(Text()),
            "proresProfile": optional(Choice(("422", "4444", "422 Proxy", "422 LT", "422 HQ", "4444 XQ"))),
            "ratio": optional(Text()),
            "seed": optional(SEED),
            "targetAspectRatio": optional(Choice(("16:9", "4:3", "3:2", "1:1", "2:3", "3:4", "9:16", "21:9"))),
        },
        credits=15,
        rules=ALEPH2_RULES,
    ),
    Row(
        "video_to_video",
        "klingO3_4k",
        {
            "promptText": required(Text()),
            "promptVideo": required(Uri("video")),
            "providerSettings": optional(
                Record(
                    {
                        "keepOriginalSound": optional(Flag()),
                        "multiPrompt": optional(
                            ListOf(Record({"duration": required(Integer(3, 15)), "prompt": required(Text(2500))}))
                        ),
                        "shotType": optional(Choice(("intelligence", "customize"))),
                    }
                )
            ),
            "references": optional(
                AnyOf(
                    (
                        Uri("image"),
                        ListOf(
                            Record({"uri": required(Uri("image")), "position": optional(Choice(("first", "last")))}),
                            max_items=4,
                        ),
                    )
                )
            ),
        },
        credits=30,
        rules=KLING_MULTI_PROMPT,
    ),
    Row(
        "video_to_video",
        "hailuo3",
        {
            "promptText": required(Text()),
            "promptVideo": required(Uri("video")),
            "duration": optional(Integer(6, 10)),
            "ratio": optional(Choice(("adaptive", "21:9", "16:9", "4:3", "1:1", "3:4", "9:16"))),
            "referenceAudio": optional(
                ListOf(Record({"type": required(Choice(("audio",))), "uri": required(Uri("audio"))}))
            ),
            "references": optional(ListOf(Record({"uri": required(Uri("image"))}), max_items=9)),
            "referenceVideos": optional(
                ListOf(Record({"type": required(Choice(("video",))), "uri": required(Uri("video"))}))
            ),
            "resolution": optional(Choice(("768p", "2k", "768P", "2K"))),
        },
        credits=10,
    ),
    Row(
        "video_to_video",
        "klingO3_pro",
        {
            "promptText": required(Text()),
            "promptVideo": required(Uri("video")),
            "providerSettings": optional(
                Record(
                    {
                        "keepOriginalSound": optional(Flag()),
                        "multiPrompt": optional(
                            ListOf(Record({"duration": required(Integer(3, 15)), "prompt": required(Text(2500))}))
                        ),
                        "shotType": optional(Choice(("intelligence", "customize"))),
                    }
                )
            ),
            "references": optional(
                AnyOf(
                    (
                        Uri("image"),
                        ListOf(
                            Record({"uri": required(Uri("image")), "position": optional(Choice(("first", "last")))}),
                            max_items=4,
                        ),
                    )
                )
            ),
        },
        credits=15,
        rules=KLING_MULTI_PROMPT,
    ),
    Row(
        "video_to_video",
        "klingO3_standard",
        {
            "promptText": required(Text()),
            "promptVideo": required(Uri("video")),
            "providerSettings": optional(
                Record(
                    {
                        "keepOriginalSound": optional(Flag()),
                        "multiPrompt": optional(
                            ListOf(Record({"duration": required(Integer(3, 15)), "prompt": required(Text(2500))}))
                        ),
                        "shotType": optional(Choice(("intelligence", "customize"))),
                    }
                )
            ),
            "references": optional(
                AnyOf(
                    (
                        Uri("image"),
                        ListOf(
                            Record({"uri": required(Uri("image")), "position": optional(Choice(("first", "last")))}),
                            max_items=4,
                        ),
                    )
                )
            ),
        },
        credits=10,
        rules=KLING_MULTI_PROMPT,
    ),
    Row(
        "video_to_video",
        "seedance2",
        {
            "promptVideo": required(Uri("video")),
            "audio": optional(Flag()),
            "duration": optional(
                AnyOf(
                    (
                        Integer(4, 15),
                        Choice(("auto",)),
                    )
                )
            ),
            "promptText": optional(Text(3500)),
            "ratio": optional(
                Choice(
                    (
                        "992:432",
                        "864:496",
                        "752:560",
                        "640:640",
                        "560:752",
                        "496:864",
                        "1470:630",
                        "1280:720",
                        "1112:834",
                        "960:960",
                        "834:1112",
                        "720:1280",
                        "2206:946",
                        "1920:1080",
                        "1664:1248",
                        "1440:1440",
                        "1248:1664",
                        "1080:1920",
                        "3840:1646",
                        "3840:2160",
                        "3840:2880",
                        "3840:3840",
                        "2880:3840",
                        "2160:3840",
                    )
                )
            ),
            "referenceAudio": optional(
                ListOf(Record({"type": required(Choice(("audio",))), "uri": required(Uri("audio"))}))
            ),
            "references": optional(ListOf(Record({"uri": required(Uri("image"))}), max_items=9)),
            "referenceVideos": optional(
                ListOf(Record({"type": required(Choice(("video",))), "uri": required(Uri("video"))}))
            ),
            "seed": optional(SEED),
        },
        credits=20,
    ),
    Row(
        "video_to_video",
        "seedance2_fast",
        {
            "promptVideo": required(Uri("video")),
            "audio": optional(Flag()),
            "duration": optional(
                AnyOf(
                    (
                        Integer(4, 15),
                        Choice(("auto",)),
                    )
                )
            ),
            "promptText": optional(Text(3500)),
            "ratio": optional(
                Choice(
                    (
                        "992:432",
                        "864:496",
                        "752:560",
                        "640:640",
                        "560:752",
                        "496:864",
                        "1470:630",
                        "1280:720",
                        "1112:834",
                        "960:960",
                        "834:1112",
                        "720:1280",
                    )
                )
            ),
            "referenceAudio": optional(
                ListOf(Record({"type": required(Choice(("audio",))), "uri": required(Uri("audio"))}))
            ),
            "references": optional(ListOf(Record({"uri": required(Uri("image"))}), max_items=9)),
            "referenceVideos": optional(
                ListOf(Record({"type": required(Choice(("video",))), "uri": required(Uri("video"))}))
            ),
            "seed": optional(SEED),
        },
        credits=10,
    ),
    Row(
        "video_to_video",
        "seedance2_mini",
        {
            "promptVideo": required(Uri("video")),
            "audio": optional(Flag()),
            "duration": optional(
                AnyOf(
                    (
                        Integer(4, 15),
                        Choice(("auto",)),
                    )
                )
            ),
            "promptText": optional(Text(3500)),
            "ratio": optional(
                Choice(
                    (
                        "992:432",
                        "864:496",
                        "752:560",
                        "640:640",
                        "560:752",
                        "496:864",
                        "1470:630",
                        "1280:720",
                        "1112:834",
                        "960:960",
                        "834:1112",
                        "720:1280",
                    )
                )
            ),
            "referenceAudio": optional(
                ListOf(Record({"type": required(Choice(("audio",))), "uri": required(Uri("audio"))}))
            ),
            "references": optional(ListOf(Record({"uri": required(Uri("image"))}), max_items=9)),
            "referenceVideos": optional(
                ListOf(Record({"type": required(Choice(("video",))), "uri": required(Uri("video"))}))
            ),
            "seed": optional(SEED),
        },
        credits=6,
    ),
    Row(
        "video_to_video",
        "gemini_omni_flash",
        {
            "promptText": required(Text()),
            "videoUri": required(Uri("video")),
            "references": optional(ListOf(Record({"uri": required(Uri("image"))}))),
        },
        credits=20,
    ),
    Row(
        "video_to_video",
        "gemini_omni_flash_1.1",
        {
            "promptText": required(Text()),
            "videoUri": required(Uri("video")),
            "duration": optional(
                AnyOf(
                    (
                        Choice(("auto",)),
                        Integer(),
                    )
                )
            ),
            "mode": optional(Choice(("reference", "extend", "edit"))),
            "ratio": optional(
                Choice(
                    ("640:360", "360:640", "1280:720", "720:1280", "1920:1080", "1080:1920", "3840:2160", "2160:3840")
                )
            ),
            "references": optional(ListOf(Record({"uri": required(Uri("image"))}))),
        },
        credits=25,
    ),
    Row(
        "video_to_video",
        "seedance2_5",
        {
            "promptVideo": required(Uri("video")),
            "audio": optional(Flag()),
            "draft": optional(Flag()),
            "duration": optional(
                AnyOf(
                    (
                        Integer(4, 15),
                        Choice(("auto",)),
                    )
                )
            ),
            "mode": optional(Choice(("reference", "extend", "edit"))),
            "outputFormat": optional(Choice(("mp4", "mov"))),
            "promptText": optional(Text(15000)),
            "ratio": optional(
                Choice(
                    (
                        "992:432",
                        "854:480",
                        "752:560",
                        "640:640",
                        "560:752",
                        "480:854",
                        "1470:630",
                        "1280:720",
                        "1112:834",
                        "960:960",
                        "834:1112",
                        "720:1280",
                        "2206:946",
                        "1920:1080",
                        "1664:1248",
                        "1440:1440",
                        "1248:1664",
                        "1080:1920",
                    )
                )
            ),
            "referenceAudio": optional(
                ListOf(Record({"type": required(Choice(("audio",))), "uri": required(Uri("audio"))}))
            ),
            "references": optional(ListOf(Record({"uri": required(Uri("image"))}), max_items=30)),
            "referenceVideos": optional(
                ListOf(Record({"type": required(Choice(("video",))), "uri": required(Uri("video"))}))
            ),
            "seed": optional(SEED),
        },
        credits=25,
        rules=SEEDANCE2_5_VIDEO,
    ),
    Row(
        "video_to_video",
        "kling_4",
        {
            "promptText": required(Text()),
            "videoUri": required(Uri("video")),
            "ratio": optional(Choice(("auto_720p", "auto_1080p"))),
            "references": optional(ListOf(Record({"uri": required(Uri("image"))}), max_items=10)),
        },
        credits=15,
    ),
    Row(
        "character_performance",
        "act_two",
        {
            "character": required(
                AnyOf(
                    (
                        Record({"type": required(Choice(("image",))), "uri": required(Uri("image"))}),
                        Record({"type": required(Choice(("video",))), "uri": required(Uri("video"))}),
                    )
                )
            ),
            "reference": required(Record({"type": required(Choice(("video",))), "uri": required(Uri("video"))})),
            "bodyControl": optional(Flag()),
            "contentModeration": optional(Record({"publicFigureThreshold": optional(Choice(("auto", "low")))})),
            "expressionIntensity": optional(Integer(1, 5)),
            "ratio": optional(Choice(("1280:720", "720:1280", "960:960", "1104:832", "832:1104", "1584:672"))),
            "seed": optional(SEED),
        },
        credits=5,
    ),
    Row(
        "video_upscale",
        "magnific_video_upscaler_creative",
        {
            "videoUri": required(Uri("video")),
            "creativity": optional(Integer(0, 100)),
            "flavor": optional(Choice(("vivid", "natural"))),
            "fpsBoost": optional(Flag()),
            "resolution": optional(Choice(("720p", "1k", "2k", "4k"))),
            "sharpen": optional(Integer(0, 100)),
            "smartGrain": optional(Integer(0, 100)),
        },
        credits=10,
    ),
    Row(
        "video_upscale",
        "enhance_frame_rate",
        {
            "targetFramerate": required(Choice(("24", "25", "30", "48", "50", "60", "120", "23_98", "29_97", "59_94"))),
            "videoUri": required(Uri("video")),
        },
        credits=5,
    ),
    Row(
        "image_upscale",
        "magnific_precision_upscaler_v2",
        {
            "imageUri": required(Uri("image")),
            "flavor": optional(Choice(("sublime", "photo", "photo_denoiser"))),
            "scaleFactor": optional(Choice((2, 4, 8, 16))),
            "sharpen": optional(Integer(0, 100)),
            "smartGrain": optional(Integer(0, 100)),
            "ultraDetail": optional(Integer(0, 100)),
        },
        credits=10,
        per="task",
    ),
)


LEGACY = (
    Row(
        "image_to_video",
        "gen3a_turbo",
        {
            "promptImage": required(
                AnyOf(
                    (
                        Uri("image"),
                        ListOf(
                            Record({"uri": required(Uri("image")), "position": required(Choice(("first", "last")))}),
                            max_items=2,
                        ),
                    )
                )
            ),
            "promptText": required(Text(1000)),
            "ratio": optional(Choice(("1280:768", "768:1280"))),
            "duration": optional(Choice((5, 10))),
            "seed": optional(SEED),
        },
        credits=5,
        default_seconds=10,
        legacy=True,
    ),
    *(
        Row(
            endpoint,
            "veo3",
            {
                **(
                    {
                        "promptImage": required(
                            AnyOf(
                                (
                                    Uri("image"),
                                    ListOf(
                                        Record(
                                            {"uri": required(Uri("image")), "position": required(Choice(("first",)))}
                                        ),
                                        max_items=1,
                                    ),
                                )
                            )
                        )
                    }
                    if endpoint == "image_to_video"
                    else {}
                ),
                "promptText": required(Text(1000)) if endpoint == "text_to_video" else optional(Text(1000)),
                "ratio": required(Choice(("1280:720", "720:1280", "1080:1920", "1920:1080"))),
                "duration": required(Choice((8,))),
                "seed": optional(SEED),
            },
            credits=40,
            default_seconds=8,
            legacy=True,
        )
        for endpoint in ("image_to_video", "text_to_video")
    ),
)
