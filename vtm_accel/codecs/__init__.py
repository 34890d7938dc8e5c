"""Encoder and decoder backends, all run as external programs through ``vtm_accel.timing``.

Modules: ``base`` (dataclasses, protocols, HarnessError), ``registry`` (spec strings ->
backends: ``make_encoder``, ``make_decoder``), ``ffmpeg_vvenc`` (VvencEncoder),
``ffmpeg_decoder`` (FfmpegDecoder), ``vtm`` (VtmEncoder, VtmDecoder, parse_vtm_encoder_log),
``template`` (TemplateEncoder), ``engine`` (EngineEncoder, find_engine), ``common`` (output
names, FFmpeg helpers, probe_bitstream).
"""
