"""Content and style images paired for training a feed-forward style-transfer model.

Huang & Belongie 2017 (arXiv:1703.06868, section 6.1) train on MS-COCO content
images and WikiArt style images: each image is resized (smallest side 512) and a
random 256 x 256 crop is taken, so every step pairs a random content crop with a
random style crop. :class:`StylePairSource` does the same with two
:class:`~keras_genzoo.data.sources.ImageSource` objects opened at ``load_size``
(square: the sources' centre crop and resize) and seeded random crops of
``crop_size``, so that a handful of images (the bundled ``samples:`` ones) still
give a different pair of crops at every step.

An epoch is ``max(len(content), len(style), MIN_EPOCH_PAIRS)`` pairs: both sets are
repeated to that length and shuffled independently, from seeds that are a function
of ``(seed, epoch)`` only, and crop ``i`` of the epoch is cut at a position drawn
from ``(seed, epoch, i)``. Rebuilding epoch ``e`` therefore replays the same batches,
which is what the trainer's exact resume needs (it skips the batches already used).
"""

from __future__ import annotations

import math

import numpy as np

from keras_genzoo.data.pipeline import MAX_SHUFFLE_BUFFER, check_batch_size, shuffle_seed

#: the shortest epoch, in pairs: a few bundled images still make epochs of a useful
#: length (16 steps at batch 8) rather than one step
MIN_EPOCH_PAIRS = 128
#: the salts that keep the content order, the style order and the crops apart
_CONTENT_SALT, _STYLE_SALT, _CROP_SALT = 1, 2, 3
#: the seed of :meth:`StylePairSource.preview_pairs` (a fixed picture every epoch)
PREVIEW_SEED = 1234


class StylePairSource:
    """``(content, style)`` batches of random ``crop_size`` crops, both float32 RGB
    ``[B, crop_size, crop_size, 3]`` in [0, 1]; the interface the trainer uses
    (``batches``, ``steps_per_epoch``, ``name``, ``num_examples``, ``kind``, ``unit``)."""

    kind = "style_pairs"
    unit = "pairs"
    num_classes = None

    def __init__(self, content, style, *, crop_size: int):
        if crop_size > min(content.image_size, style.image_size):
            raise ValueError(f"crop size {crop_size} is larger than the images "
                             f"({content.image_size}, {style.image_size})")
        self.content, self.style, self.crop_size = content, style, int(crop_size)
        self.name = f"{content.name} x {style.name}"
        self.split = content.split
        self.num_examples = max(content.num_examples, style.num_examples, MIN_EPOCH_PAIRS)

    def __repr__(self):
        return (f"StylePairSource({self.name!r}, num_examples={self.num_examples}, "
                f"crop_size={self.crop_size})")

    def _check_batch_size(self, batch_size) -> int:
        return check_batch_size(batch_size, self.num_examples, name=self.name,
                                split=self.split, unit=self.unit)

    def steps_per_epoch(self, batch_size) -> int:
        return self.num_examples // self._check_batch_size(batch_size)

    def start_notes(self) -> list[str]:
        return [f"genzoo: pairs {self.content.num_examples} content and "
                f"{self.style.num_examples} style images ({self.content.image_size}px), "
                f"random {self.crop_size}px crops, {self.num_examples} pairs per epoch"]

    def _ordered(self, source, seed: int, epoch: int, salt: int):
        """``num_examples`` images of ``source``: repeated, shuffled by (seed, epoch, salt)."""
        repeats = math.ceil(self.num_examples / source.num_examples)
        images = source.elements().map(lambda image, label: image).repeat(repeats)
        return images.shuffle(min(repeats * source.num_examples, MAX_SHUFFLE_BUFFER),
                              seed=shuffle_seed(seed * 7 + salt, epoch),
                              reshuffle_each_iteration=False).take(self.num_examples)

    def batches(self, batch_size, *, epoch=0, seed=0, shuffle=True, drop_remainder=True):
        """Batched ``(content, style)`` crops; the same batches for the same ``(seed, epoch)``.
        ``shuffle`` is accepted for the sources' common interface: pairing is random."""
        import tensorflow as tf

        batch_size = self._check_batch_size(batch_size)
        crop_seed = shuffle_seed(seed * 7 + _CROP_SALT, epoch)
        size = self.crop_size

        def crop(index, pair):
            content, style = pair
            seeds = tf.random.experimental.stateless_split(
                tf.stack([tf.constant(crop_seed, tf.int64), index]), 2)
            return (tf.image.stateless_random_crop(content, [size, size, 3], seed=seeds[0]),
                    tf.image.stateless_random_crop(style, [size, size, 3], seed=seeds[1]))

        pairs = tf.data.Dataset.zip((self._ordered(self.content, seed, epoch, _CONTENT_SALT),
                                     self._ordered(self.style, seed, epoch, _STYLE_SALT)))
        pairs = pairs.enumerate().map(crop, num_parallel_calls=tf.data.AUTOTUNE,
                                      deterministic=True)
        return pairs.batch(batch_size, drop_remainder=drop_remainder).prefetch(tf.data.AUTOTUNE)

    def preview_pairs(self, count: int) -> tuple[np.ndarray, np.ndarray]:
        """A fixed ``(content, style)`` batch of ``count`` crops (the epoch-end picture)."""
        count = min(int(count), self.num_examples)
        for content, style in self.batches(count, epoch=0, seed=PREVIEW_SEED).take(1):
            return content.numpy(), style.numpy()
        raise ValueError("no pairs")  # unreachable: count <= num_examples
