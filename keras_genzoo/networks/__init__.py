"""Functional builders for generators, discriminators, encoders and decoders."""
