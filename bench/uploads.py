"""Image uploads: CPU time per upload and how long the event loop stalls, before and after the
bounds in civiclab/proposals/attachments.py.

Run by hand from the project root (it needs no database and stores nothing):

    .venv/bin/python bench/uploads.py            # CPU time per upload, old way and new way
    .venv/bin/python bench/uploads.py --gevent   # also: the longest stall of a gevent loop meanwhile

"Old" is what attachments did before: decode every pixel (up to 40 MP) and encode with
optimize=True. "New" is check_upload's image work (`_image_check`): the header read against
UPLOAD_MAX_PIXELS, the image shrunk by a whole factor to fit IMAGE_MAX_SIDE (JPEG while
decoding), no optimize. With --gevent the process is monkey-patched as under `gunicorn -k gevent`, a greenlet ticks every
10 ms while five uploads are checked one after the other, and the longest gap between ticks is
what another visitor's request would have waited: the old way in the loop's own thread, the new
way through run_off_event_loop (gevent's threadpool).
"""
import sys

if "--gevent" in sys.argv:
    from gevent import monkey

    monkey.patch_all()

import io
import time
from pathlib import Path

from PIL import Image, ImageDraw, ImageOps

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from civiclab.core.blocking import run_off_event_loop
from civiclab.proposals import attachments

MAX_PIXELS = 24_000_000  # config.py's UPLOAD_MAX_PIXELS


def png(width, height):
    """A drawing with lines on a flat background: megapixels that compress to a few hundred KB."""
    image = Image.new("RGB", (width, height), (240, 240, 230))
    draw = ImageDraw.Draw(image)
    for x in range(0, width, 97):
        draw.line([(x, 0), (width - x, height)], fill=(x % 255, 80, 160), width=3)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def jpeg(width, height):
    image = Image.effect_noise((width // 8, height // 8), 60).convert("RGB").resize((width, height))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def old_way(data):
    """attachments before the bounds: verify, decode in full, re-encode with optimize=True."""
    with Image.open(io.BytesIO(data)) as image:
        image.verify()
        image_format, pixels = image.format, image.size[0] * image.size[1]
    if pixels > 40_000_000:
        return None
    out = io.BytesIO()
    with Image.open(io.BytesIO(data)) as image:
        image.load()
        image = ImageOps.exif_transpose(image)
        if image_format == "JPEG":
            image.save(out, "JPEG", quality=88, optimize=True)
        else:
            image.save(out, "PNG", optimize=True)
    return out.getvalue()


def new_way(data):
    return attachments._image_check(data, MAX_PIXELS, attachments.IMAGE_MAX_SIDE)


def cpu_seconds(function, data):
    started = time.process_time()
    function(data)
    return time.process_time() - started


def longest_stall(check, samples):
    """The longest gap between 10 ms ticks of a greenlet while `check` runs on every sample."""
    import gevent

    gaps, running = [], True

    def ticker():
        last = time.perf_counter()
        while running:
            gevent.sleep(0.01)
            now = time.perf_counter()
            gaps.append(now - last)
            last = now

    tick = gevent.spawn(ticker)
    gevent.sleep(0.05)
    started = time.perf_counter()
    for data in samples:
        check(data)
    elapsed = time.perf_counter() - started
    running = False
    tick.join()
    return f"{max(gaps):.2f} s (the five took {elapsed:.2f} s of wall time)"


def main():
    samples = {
        "PNG 40 MP (refused now)": png(7300, 5475),
        "PNG 24 MP": png(5656, 4242),
        "PNG 12 MP": png(4000, 3000),
        "JPEG 12 MP photo": jpeg(4000, 3000),
        "JPEG 3 MP photo": jpeg(2000, 1500),
    }
    print(f"{'image':26} {'size':>8} {'old CPU s':>10} {'new CPU s':>10}")
    for name, data in samples.items():
        old, new = cpu_seconds(old_way, data), cpu_seconds(new_way, data)
        print(f"{name:26} {len(data) // 1024:>6}KB {old:>10.2f} {new:>10.2f}")
    if "--gevent" in sys.argv:
        five = [samples["PNG 24 MP"]] * 5
        print("\nfive 24 MP PNGs, longest stall of the gevent loop:")
        print(f"  old way, in the loop:         {longest_stall(old_way, five)}")
        print(f"  new way, run_off_event_loop:  {longest_stall(lambda data: run_off_event_loop(new_way, data), five)}")


if __name__ == "__main__":
    main()
