"""The RadialGAN architecture: M domains around one shared latent space.

Yoon, Jordon & van der Schaar 2018 (ICML, arXiv:1802.06403), section 4 and
their figure 3 (the block diagram): every domain i has an encoder ``F_i``
that maps its rows ``(x_i, y)`` into the shared latent space Z (the hub), a
decoder ``G_i`` that maps a latent point back out into domain i's features
and label, and a discriminator ``D_i`` that tells domain i's real rows from
rows translated into i. A row of domain i reaches domain j through the hub,
``G_j(F_i(x_i, y))``: M encoders and M decoders serve every ordered pair,
where one translator per pair would take M (M - 1).

The domains drawn are those of ``domains:breast_cancer`` for the chosen M,
opened with the same code as training (``keras_genzoo.data.tabular``), so the
names and feature counts in the boxes are the ones a run sees; ``--no-data``
draws generic domains instead. Indices 0..M-1 are the ones of ``genzoo
radialgan augment --target`` and of the export's ``encode_<i>``,
``decode_<i>`` and ``translate_<i>_to_<j>`` signatures.

    python benchmarks/figures/radialgan_architecture.py                 # M = 3
    python benchmarks/figures/radialgan_architecture.py --num-domains 4 --out /tmp/radial4.png
"""

from __future__ import annotations

import argparse
import math
import pathlib

REPO = pathlib.Path(__file__).resolve().parents[2]
DEFAULT_OUT = REPO / "docs" / "images" / "radialgan_architecture.png"

ENCODER_COLOR = "tab:blue"
DECODER_COLOR = "tab:orange"
CRITIC_COLOR = "tab:red"
DOMAIN_COLOR = "#2c3e50"
HUB_RADIUS = 1.2
DOMAIN_DISTANCE = 3.9  # hub centre -> a domain's box
CRITIC_GAP = 0.75  # between a domain's box and its discriminator's, outwards
ARROW_OFFSET = 0.3  # F_i and G_i run side by side, this far from the radial line
DOMAIN_BOX = (2.9, 1.2)  # width, height
CRITIC_BOX = (2.4, 0.8)
INCHES_PER_UNIT = 0.8  # one scale for every M, so the fixed-size text fits its boxes


def breast_cancer_domains(num_domains: int) -> list[tuple[str, int]]:
    """``(name, feature count)`` of each domain, as training opens them."""
    from keras_genzoo.data.tabular import open_domains

    source = open_domains("domains:breast_cancer", num_domains=num_domains)
    return [(domain.name, domain.num_features) for domain in source.domains]


def generic_domains(num_domains: int) -> list[tuple[str, int | None]]:
    return [(chr(ord("A") + i), None) for i in range(num_domains)]


def _box(axis, centre, size, text, *, color, fontsize=9.0):
    from matplotlib.patches import FancyBboxPatch

    (x, y), (width, height) = centre, size
    patch = FancyBboxPatch((x - width / 2, y - height / 2), width, height,
                           boxstyle="round,pad=0.06", facecolor="white", edgecolor=color,
                           linewidth=1.6, zorder=3)
    axis.add_patch(patch)
    axis.text(x, y, text, ha="center", va="center", fontsize=fontsize, zorder=4)
    return patch


def _arrow(axis, start, end, *, color, start_patch, end_patch, style="-|>", label=None,
           label_at=None):
    from matplotlib.patches import FancyArrowPatch

    # patchA / patchB clip the arrow where it leaves and enters the two shapes
    axis.add_patch(FancyArrowPatch(start, end, arrowstyle=style, mutation_scale=15, color=color,
                                   linewidth=1.8, zorder=2, patchA=start_patch,
                                   patchB=end_patch, shrinkA=2, shrinkB=2))
    if label:
        axis.text(*label_at, label, ha="center", va="center", fontsize=12, color=color,
                  zorder=4)


def _outwards(radial):
    """Where a domain's discriminator goes: straight above or below its box when
    the domain sits high or low, beside it otherwise (boxes are axis-aligned)."""
    if abs(radial[1]) >= 0.45:
        return (0.0, math.copysign(1.0, radial[1]))
    return (math.copysign(1.0, radial[0]), 0.0)


def draw(domains, latent_dim: int, out: pathlib.Path, dpi: int = 130) -> pathlib.Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import Circle

    count = len(domains)
    figure, axis = plt.subplots(figsize=(9.0, 9.0))
    axis.set_aspect("equal")
    axis.axis("off")
    hub = Circle((0, 0), HUB_RADIUS, facecolor="#eef3fb", edgecolor="#34495e", linewidth=2,
                 zorder=3)
    axis.add_patch(hub)
    axis.text(0, 0.22, "shared latent\nspace Z", ha="center", va="center", fontsize=11.5,
              fontweight="bold", zorder=4)
    axis.text(0, -0.5, f"latent_dim = {latent_dim}", ha="center", va="center", fontsize=9,
              zorder=4)

    corners = []
    for index, (name, features) in enumerate(domains):
        angle = math.pi / 2 + 2 * math.pi * index / count
        radial = (math.cos(angle), math.sin(angle))
        side = (-radial[1], radial[0])  # counter-clockwise of the radial direction
        centre = (DOMAIN_DISTANCE * radial[0], DOMAIN_DISTANCE * radial[1])
        feature_text = f"{features} features" if features else "$d_i$ features"
        domain_box = _box(axis, centre, DOMAIN_BOX,
                          f"domain {index} ({name}), {feature_text}\n"
                          f"real rows $(x_{index}, y)$\n"
                          f"translated rows $G_{index}(z)$",
                          color=DOMAIN_COLOR)
        step = _outwards(radial)
        axis_index = 0 if step[0] else 1  # half-extents along the step, plus the gap
        gap = (DOMAIN_BOX[axis_index] + CRITIC_BOX[axis_index]) / 2 + CRITIC_GAP
        critic_centre = (centre[0] + gap * step[0], centre[1] + gap * step[1])
        critic_box = _box(axis, critic_centre, CRITIC_BOX,
                          f"$D_{index}$: real or translated?", color=CRITIC_COLOR)
        for (x, y), (w, h) in ((centre, DOMAIN_BOX), (critic_centre, CRITIC_BOX)):
            corners += [(x - w / 2, y - h / 2), (x + w / 2, y + h / 2)]

        def beside(point, offset):
            return (point[0] + offset * side[0], point[1] + offset * side[1])

        # F_i carries domain i's rows into the hub, G_i carries latent points out
        for offset, color, label, start, end, start_patch, end_patch in (
                (ARROW_OFFSET, ENCODER_COLOR, f"$F_{index}$", centre, (0, 0), domain_box, hub),
                (-ARROW_OFFSET, DECODER_COLOR, f"$G_{index}$", (0, 0), centre, hub,
                 domain_box)):
            middle = 0.5 * (HUB_RADIUS + DOMAIN_DISTANCE - DOMAIN_BOX[1] / 2) - 0.1
            label_at = beside((middle * radial[0], middle * radial[1]), 2.4 * offset)
            _arrow(axis, beside(start, offset), beside(end, offset), color=color,
                   start_patch=start_patch, end_patch=end_patch, label=label,
                   label_at=label_at)
        _arrow(axis, centre, critic_centre, color=CRITIC_COLOR, start_patch=domain_box,
               end_patch=critic_box)

    xs, ys = zip(*corners)
    margin = 0.3
    axis.set_xlim(min(xs) - margin, max(xs) + margin)
    bottom = min(ys) - margin
    first, second = 0, 1
    axis.text(0.5 * (min(xs) + max(xs)), bottom - 0.1,
              f"translate {first} to {second}: $G_{second}(F_{first}(x_{first}, y))$;  "
              f"with $z = F_{first}(x_{first}, y)$:\n"
              f"latent cycle $F_{second}(G_{second}(z)) \\approx z$;  "
              f"data cycle $G_{first}(F_{second}(G_{second}(z))) \\approx (x_{first}, y)$;  "
              f"label term: label part of $G_{second}(z) \\approx y$",
              ha="center", va="top", fontsize=9.5)
    axis.set_ylim(bottom - 1.2, max(ys) + margin)
    figure.set_size_inches(INCHES_PER_UNIT * (max(xs) - min(xs) + 2 * margin),
                           INCHES_PER_UNIT * (max(ys) - bottom + 1.2 + margin))
    axis.set_title(f"RadialGAN, M = {count} domains: encoders $F_i$ (blue), decoders $G_i$ "
                   f"(orange), discriminators $D_i$ (red)", fontsize=11)
    figure.subplots_adjust(left=0, right=1, bottom=0, top=1)  # bbox_inches="tight" trims
    out.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(out, dpi=dpi, bbox_inches="tight")
    plt.close(figure)
    return out


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--num-domains", type=int, default=3, help="M, 2..10 (default 3)")
    parser.add_argument("--latent-dim", type=int, default=None,
                        help="shown in the hub (default: RadialGANConfig's)")
    parser.add_argument("--no-data", action="store_true",
                        help="generic domains instead of domains:breast_cancer's")
    parser.add_argument("--out", type=pathlib.Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    if not 2 <= args.num_domains <= 10:
        parser.error(f"--num-domains must be in 2..10, got {args.num_domains}")
    latent_dim = args.latent_dim
    if latent_dim is None:
        from keras_genzoo.models.radialgan.model import RadialGANConfig

        latent_dim = RadialGANConfig().latent_dim
    domains = (generic_domains(args.num_domains) if args.no_data
               else breast_cancer_domains(args.num_domains))
    print(draw(domains, latent_dim, args.out))


if __name__ == "__main__":
    main()
