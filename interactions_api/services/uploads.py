"""Images uploaded with a submission: checked by content, capped, re-encoded, EXIF gone.

The file name and the declared type are never trusted: Pillow decides what the bytes are,
only JPEG, PNG, GIF and WebP are accepted (SVG can carry scripts and is refused), the
size and pixel count are capped before decoding, and the image is re-encoded from its
pixels, so EXIF (GPS positions, camera serials) and anything appended to the file are
dropped. Stored names are content hashes: no path ever comes from the uploader.
"""

from __future__ import annotations

import hashlib
import io
import re
import warnings
from pathlib import Path
from typing import Any

from PIL import Image, ImageOps, UnidentifiedImageError
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from interactions_api.config import Settings
from interactions_api.errors import Forbidden, NotFound, PayloadTooLarge, Unprocessable
from interactions_api.models.inbox import Submission, SubmissionImage
from interactions_api.models.user import User
from interactions_api.services import cpu
from interactions_api.services.postfile import image_dir

FORMATS = {"JPEG": "jpg", "PNG": "png", "GIF": "png", "WEBP": "webp"}  # GIF -> PNG frame
SAVE_OPTIONS: dict[str, dict[str, Any]] = {
    "jpg": {"quality": 88, "optimize": True},
    "png": {"optimize": True},
    "webp": {"quality": 85},
}
STORED_NAME = re.compile(r"^[0-9a-f]{16}\.(jpg|png|webp)$")


def uploads_dir(settings: Settings, submission_id: int) -> Path:
    """Where a submission's images wait until its approval commits them."""
    return settings.data_dir / "inbox-uploads" / str(int(submission_id))


def clean_image(settings: Settings, data: bytes, *, filename: str = "upload") -> tuple[bytes, str]:
    """The re-encoded image and its extension; raises with a message naming the file."""
    if len(data) > settings.inbox_image_max_bytes:
        raise PayloadTooLarge(
            f"{filename}: the image is larger than {settings.inbox_image_max_bytes} bytes.",
            code="image_too_large",
        )
    if data.lstrip()[:5].lower() in (b"<?xml", b"<svg ") or b"<svg" in data[:1024].lower():
        raise Unprocessable(f"{filename}: SVG images are not accepted.", code="image_refused")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            width, height = image.size
            if width * height > settings.inbox_image_max_pixels:
                raise Unprocessable(
                    f"{filename}: {width}x{height} is more than "
                    f"{settings.inbox_image_max_pixels} pixels.",
                    code="image_too_large",
                )
            fmt = image.format or ""
            if fmt not in FORMATS:
                raise Unprocessable(
                    f"{filename}: {fmt or 'this'} images are not accepted; "
                    "use JPEG, PNG, GIF or WebP.",
                    code="image_refused",
                )
            image.load()
    except (
        UnidentifiedImageError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
        OSError,
        SyntaxError,
    ) as exc:
        raise Unprocessable(
            f"{filename}: not a readable JPEG, PNG, GIF or WebP image.", code="image_refused"
        ) from exc
    ext = FORMATS[fmt]
    pixels: Image.Image = ImageOps.exif_transpose(image)  # keep the photo upright once EXIF is gone
    if ext == "jpg" and pixels.mode not in ("RGB", "L"):
        pixels = pixels.convert("RGB")
    if ext == "png" and pixels.mode not in ("RGB", "RGBA", "L", "LA", "P"):
        pixels = pixels.convert("RGBA")
    out = io.BytesIO()
    # Saved without exif=/icc_profile=/pnginfo=: no metadata is carried over.
    options: dict[str, Any] = SAVE_OPTIONS[ext]
    pixels.save(out, format={"jpg": "JPEG", "png": "PNG", "webp": "WEBP"}[ext], **options)
    return out.getvalue(), ext


def store_image(settings: Settings, sub: Submission, data: bytes, *, filename: str) -> str:
    """Check and keep an image for a submission; returns its stored name.

    Decoding and re-encoding take seconds for a large image: call this off the event loop.
    """
    assert sub.id is not None
    clean, ext = cpu.gate("image uploads").run(clean_image, settings, data, filename=filename)
    name = f"{hashlib.sha256(clean).hexdigest()[:16]}.{ext}"
    folder = uploads_dir(settings, sub.id)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(clean)
    return name


def add_image(
    db: Session, settings: Settings, sub: Submission, user: User, data: bytes, *, filename: str
) -> str:
    """The author's upload, kept with the submission (not a revision): every revision,
    present and future, may place it. Returns its stored name."""
    if sub.author_id != user.id:
        raise Forbidden("Only the author adds images.", code="not_author")
    assert sub.id is not None
    name = store_image(settings, sub, data, filename=filename)
    if name in submission_images(db, sub):
        return name
    try:
        with db.begin_nested():  # the same image uploaded twice at once: one row
            db.add(SubmissionImage(submission_id=sub.id, name=name, uploaded_by=user.id))
    except IntegrityError:
        pass
    return name


def submission_images(db: Session, sub: Submission) -> list[str]:
    """The stored names of the submission's images, in upload order."""
    return list(
        db.exec(
            select(SubmissionImage.name)
            .where(SubmissionImage.submission_id == sub.id)
            .order_by(col(SubmissionImage.id))
        ).all()
    )


def image_files(db: Session, settings: Settings, sub: Submission) -> dict[str, bytes | None]:
    """Every image of the submission as content-repository files."""
    assert sub.id is not None
    files: dict[str, bytes | None] = {}
    for name in submission_images(db, sub):
        path = uploads_dir(settings, sub.id) / name
        if STORED_NAME.match(name) and path.is_file():
            files[f"{image_dir(sub.slug)}/{name}"] = path.read_bytes()
    return files


def waiting_image(db: Session, settings: Settings, sub: Submission, name: str) -> Path:
    """An image uploaded for the submission, shown in previews and reviews before it is
    published (until then the site has no copy); 404 for any other name."""
    assert sub.id is not None
    path = uploads_dir(settings, sub.id) / name
    if not STORED_NAME.match(name) or name not in submission_images(db, sub) or not path.is_file():
        raise NotFound(f"The submission has no image {name!r}.", code="image_not_found")
    return path
