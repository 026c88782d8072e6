"""The DCGAN a keras-io reader writes by hand: the yardstick of genzoo's dcgan.

About sixty lines of plain Keras / TensorFlow in the shape of the keras-io
DCGAN tutorials: 28x28 MNIST in [-1, 1], a 128-d latent, a generator
Dense(7x7x128) -> a stride-2 transposed convolution (64 filters, BatchNorm,
LeakyReLU) -> a stride-2 transposed convolution to the tanh image, a
discriminator that mirrors it (stride-2 convolutions of 64 and 128 filters,
LeakyReLU, a dense logit), the
non-saturating loss, Adam (2e-4, beta_1 0.5), batch 64 (Radford et al. 2015,
section 3). Nothing of genzoo is used for training, so that the comparison in
``benchmarks/quality.py`` is against what a user would otherwise write.

    python benchmarks/reference_dcgan.py --data ../shared/data/mnist-t10k --minutes 5
"""

from __future__ import annotations

import argparse
import pathlib
import time

LATENT = 128
BATCH = 64


def build_networks():
    import keras
    from keras import layers

    generator = keras.Sequential([
        keras.Input((LATENT,)),
        layers.Dense(7 * 7 * 128, use_bias=False), layers.BatchNormalization(), layers.LeakyReLU(0.2),
        layers.Reshape((7, 7, 128)),
        layers.Conv2DTranspose(64, 4, strides=2, padding="same", use_bias=False),
        layers.BatchNormalization(), layers.LeakyReLU(0.2),
        layers.Conv2DTranspose(1, 4, strides=2, padding="same", activation="tanh"),
    ], name="generator")
    discriminator = keras.Sequential([
        keras.Input((28, 28, 1)),
        layers.Conv2D(64, 4, strides=2, padding="same"), layers.LeakyReLU(0.2),
        layers.Conv2D(128, 4, strides=2, padding="same"), layers.LeakyReLU(0.2),
        layers.Flatten(), layers.Dropout(0.2), layers.Dense(1),
    ], name="discriminator")
    return generator, discriminator


def train(images, *, minutes: float, eval_every: float, on_eval, seed: int = 0):
    """Train on ``images`` ([N, 28, 28, 1] in [0, 1]) for ``minutes`` of wall clock;
    every ``eval_every`` training minutes (and at the end) call
    ``on_eval(sample, trained_minutes, steps)``, where ``sample(n)`` returns n
    images in [0, 1]. The clock stops while ``on_eval`` runs."""
    import keras
    import numpy as np
    import tensorflow as tf

    keras.utils.set_random_seed(seed)
    generator, discriminator = build_networks()
    g_opt = keras.optimizers.Adam(2e-4, beta_1=0.5)
    d_opt = keras.optimizers.Adam(2e-4, beta_1=0.5)
    bce = keras.losses.BinaryCrossentropy(from_logits=True)

    @tf.function
    def step(real):
        z = tf.random.normal([tf.shape(real)[0], LATENT])
        with tf.GradientTape() as d_tape:
            fake = generator(z, training=True)
            real_logits = discriminator(real, training=True)
            fake_logits = discriminator(fake, training=True)
            d_loss = (bce(tf.ones_like(real_logits), real_logits)
                      + bce(tf.zeros_like(fake_logits), fake_logits))
        d_opt.apply_gradients(zip(d_tape.gradient(d_loss, discriminator.trainable_variables),
                                  discriminator.trainable_variables))
        with tf.GradientTape() as g_tape:
            fake_logits = discriminator(generator(z, training=True), training=True)
            g_loss = bce(tf.ones_like(fake_logits), fake_logits)
        g_opt.apply_gradients(zip(g_tape.gradient(g_loss, generator.trainable_variables),
                                  generator.trainable_variables))
        return d_loss, g_loss

    def sample(n):
        z = tf.random.stateless_normal([n, LATENT], seed=[seed, 1234])
        out = [generator(z[i:i + 1000], training=False) for i in range(0, n, 1000)]
        return (tf.concat(out, 0).numpy() + 1.0) / 2.0

    data = (tf.data.Dataset.from_tensor_slices(images.astype(np.float32) * 2.0 - 1.0)
            .shuffle(len(images), seed=seed).repeat().batch(BATCH, drop_remainder=True)
            .prefetch(2))
    trained, steps, next_eval = 0.0, 0, eval_every * 60.0
    started = time.perf_counter()
    for batch in data:
        step(batch)[0].numpy()  # wait for the step before reading the clock
        steps += 1
        trained = time.perf_counter() - started
        if trained >= next_eval or trained >= minutes * 60.0:
            on_eval(sample, trained / 60.0, steps)
            next_eval += eval_every * 60.0
            if trained >= minutes * 60.0:
                return steps
            started = time.perf_counter() - trained  # the evaluation is off the clock
    return steps


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=pathlib.Path, required=True, help="MNIST IDX folder")
    parser.add_argument("--minutes", type=float, default=5.0)
    parser.add_argument("--out", type=pathlib.Path, default=pathlib.Path("reference_dcgan.png"))
    args = parser.parse_args(argv)
    from keras_genzoo.data import open_source
    from keras_genzoo.training import images as image_io

    images = open_source(f"idx:{args.data.resolve()}", image_size=28, channels=1).take_images(10**9)

    def report(sample, minutes, steps):
        print(f"{minutes:.2f} min, {steps} steps", flush=True)
        image_io.save_grid(sample(64), args.out, 8)

    train(images, minutes=args.minutes, eval_every=args.minutes, on_eval=report)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
