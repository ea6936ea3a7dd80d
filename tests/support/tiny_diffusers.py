"""Tiny random diffusers pipelines, built from configs in this process: no weights, no network.

The shapes follow diffusers' own fast tests (tests/pipelines/wan/, tests/pipelines/ltx/), with the
one part those download (hf-internal-testing/tiny-random-t5's config and tokenizer) built here: a
UMT5/T5 config and a word-level tokenizer made in memory. Saved with `save_pretrained`, a folder
is what the engine's real loading path reads (`<Pipeline>.from_pretrained(folder)`), a few hundred
KB. Outputs are noise: the tests check sizes, frame counts, determinism and errors, not pictures.
(See /work/shared/reference/local-video-models.md §3.)
"""

from __future__ import annotations

from pathlib import Path

TEXT_DIM = 32


def tokenizer():
    from tokenizers import Tokenizer, models, pre_tokenizers, processors
    from transformers import PreTrainedTokenizerFast

    words = ["a", "the", "cat", "dog", "sea", "boat", "slow", "pan", "over", "under", "light", "night", "morph"]
    vocab = {"<pad>": 0, "</s>": 1, "<unk>": 2, **{word: index + 3 for index, word in enumerate(words)}}
    tok = Tokenizer(models.WordLevel(vocab=vocab, unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    tok.post_processor = processors.TemplateProcessing(single="$A </s>", special_tokens=[("</s>", 1)])
    return PreTrainedTokenizerFast(
        tokenizer_object=tok, pad_token="<pad>", eos_token="</s>", unk_token="<unk>", model_max_length=512
    )


def _umt5():
    from transformers import UMT5Config, UMT5EncoderModel

    config = UMT5Config(
        vocab_size=32,
        d_model=TEXT_DIM,
        d_kv=8,
        d_ff=37,
        num_layers=2,
        num_heads=4,
        relative_attention_num_buckets=8,
        dropout_rate=0.0,
    )
    return UMT5EncoderModel(config).eval()


def _wan_transformer(in_channels: int, out_channels: int, **extra):
    from diffusers import WanTransformer3DModel

    return WanTransformer3DModel(
        **extra,
        patch_size=(1, 2, 2),
        num_attention_heads=2,
        attention_head_dim=12,
        in_channels=in_channels,
        out_channels=out_channels,
        text_dim=TEXT_DIM,
        freq_dim=256,
        ffn_dim=32,
        num_layers=2,
        cross_attn_norm=True,
        qk_norm="rms_norm_across_heads",
        rope_max_seq_len=32,
    )


def wan22_ti2v_5b(folder: Path) -> Path:
    """Wan 2.2 TI2V-5B's shape (48-channel latents, expand_timesteps): text and first image."""
    import torch
    from diffusers import AutoencoderKLWan, UniPCMultistepScheduler, WanPipeline

    torch.manual_seed(0)
    vae = AutoencoderKLWan(
        base_dim=3,
        z_dim=48,
        in_channels=12,
        out_channels=12,
        is_residual=True,
        patch_size=2,
        latents_mean=[0.0] * 48,
        latents_std=[1.0] * 48,
        dim_mult=[1, 1, 1, 1],
        num_res_blocks=1,
        scale_factor_spatial=16,
        scale_factor_temporal=4,
        temperal_downsample=[False, True, True],
    )
    scheduler = UniPCMultistepScheduler(prediction_type="flow_prediction", use_flow_sigmas=True, flow_shift=3.0)
    pipe = WanPipeline(
        tokenizer=tokenizer(),
        text_encoder=_umt5(),
        vae=vae,
        scheduler=scheduler,
        transformer=_wan_transformer(48, 48),
        expand_timesteps=True,
    )
    pipe.save_pretrained(folder)
    return folder


def _wan21_vae():
    from diffusers import AutoencoderKLWan

    return AutoencoderKLWan(
        base_dim=3, z_dim=16, dim_mult=[1, 1, 1, 1], num_res_blocks=1, temperal_downsample=[False, True, True]
    )


def wan22_i2v_a14b(folder: Path) -> Path:
    """Wan 2.2 I2V-A14B's shape: two experts (boundary_ratio), no CLIP encoder; `last_image`
    goes through the latent mask, so one folder does first and first+last frame."""
    import torch
    from diffusers import FlowMatchEulerDiscreteScheduler, WanImageToVideoPipeline

    torch.manual_seed(0)
    pipe = WanImageToVideoPipeline(
        tokenizer=tokenizer(),
        text_encoder=_umt5(),
        vae=_wan21_vae(),
        scheduler=FlowMatchEulerDiscreteScheduler(shift=5.0),
        transformer=_wan_transformer(36, 16),
        transformer_2=_wan_transformer(36, 16),
        boundary_ratio=0.9,
    )
    pipe.save_pretrained(folder)
    return folder


def wan21_flf2v(folder: Path) -> Path:
    """Wan 2.1 FLF2V-14B's shape: a CLIP image encoder, and a transformer whose image embedding
    takes two images' tokens (pos_embed_seq_len), so it needs the first and the last frame."""
    import torch
    from diffusers import FlowMatchEulerDiscreteScheduler, WanImageToVideoPipeline
    from transformers import CLIPImageProcessor, CLIPVisionConfig, CLIPVisionModelWithProjection

    torch.manual_seed(0)
    encoder = CLIPVisionModelWithProjection(
        CLIPVisionConfig(
            hidden_size=4,
            projection_dim=4,
            num_hidden_layers=2,
            num_attention_heads=2,
            image_size=4,
            intermediate_size=16,
            patch_size=1,
        )
    )
    pipe = WanImageToVideoPipeline(
        tokenizer=tokenizer(),
        text_encoder=_umt5(),
        vae=_wan21_vae(),
        scheduler=FlowMatchEulerDiscreteScheduler(shift=16.0),
        image_processor=CLIPImageProcessor(crop_size=4, size=4),
        image_encoder=encoder,
        transformer=_wan_transformer(36, 16, image_dim=4, pos_embed_seq_len=2 * (4 * 4 + 1)),
    )
    pipe.save_pretrained(folder)
    return folder


def wan22_t2v_a14b(folder: Path) -> Path:
    import torch
    from diffusers import FlowMatchEulerDiscreteScheduler, WanPipeline

    torch.manual_seed(0)
    pipe = WanPipeline(
        tokenizer=tokenizer(),
        text_encoder=_umt5(),
        vae=_wan21_vae(),
        scheduler=FlowMatchEulerDiscreteScheduler(shift=12.0),
        transformer=_wan_transformer(16, 16),
        transformer_2=_wan_transformer(16, 16),
        boundary_ratio=0.875,
    )
    pipe.save_pretrained(folder)
    return folder


def ltx_condition(folder: Path) -> Path:
    """LTX-Video's condition pipeline: text, a first frame, first and last."""
    import torch
    from diffusers import (
        AutoencoderKLLTXVideo,
        FlowMatchEulerDiscreteScheduler,
        LTXConditionPipeline,
        LTXVideoTransformer3DModel,
    )
    from transformers import T5Config, T5EncoderModel

    torch.manual_seed(0)
    transformer = LTXVideoTransformer3DModel(
        in_channels=8,
        out_channels=8,
        patch_size=1,
        patch_size_t=1,
        num_attention_heads=4,
        attention_head_dim=8,
        cross_attention_dim=32,
        num_layers=1,
        caption_channels=TEXT_DIM,
    )
    vae = AutoencoderKLLTXVideo(
        in_channels=3,
        out_channels=3,
        latent_channels=8,
        block_out_channels=(8, 8, 8, 8),
        decoder_block_out_channels=(8, 8, 8, 8),
        layers_per_block=(1, 1, 1, 1, 1),
        decoder_layers_per_block=(1, 1, 1, 1, 1),
        spatio_temporal_scaling=(True, True, False, False),
        decoder_spatio_temporal_scaling=(True, True, False, False),
        decoder_inject_noise=(False, False, False, False, False),
        upsample_residual=(False, False, False, False),
        upsample_factor=(1, 1, 1, 1),
        timestep_conditioning=False,
        patch_size=1,
        patch_size_t=1,
        encoder_causal=True,
        decoder_causal=False,
    )
    vae.use_framewise_encoding = False
    vae.use_framewise_decoding = False
    config = T5Config(
        vocab_size=32,
        d_model=TEXT_DIM,
        d_kv=8,
        d_ff=37,
        num_layers=2,
        num_heads=4,
        relative_attention_num_buckets=8,
        dropout_rate=0.0,
    )
    text_encoder = T5EncoderModel(config).eval()
    pipe = LTXConditionPipeline(
        scheduler=FlowMatchEulerDiscreteScheduler(),
        vae=vae,
        text_encoder=text_encoder,
        tokenizer=tokenizer(),
        transformer=transformer,
    )
    pipe.save_pretrained(folder)
    return folder


BUILDERS = {
    "wan2.2-ti2v-5b": wan22_ti2v_5b,
    "wan2.2-i2v-a14b": wan22_i2v_a14b,
    "wan2.2-t2v-a14b": wan22_t2v_a14b,
    "wan2.1-flf2v": wan21_flf2v,
    "ltx-condition": ltx_condition,
}
