"""Images for the press: CMYK through the output profile, no sharper than needed.

Photographs are converted here, not left as ICC-tagged RGB for the print
shop's RIP (which PDF/X-4 would allow): PDF/X-1a forbids RGB outright, the
conversion then happens with the profile and rendering intent the proof was
made with (perceptual, black point compensation: what LittleCMS does for
photographs), total ink stays within the press's limit, and the file passes
shops whose preflight refuses any RGB. An image that carries its own ICC
profile (an Adobe RGB camera JPEG) is converted from that profile.

A camera portrait placed 54 mm wide is 1,100 dpi; a press needs 300. Any
image above `image_max_dpi` at its largest placed size is resampled to
`image_dpi` (rounded up, so it never falls below). Smaller ones keep every
pixel: resampling 400 dpi to 300 would only soften them.
"""

from __future__ import annotations

import io
import math
import zlib

import pikepdf

from ..colours import ColourPolicy, converter

_RGB = ("rgb", "icc-rgb", "calrgb", "indexed-rgb", "indexed-icc-rgb", "indexed-calrgb")
JPEG_QUALITY = 92


def to_print_images(pdf: pikepdf.Pdf, policy: ColourPolicy, report) -> None:
    from PIL import Image

    from .scan import space_kind, walk_pages

    conv = converter(policy)
    largest: dict[tuple, list] = {}      # objgen → [image, widest placed pt, tallest placed pt]
    for scan in walk_pages(pdf):
        for im in scan.images:
            if im.image is None:
                if im.colour_space in ("rgb", "indexed-rgb"):
                    report.left.append(f"page {scan.page}: an inline RGB image keeps its colours")
                continue
            if im.image.objgen == (0, 0) or im.image.get("/ImageMask", False):
                continue
            entry = largest.setdefault(im.image.objgen, [im.image, 0.0, 0.0])
            w_pt, h_pt = im.size_pt
            entry[1], entry[2] = max(entry[1], w_pt), max(entry[2], h_pt)
    for objgen in sorted(largest):
        xobj, w_pt, h_pt = largest[objgen]
        w, h = int(xobj.Width), int(xobj.Height)
        kind, icc = space_kind(xobj.get("/ColorSpace", pikepdf.Name.DeviceRGB))
        dpi = min(w / (w_pt / 72), h / (h_pt / 72)) if w_pt > 0 and h_pt > 0 else 0
        resample = dpi > policy.image_max_dpi
        convert = kind in _RGB
        if not (resample or convert):
            continue
        if kind not in _RGB + ("gray", "icc-gray", "cmyk", "icc-cmyk"):
            report.left.append(f"a {w}×{h} px image in a {kind} colour space is left as it is")
            continue
        size = (w, h)
        if resample:
            scale = policy.image_dpi / dpi
            size = (max(1, math.ceil(w * scale)), max(1, math.ceil(h * scale)))
        try:
            pil = _decode(xobj, kind, size)
        except Exception as exc:  # noqa: BLE001 - an encoding we cannot decode stays as it is
            report.left.append(f"a {w}×{h} px image could not be decoded ({exc}) and is left as it is")
            continue
        source_icc = icc.read_bytes() if kind == "icc-rgb" and icc is not None else pil.info.get("icc_profile")
        if pil.mode in ("P", "1", "RGBA", "LA", "I", "I;16"):
            pil = pil.convert("RGB" if kind in _RGB or pil.mode in ("P", "RGBA") else "L")
        before = len(xobj.read_raw_bytes())
        if resample:
            pil = pil.resize(size, Image.LANCZOS)
            report.images_resampled += 1
            report.resampled.append(f"{w}×{h} px at {dpi:.0f} dpi → {size[0]}×{size[1]} px")
            _resample_mask(xobj, size)
        if convert:
            pil = conv.image(pil, source_icc)
            report.images_converted += 1
        was_jpeg = xobj.get("/Filter") == pikepdf.Name.DCTDecode or (
            isinstance(xobj.get("/Filter"), pikepdf.Array) and pikepdf.Name.DCTDecode in list(xobj.Filter))
        data, filt = _encode(pil, jpeg=was_jpeg)
        xobj.write(data, filter=filt)
        xobj.Width, xobj.Height = size
        xobj.BitsPerComponent = 8
        xobj.ColorSpace = pikepdf.Name.DeviceCMYK if pil.mode == "CMYK" else pikepdf.Name.DeviceGray
        for key in ("/DecodeParms", "/Decode", "/Intent"):
            if key in xobj:
                del xobj[key]
        if filt == pikepdf.Name.DCTDecode and pil.mode == "CMYK":
            xobj.Decode = pikepdf.Array([1, 0] * 4)     # Pillow writes Adobe (inverted) CMYK JPEGs
        xobj.Interpolate = False                        # PDF/X: the press, not the viewer, decides
        report.image_bytes_before += before
        report.image_bytes_after += len(data)


def _decode(xobj, kind: str, size: tuple[int, int]):
    """The image as Pillow sees it. A plain JPEG is decoded by Pillow directly, at
    the smallest DCT scale (1/2, 1/4, 1/8) still at least *size*: a camera photo
    resampled to 300 dpi decodes in a fraction of the time."""
    from PIL import Image
    if (xobj.get("/Filter") == pikepdf.Name.DCTDecode and "/Decode" not in xobj
            and kind in ("rgb", "icc-rgb", "gray", "icc-gray")):
        pil = Image.open(io.BytesIO(xobj.read_raw_bytes()))
        if pil.mode in ("RGB", "L"):
            pil.draft(pil.mode, size)
            pil.load()
            return pil
    return pikepdf.PdfImage(xobj).as_pil_image()


def _encode(pil, *, jpeg: bool) -> tuple[bytes, pikepdf.Name]:
    if jpeg:
        out = io.BytesIO()
        pil.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
        return out.getvalue(), pikepdf.Name.DCTDecode
    return zlib.compress(pil.tobytes(), 9), pikepdf.Name.FlateDecode


def _resample_mask(xobj, size) -> None:
    from PIL import Image
    smask = xobj.get("/SMask")
    if smask is None:
        return
    alpha = pikepdf.PdfImage(smask).as_pil_image().convert("L").resize(size, Image.LANCZOS)
    smask.write(zlib.compress(alpha.tobytes(), 9), filter=pikepdf.Name.FlateDecode)
    smask.Width, smask.Height = size
    smask.BitsPerComponent = 8
    for key in ("/DecodeParms", "/Decode"):
        if key in smask:
            del smask[key]
