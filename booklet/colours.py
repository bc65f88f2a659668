"""Colours by role, for the screen (sRGB) and for the press (CMYK).

A booklet names its colours by role in booklet.yaml (`accent`, `text`,
`muted`, …): each role has a screen colour, which the stylesheets use as
`var(--accent)`, and a print colour in CMYK percentages, which the print
edition uses. Either may be left out and is then derived through the output
profile, the CMYK characterisation of the press (`output.icc`, or the free
profile booklet ships, see profiles/manifest.yaml).

One layout serves both editions, so the laid-out pages carry screen
colours only; the print edition is converted afterwards by a
`ColourPolicy` (booklet.pdf.colour). Whatever a stylesheet names directly
(`#333`, `rgb()`) is converted through the profile, except neutral greys,
which become a tint of black ink alone (matched in lightness, L*): grey
text and hairlines printed in four inks blur at the slightest
misregistration.

The policy is a small frozen dataclass (a profile path, its sha256, a
tuple of roles, numbers) so a worker process can receive it and build its
own `Converter`; LittleCMS transforms are built once per process.
"""

from __future__ import annotations

import functools
import hashlib
import io
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import yaml

from .errors import BookletError

PROFILE_DIR = Path(__file__).resolve().parents[1] / "profiles"
MANIFEST = "manifest.yaml"
HEX = re.compile(r"^#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")


# ---------------------------------------------------------------------------
# Notation.

def parse_cmyk(text: str) -> tuple[float, float, float, float] | None:
    """'0 95 90 10', '0/95/90/10' or '0, 95, 90, 10' (percent) → fractions; None if not that."""
    parts = [p for p in re.split(r"[\s/,]+", str(text).strip().rstrip("%")) if p]
    if len(parts) != 4:
        return None
    try:
        values = [float(p.rstrip("%")) for p in parts]
    except ValueError:
        return None
    if any(not 0 <= v <= 100 for v in values):
        return None
    return tuple(round(v / 100, 4) for v in values)


def parse_hex(text: str) -> tuple[int, int, int] | None:
    m = HEX.match(str(text).strip())
    if not m:
        return None
    digits = m.group(1)
    if len(digits) == 3:
        digits = "".join(d * 2 for d in digits)
    return tuple(int(digits[i:i + 2], 16) for i in (0, 2, 4))


def hex_of(rgb8) -> str:
    return "#" + "".join(f"{v:02x}" for v in rgb8)


def percent(cmyk) -> str:
    """0/95/90/10: how printers write an ink mix."""
    return "/".join(f"{v * 100:.0f}" for v in cmyk)


def css_name(role: str) -> str:
    """The custom property of a role: paper_tint → --paper-tint."""
    return "--" + role.replace("_", "-")


# ---------------------------------------------------------------------------
# The output profile.

@dataclass(frozen=True)
class Profile:
    path: Path
    sha256: str
    description: str


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def icc_space(data: bytes) -> bytes:
    """The data colour space of an ICC profile (b'CMYK', b'RGB '…), or b'' if not a profile."""
    return data[16:20] if len(data) >= 128 and data[36:40] == b"acsp" else b""


@functools.lru_cache(maxsize=8)
def _load_profile(path: Path, stamp: tuple) -> Profile:
    data = path.read_bytes()
    try:
        from PIL import ImageCms
        desc = ImageCms.getProfileDescription(ImageCms.ImageCmsProfile(io.BytesIO(data))).strip()
    except Exception:  # noqa: BLE001 - the caller checks the header; a name is a nicety
        desc = ""
    return Profile(path, _sha256(data), desc or path.stem)


def load_profile(path: Path) -> Profile:
    """The profile at *path* (cached while the file is unchanged)."""
    st = path.stat()
    return _load_profile(path, (st.st_size, st.st_mtime_ns))


def shipped_profile() -> Path:
    """The CMYK profile booklet ships (installed by the set-up command)."""
    entry = load_manifest(PROFILE_DIR)[0]
    return PROFILE_DIR / entry["file"]


def output_profile(cfg) -> Profile:
    """The CMYK profile of the print edition: `output.icc` in booklet.yaml, else the shipped one."""
    name = (getattr(cfg.output, "icc", "") or "").strip()
    if name:
        path = (Path(cfg.root) / name).resolve()
        where = "booklet.yaml (output.icc)"
        if not path.is_relative_to(Path(cfg.root).resolve()):
            raise BookletError(f"the output profile '{name}' is outside the project folder", where=where,
                               hint="copy the print shop's .icc file into the project, e.g. profiles/")
        if not path.is_file():
            raise BookletError(f"the output profile '{name}' does not exist", where=where,
                               hint="put the print shop's .icc file there, or remove output.icc to use the shipped profile")
    else:
        path = shipped_profile()
        where = "profiles/"
        if not path.is_file():
            raise BookletError(f"the shipped CMYK profile {path.name} is not installed", where=where,
                               hint="run the set-up command from README.md (or 'booklet profiles install')")
    head = path.read_bytes()[:128]
    if icc_space(head) != b"CMYK":
        raise BookletError(f"{path.name} is not a CMYK ICC profile"
                           + (f" (its colour space is {icc_space(head).decode().strip()})" if icc_space(head) else ""),
                           where=where, hint="the print edition needs the press's CMYK characterisation, e.g. FOGRA39")
    return load_profile(path)


def load_manifest(folder: Path) -> list[dict]:
    return yaml.safe_load((folder / MANIFEST).read_text("utf-8"))["profiles"]


def install_profiles(folder: Path = PROFILE_DIR, *, log=print) -> list[Path]:
    """Copy the profiles listed in the manifest from their Debian package and verify their sha256."""
    written = []
    for entry in load_manifest(folder):
        target = folder / entry["file"]
        if target.is_file() and _sha256(target.read_bytes()) == entry["sha256"]:
            log(f"  profile ok    {entry['file']}")
            written.append(target)
            continue
        source = Path(entry["source"]["path"])
        package = entry["source"]["package"]
        if not source.is_file():
            raise BookletError(f"profile source {source} is missing",
                               hint=f"install the Debian package '{package}' (apt-get install {package})")
        got = _sha256(source.read_bytes())
        if got != entry["sha256"]:
            raise BookletError(f"profile source {source} has sha256 {got}, expected {entry['sha256']}",
                               hint="the Debian package version differs from the one recorded in "
                                    "profiles/manifest.yaml; check the new file and update the manifest")
        tmp = target.with_suffix(".tmp")
        shutil.copyfile(source, tmp)
        tmp.replace(target)
        log(f"  profile copied {entry['file']}")
        written.append(target)
    return written


# ---------------------------------------------------------------------------
# The policy: what the print edition does with each colour.

@dataclass(frozen=True)
class Role:
    name: str
    screen: tuple[int, int, int]                       # sRGB, 8 bits per channel
    print: tuple[float, float, float, float] | None   # CMYK fractions; None: through the profile


@dataclass(frozen=True)
class ColourPolicy:
    """How the print edition turns screen colours into inks (small and picklable)."""
    profile: str                    # path of the CMYK output profile
    profile_sha256: str
    roles: tuple[Role, ...] = ()
    ink_limit: float = 3.0          # total area coverage, 3.0 = 300 %
    image_dpi: int = 300            # print images above max_dpi are resampled to this
    image_max_dpi: int = 450


def policy_from_config(cfg) -> ColourPolicy:
    """The print edition's colour policy from booklet.yaml (roles checked against each other)."""
    profile = output_profile(cfg)
    limit = cfg.output.ink_limit / 100
    conv = converter(ColourPolicy(str(profile.path), profile.sha256, (), limit))
    roles, by_screen = [], {}
    for name, colour in cfg.colours.items():
        cmyk = colour.print
        screen = parse_hex(colour.screen) if colour.screen else None
        if cmyk is not None and sum(cmyk) > limit + 1e-6:
            raise BookletError(f"colours.{name} prints with {sum(cmyk) * 100:.0f} % ink ({percent(cmyk)}), "
                               f"more than the {cfg.output.ink_limit:g} % the press takes (output.ink_limit)",
                               where=f"booklet.yaml, line {colour.line}" if colour.line else "booklet.yaml",
                               hint="take some cyan, magenta or yellow out, or raise output.ink_limit if the print shop agrees")
        if screen is None:
            screen = conv.screen_of(cmyk)
        other = by_screen.get(screen)
        if other is not None and other.print != cmyk:
            raise BookletError(f"colours.{other.name} and colours.{name} have the same screen colour {hex_of(screen)} "
                               "but different print colours: the print edition could not tell them apart",
                               where=f"booklet.yaml, line {colour.line}" if colour.line else "booklet.yaml",
                               hint="give them different screen colours (one step apart is enough) or the same print colour")
        role = Role(name, screen, cmyk)
        by_screen[screen] = role
        roles.append(role)
    return ColourPolicy(str(profile.path), profile.sha256, tuple(roles), limit,
                        cfg.output.print_image_dpi, cfg.output.print_image_max_dpi)


def screen_colours(cfg) -> dict[str, str]:
    """Role → the sRGB hex the stylesheets get (derived through the profile where only CMYK is given)."""
    out = {}
    for name, colour in cfg.colours.items():
        if colour.screen:
            out[name] = hex_of(parse_hex(colour.screen))
        else:
            profile = output_profile(cfg)
            conv = converter(ColourPolicy(str(profile.path), profile.sha256))
            out[name] = hex_of(conv.screen_of(colour.print))
    return out


# ---------------------------------------------------------------------------
# Conversions through the profile (LittleCMS, through Pillow's ImageCms).

@functools.lru_cache(maxsize=4)
def converter(policy: ColourPolicy) -> "Converter":
    return Converter(policy)


@functools.lru_cache(maxsize=2)
def _transforms(profile: str, sha256: str) -> tuple:
    """The profile and LittleCMS transforms of a Converter, by profile file: a
    build makes converters for one profile with different roles (the check of
    the colour roles, then the build's), and building these took 0.1 s each
    time. (*sha256* is in the key: a profile replaced while watching; the
    Converter checks the file against it before asking.)"""
    from PIL import Image, ImageCms
    cmyk = ImageCms.ImageCmsProfile(io.BytesIO(Path(profile).read_bytes()))
    srgb = ImageCms.createProfile("sRGB")
    lab = ImageCms.createProfile("LAB", 5000)
    flags = ImageCms.Flags.BLACKPOINTCOMPENSATION
    rel = ImageCms.Intent.RELATIVE_COLORIMETRIC
    # Flat colours: relative colorimetric (paper white stays paper) with black point compensation.
    to_cmyk = ImageCms.buildTransform(srgb, cmyk, "RGB", "CMYK", rel, flags=flags)
    lab_to_cmyk = ImageCms.buildTransform(lab, cmyk, "LAB", "CMYK", rel, flags=flags)
    to_screen = ImageCms.buildTransform(cmyk, srgb, "CMYK", "RGB", rel, flags=flags)
    # L* of 0/0/0/k for k = 0…255, to match a grey by lightness with black ink alone.
    ramp = Image.new("CMYK", (256, 1))
    ramp.putdata([(0, 0, 0, k) for k in range(256)])
    lab_ramp = ImageCms.applyTransform(ramp, ImageCms.buildTransform(cmyk, lab, "CMYK", "LAB", rel))
    k_ramp = [lab_ramp.getpixel((k, 0))[0] * 100 / 255 for k in range(256)]
    return cmyk, srgb, lab, to_cmyk, lab_to_cmyk, to_screen, k_ramp


class Converter:
    """Colour conversions for one policy; build it with `converter(policy)` (cached)."""

    def __init__(self, policy: ColourPolicy):
        from PIL import ImageCms
        self.policy = policy
        data = Path(policy.profile).read_bytes()
        if _sha256(data) != policy.profile_sha256:
            raise BookletError(f"the output profile {Path(policy.profile).name} changed during the build",
                               hint="build again")
        self._cms = ImageCms
        (self._cmyk, self._srgb, self._lab, self._to_cmyk, self._lab_to_cmyk, self._to_screen,
         self._k_ramp) = _transforms(policy.profile, policy.profile_sha256)
        self._roles = {r.screen: r for r in policy.roles}
        self._image_transforms: dict[bytes, object] = {}
        self._memo: dict[tuple, tuple] = {}

    # -- flat colours ------------------------------------------------------

    def _grey_to_k(self, level: float) -> float:
        """K tint with the lightness of sRGB grey *level* (0…1)."""
        lin = level / 12.92 if level <= 0.04045 else ((level + 0.055) / 1.055) ** 2.4
        y = lin
        lightness = 116 * y ** (1 / 3) - 16 if y > 216 / 24389 else y * 24389 / 27
        ramp = self._k_ramp
        if lightness >= ramp[0]:
            return 0.0
        if lightness <= ramp[-1]:
            return 1.0
        for k in range(1, 256):
            if ramp[k] <= lightness:
                a, b = ramp[k - 1], ramp[k]
                frac = (a - lightness) / (a - b) if a != b else 0
                return round((k - 1 + frac) / 255, 3)
        return 1.0

    def rgb(self, r: float, g: float, b: float) -> tuple[tuple[float, ...], str]:
        """CMYK for an sRGB colour (0…1) and how it was found: 'role:NAME', 'neutral' or 'profile'."""
        key = tuple(min(255, max(0, round(v * 255))) for v in (r, g, b))
        hit = self._memo.get(key)
        if hit is not None:
            return hit
        role = self._roles.get(key)
        if role is not None and role.print is not None:
            out = (role.print, f"role:{role.name}")
        elif max(key) - min(key) <= 1:
            out = ((0.0, 0.0, 0.0, self._grey_to_k(sum(key) / 3 / 255)), "neutral")
        else:
            out = (self._through_profile(key), f"role:{role.name}" if role is not None else "profile")
        self._memo[key] = out
        return out

    def _through_profile(self, rgb8) -> tuple[float, ...]:
        from PIL import Image
        px = self._cms.applyTransform(Image.new("RGB", (1, 1), rgb8), self._to_cmyk).getpixel((0, 0))
        return self.limit(tuple(round(v / 255, 3) for v in px))

    def lab(self, lightness: float, a: float, b: float) -> tuple[float, ...]:
        from PIL import Image
        if abs(a) < 0.5 and abs(b) < 0.5:
            y = ((lightness + 16) / 116) ** 3 if lightness > 8 else lightness * 27 / 24389
            level = 12.92 * y if y <= 0.0031308 else 1.055 * y ** (1 / 2.4) - 0.055
            return (0.0, 0.0, 0.0, self._grey_to_k(level))
        px = (round(lightness * 2.55), round(a) % 256, round(b) % 256)
        out = self._cms.applyTransform(Image.new("LAB", (1, 1), px), self._lab_to_cmyk).getpixel((0, 0))
        return self.limit(tuple(round(v / 255, 3) for v in out))

    def limit(self, cmyk) -> tuple[float, ...]:
        """Keep total ink within the limit by taking cyan, magenta and yellow out (black stays)."""
        c, m, y, k = cmyk
        over = c + m + y + k - self.policy.ink_limit
        if over <= 0 or c + m + y == 0:
            return tuple(cmyk)
        f = max(0.0, (c + m + y - over) / (c + m + y))
        return (round(c * f, 3), round(m * f, 3), round(y * f, 3), k)

    def screen_of(self, cmyk) -> tuple[int, int, int]:
        """How a CMYK mix looks on screen (sRGB), through the profile."""
        from PIL import Image
        px = tuple(round(v * 255) for v in cmyk)
        return self._cms.applyTransform(Image.new("CMYK", (1, 1), px), self._to_screen).getpixel((0, 0))

    # -- images ------------------------------------------------------------

    def image(self, im, source_icc: bytes | None = None):
        """An RGB (or grey) Pillow image in CMYK through the profile: perceptual, for photographs."""
        key = source_icc or b""
        transform = self._image_transforms.get(key)
        if transform is None:
            source = self._srgb
            if source_icc:
                try:
                    source = self._cms.ImageCmsProfile(io.BytesIO(source_icc))
                except Exception:  # noqa: BLE001 - a broken embedded profile: assume sRGB like a browser
                    source = self._srgb
            transform = self._cms.buildTransform(source, self._cmyk, "RGB", "CMYK",
                                                 self._cms.Intent.PERCEPTUAL,
                                                 flags=self._cms.Flags.BLACKPOINTCOMPENSATION)
            self._image_transforms[key] = transform
        out = self._cms.applyTransform(im.convert("RGB"), transform)
        return limit_image_ink(out, self.policy.ink_limit)


def limit_image_ink(im, limit: float):
    """A CMYK Pillow image with total ink above *limit* (3.0 = 300 %) brought down on C, M, Y.

    Each channel loses its share of the excess, rounded up, so no pixel stays over."""
    from PIL import Image, ImageMath
    c, m, y, k = im.split()
    cap = round(limit * 255)
    total = ImageMath.lambda_eval(lambda a: a["c"] + a["m"] + a["y"] + a["k"], c=c, m=m, y=y, k=k)
    if total.getextrema()[1] <= cap:
        return im
    cmy = ImageMath.lambda_eval(lambda a: a["max"](a["c"] + a["m"] + a["y"], 1), c=c, m=m, y=y)
    over = ImageMath.lambda_eval(lambda a: a["max"](a["t"] - cap, 0), t=total)
    out = [ImageMath.lambda_eval(lambda a: a["ch"] - (a["ch"] * a["over"] + a["cmy"] - 1) / a["cmy"],
                                 ch=ch, over=over, cmy=cmy).convert("L") for ch in (c, m, y)]
    return Image.merge("CMYK", (*out, k))
