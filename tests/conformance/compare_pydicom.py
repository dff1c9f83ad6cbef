#!/usr/bin/env python3
"""Conformance check: `lightbox decode` against pydicom on public DICOM test files.

Why: Lightbox is judged on real-world files from public DICOM test suites, and
pydicom (with the pylibjpeg plugins) is the most widely used open reference
decoder. This script decodes every frame (the first few of each file) with both
and reports where they disagree. It never decides pass/fail itself: it always
exits 0 unless the harness crashes; `tests/conformance.rs` reads the --json
report and decides.

Usage:
    python compare_pydicom.py --lightbox PATH_TO_BINARY [--files DIR_OR_FILE ...]
                              [--max-frames N] [--json]

Files compared by default: everything that the installed pip packages ship,
and nothing that needs the network at run time:
  * `pydicom/data/test_files/**` inside the installed pydicom package;
  * every installed pydicom external data source (the `pydicom-data` package
    registers one; its wheel ships the files that pydicom would otherwise
    download from GitHub on demand).
We deliberately do NOT call `pydicom.data.get_testdata_files()`: it also tries
to download the files of `pydicom/data/urls.json` that are not installed.

What is compared, per (file, frame):
  * greyscale (MONOCHROME1/2): MODALITY values. pydicom's decoded stored values
    through `apply_modality_lut` (Modality LUT Sequence, or Rescale Slope and
    Intercept). For enhanced multi-frame objects, whose rescale lives in the
    Per-frame / Shared Functional Groups (Pixel Value Transformation Sequence),
    which `apply_modality_lut` ignores, the harness applies that frame's
    slope/intercept itself (noted on the result). Both sides are compared as
    float32, as `lightbox decode` writes them.
  * PALETTE COLOR: pydicom's `apply_color_lut`, first three channels, brought
    to 8 bits the way Lightbox's NPY contract says (16-bit LUT entries keep
    their high byte: v >> 8).
  * other colour (RGB, YBR_*): pydicom's default output (`as_rgb=True`, which
    converts YBR_FULL and YBR_FULL_422 to RGB; the JPEG 2000 plugins undo
    YBR_ICT/YBR_RCT themselves), brought to 8 bits as Lightbox's contract says:
    samples with Bits Stored > 8 are shifted right by (Bits Stored - 8).

Classification:
  match           equal within the tolerance of the transfer syntax:
                  exact for lossless syntaxes and native data;
                  JPEG baseline/extended (lossy DCT): max |diff| <= 3 levels
                  (stored units, times |Rescale Slope| for greyscale), because
                  libjpeg's IDCT and ours may round differently;
                  lossy JPEG 2000 / HTJ2K (1.2.840.10008.1.2.4.91, .4.203):
                  max |diff| <= 2 levels, because the irreversible 9/7 wavelet
                  is computed in floating point and implementations round it
                  differently;
                  JPEG-LS near-lossless (.4.81): EXACT, on purpose. T.87 makes
                  the decoder's reconstruction normative (the NEAR bound is
                  between the original and the reconstruction, not between two
                  decoders), so any difference is a decoder bug.
  mismatch        both decoded but the values or shapes differ (max diff,
                  fraction of differing pixels, shapes and hints are reported)
  lightbox-error  pydicom decoded the frame, `lightbox decode` failed
  pydicom-error   pydicom cannot decode the frame (no reference: skipped, not
                  counted against Lightbox)
  both-error      neither could decode it
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import subprocess
import sys
import tempfile
import time
import traceback
import warnings
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import pydicom
from pydicom.data.data_manager import DATA_ROOT, external_data_sources

try:  # pydicom >= 3
    from pydicom.pixels import apply_color_lut, apply_modality_lut, convert_color_space
    from pydicom.pixels import get_decoder
    from pydicom.pixels.utils import as_pixel_options
except ImportError:  # pragma: no cover - pydicom 2.x
    from pydicom.pixel_data_handlers.util import (  # type: ignore[no-redef]
        apply_color_lut,
        apply_modality_lut,
        convert_color_space,
    )

    get_decoder = None  # type: ignore[assignment]
    as_pixel_options = None  # type: ignore[assignment]

# Transfer syntax UIDs.
JPEG_BASELINE = "1.2.840.10008.1.2.4.50"
JPEG_EXTENDED = "1.2.840.10008.1.2.4.51"
JPEG2000_LOSSY = "1.2.840.10008.1.2.4.91"
HTJ2K_LOSSY = "1.2.840.10008.1.2.4.203"
JPEGLS_NEAR = "1.2.840.10008.1.2.4.81"

# Data elements that hold pixel data.
PIXEL_TAGS = (0x7FE00010, 0x7FE00008, 0x7FE00009)  # Pixel Data, Float, Double Float

STATUSES = ("match", "mismatch", "lightbox-error", "pydicom-error", "both-error")

# Seconds one `lightbox decode` may take before it counts as an error.
LIGHTBOX_TIMEOUT_S = 120


def tolerance_for(ts: str) -> tuple[float, str]:
    """Allowed max |difference| in stored units for a transfer syntax, and why."""
    if ts in (JPEG_BASELINE, JPEG_EXTENDED):
        return 3.0, "lossy JPEG DCT: IDCT rounding differs between decoders (<= 3)"
    if ts in (JPEG2000_LOSSY, HTJ2K_LOSSY):
        return 2.0, "lossy JPEG 2000: floating-point 9/7 wavelet rounding (<= 2)"
    if ts == JPEGLS_NEAR:
        return 0.0, "JPEG-LS near-lossless: reconstruction is normative, exact"
    return 0.0, "exact"


def ts_name(ts: str) -> str:
    """Short readable name of a transfer syntax UID."""
    try:
        return pydicom.uid.UID(ts).name
    except Exception:  # noqa: BLE001
        return ts


def plugin_versions() -> dict[str, str]:
    """Versions of the packages that decide pydicom's output (for the report)."""
    out = {}
    for pkg in (
        "pydicom",
        "numpy",
        "pylibjpeg",
        "pylibjpeg-libjpeg",
        "pylibjpeg-openjpeg",
        "pylibjpeg-rle",
        "pydicom-data",
        "pyjpegls",
        "pillow",
    ):
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            pass
    return out


# ----------------------------------------------------------------------------
# Finding files


def default_sources() -> list[tuple[str, Path, list[Path]]]:
    """(label, root, files) for pydicom's bundled files and installed external sources."""
    sources = []
    root = Path(DATA_ROOT) / "test_files"
    files = sorted(p for p in root.rglob("*") if p.is_file())
    sources.append(("pydicom", root, files))
    for label, src in external_data_sources().items():
        try:
            paths = [Path(p) for p in src.get_paths("**/*", 0)]
        except Exception:  # noqa: BLE001
            continue
        paths = sorted(p for p in paths if p.is_file())
        if not paths:
            continue
        ext_root = Path(os.path.commonpath([str(p.parent) for p in paths]))
        sources.append((label, ext_root, paths))
    return sources


def dir_sources(items: list[str]) -> list[tuple[str, Path, list[Path]]]:
    """(label, root, files) for directories (walked recursively) or single files given by --files."""
    sources = []
    for item in items:
        p = Path(item).resolve()
        if p.is_dir():
            files = sorted(f for f in p.rglob("*") if f.is_file())
            sources.append((p.name, p, files))
        elif p.is_file():
            sources.append((p.parent.name, p.parent, [p]))
        else:
            print(f"warning: {item} does not exist", file=sys.stderr)
    return sources


# ----------------------------------------------------------------------------
# pydicom side


def number_of_frames(ds: pydicom.Dataset) -> int:
    """Number of Frames as pydicom reads it (missing, empty or invalid: 1)."""
    try:
        n = int(ds.get("NumberOfFrames", 1) or 1)
    except (TypeError, ValueError):
        n = 1
    return max(n, 1)


def functional_group_rescale(ds: pydicom.Dataset, index: int) -> tuple[float, float] | None:
    """Rescale slope/intercept of frame `index` from the functional groups, if any.

    Per-frame first, then shared (PS3.3 C.7.6.16.2.9). None when neither has one.
    """
    scopes = []
    per_frame = ds.get("PerFrameFunctionalGroupsSequence")
    if per_frame is not None and index < len(per_frame):
        scopes.append(per_frame[index])
    shared = ds.get("SharedFunctionalGroupsSequence")
    if shared:
        scopes.append(shared[0])
    for scope in scopes:
        pvt = scope.get("PixelValueTransformationSequence")
        if pvt:
            item = pvt[0]
            if "RescaleSlope" in item or "RescaleIntercept" in item:
                slope = float(item.get("RescaleSlope", 1.0) or 1.0)
                intercept = float(item.get("RescaleIntercept", 0.0) or 0.0)
                return slope, intercept
    return None


def modality_values(arr: np.ndarray, ds: pydicom.Dataset, index: int, notes: list[str]) -> tuple[np.ndarray, float]:
    """Modality values (float32) of stored values `arr`, and |slope| for tolerances."""
    if ds.get("ModalityLUTSequence"):
        notes.append("Modality LUT Sequence applied")
        return np.asarray(apply_modality_lut(arr, ds), dtype=np.float64).astype(np.float32), 1.0
    if "RescaleSlope" not in ds and "RescaleIntercept" not in ds:
        fg = functional_group_rescale(ds, index)
        if fg is not None:
            slope, intercept = fg
            notes.append(f"rescale from functional groups (harness): slope {slope}, intercept {intercept}")
            out = arr.astype(np.float64) * slope + intercept
            return out.astype(np.float32), abs(slope)
    out = apply_modality_lut(arr, ds)
    slope = abs(float(ds.get("RescaleSlope", 1.0) or 1.0)) if "RescaleIntercept" in ds else 1.0
    return np.asarray(out, dtype=np.float64).astype(np.float32), slope


def to_8bit(arr: np.ndarray, bits_stored: int) -> np.ndarray:
    """Colour samples to 8 bits as Lightbox's NPY contract says: >> (Bits Stored - 8), clamped."""
    a = arr.astype(np.int64)
    shift = max(bits_stored - 8, 0)
    return np.clip(np.maximum(a, 0) >> shift, 0, 255).astype(np.uint8)


def palette_to_8bit(rgb: np.ndarray, ds: pydicom.Dataset) -> np.ndarray:
    """pydicom's palette output (8 or 16 bits per entry) as 8-bit RGB (16-bit: high byte)."""
    depth = int(ds.RedPaletteColorLookupTableDescriptor[2])
    a = rgb[..., :3].astype(np.uint32)
    if depth == 16:
        a = a >> 8
    return np.clip(a, 0, 255).astype(np.uint8)


def ensure_transfer_syntax(ds: pydicom.Dataset, notes: list[str]) -> str:
    """The dataset's transfer syntax; for files without one, the encoding pydicom read it with."""
    meta = getattr(ds, "file_meta", None)
    ts = meta.get("TransferSyntaxUID") if meta is not None else None
    if ts:
        return str(ts)
    implicit, little = ds.original_encoding
    if little is None:
        raise ValueError("no Transfer Syntax UID and unknown encoding")
    if implicit:
        ts = pydicom.uid.ImplicitVRLittleEndian
    elif little:
        ts = pydicom.uid.ExplicitVRLittleEndian
    else:
        ts = pydicom.uid.ExplicitVRBigEndian
    if meta is None:
        ds.file_meta = pydicom.dataset.FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = ts
    notes.append(f"no Transfer Syntax UID in file meta; harness set {ts.name} from the encoding")
    return str(ts)


def primary_plugin(ts: str) -> str:
    """The decoding plugin the reference uses first: pylibjpeg where it can decode `ts`.

    Pinned on purpose: with Pillow installed pydicom would otherwise prefer it for
    JPEG and JPEG 2000, and the reference would change with what happens to be installed.
    """
    if get_decoder is None:
        return ""
    try:
        plugins = get_decoder(ts).available_plugins
    except Exception:  # noqa: BLE001
        return ""
    return "pylibjpeg" if "pylibjpeg" in plugins else ""


def other_plugins(ts: str, used: str) -> list[str]:
    """Decoding plugins for `ts` other than `used`, for a second opinion on a mismatch."""
    if get_decoder is None:
        return []
    try:
        return [p for p in get_decoder(ts).available_plugins if p != used]
    except Exception:  # noqa: BLE001
        return []


def pydicom_decode(ds: pydicom.Dataset, index: int, ts: str, plugin: str) -> tuple[np.ndarray, str]:
    """Decoded frame `index` as pydicom returns it by default (as_rgb), and its final photometric."""
    if get_decoder is not None:
        decoder = get_decoder(ts)
        arr, props = decoder.as_array(
            ds, index=index, validate=True, raw=False, decoding_plugin=plugin, **as_pixel_options(ds)
        )
        pi = str(props.get("photometric_interpretation", ds.get("PhotometricInterpretation", "")))
        return arr, pi
    full = ds.pixel_array  # pragma: no cover - pydicom 2.x
    arr = full[index] if number_of_frames(ds) > 1 else full
    return arr, str(ds.get("PhotometricInterpretation", ""))


def palette_dataset(ds: pydicom.Dataset, notes: list[str]) -> pydicom.Dataset:
    """`ds`, or a copy whose big-endian OW palette LUT data is byte-swapped to little endian.

    pydicom 3.0's `apply_color_lut` reads (non-segmented) Palette Color LUT Data with
    `np.frombuffer(..., uint16)`, i.e. in the machine's (little-endian) order, even
    when the data set is Explicit VR Big Endian; only segmented LUTs honour the
    encoding. PS3.5 says OW values of a big-endian data set are big-endian words,
    so the harness swaps them first.
    """
    little = ds.original_encoding[1]
    kws = [f"{c}PaletteColorLookupTableData" for c in ("Red", "Green", "Blue", "Alpha")]
    if little is not False or not any(k in ds and ds[k].VR in ("OW", "US or OW") for k in kws):
        return ds
    # A new data set with the group 0028 elements (pydicom.Dataset(ds) would share ds's dict).
    out = pydicom.Dataset()
    for elem in ds.group_dataset(0x0028):
        out.add(elem)
    out.file_meta = ds.file_meta
    out.set_original_encoding(*ds.original_encoding)
    for k in kws:
        if k in ds and ds[k].VR in ("OW", "US or OW"):
            out[k] = pydicom.DataElement(ds[k].tag, "OW", np.frombuffer(ds[k].value, ">u2").astype("<u2").tobytes())
    notes.append("harness byte-swapped big-endian OW palette LUT data (pydicom 3.0 apply_color_lut reads it as little endian)")
    return out


def reference(
    ds: pydicom.Dataset, index: int, ts: str, notes: list[str], plugin: str
) -> tuple[np.ndarray, float, np.ndarray | None]:
    """(expected lightbox output, tolerance scale, decoded samples before the LUTs) for frame `index`."""
    pi_header = str(ds.get("PhotometricInterpretation", "")).strip()
    arr, pi = pydicom_decode(ds, index, ts, plugin)
    if pi != pi_header:
        notes.append(f"pydicom photometric {pi_header} -> {pi}")
    if pi_header in ("MONOCHROME1", "MONOCHROME2") or (not pi_header and arr.ndim == 2):
        values, scale = modality_values(arr, ds, index, notes)
        return values, scale, arr
    if pi_header == "PALETTE COLOR":
        return palette_to_8bit(apply_color_lut(arr, palette_dataset(ds, notes)), ds), 1.0, arr
    if pi in ("YBR_FULL", "YBR_FULL_422"):
        arr = convert_color_space(arr, pi, "RGB")
        notes.append(f"harness converted {pi} to RGB")
    bits_stored = int(ds.get("BitsStored", ds.get("BitsAllocated", 8)) or 8)
    if bits_stored > 8:
        notes.append(f"reference >> {bits_stored - 8} to 8 bits")
    return to_8bit(arr, bits_stored), 1.0, arr


# ----------------------------------------------------------------------------
# lightbox side


def lightbox_decode(binary: str, path: Path, index: int, tmpdir: str) -> tuple[np.ndarray | None, str | None]:
    """(array, None) from `lightbox decode`, or (None, error text)."""
    out = Path(tmpdir) / f"frame{index}.npy"
    if out.exists():
        out.unlink()
    cmd = [binary, "decode", str(path), "--frame", str(index), "--out", str(out)]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=LIGHTBOX_TIMEOUT_S, check=False)
    except subprocess.TimeoutExpired:
        return None, f"timed out after {LIGHTBOX_TIMEOUT_S} s"
    if proc.returncode != 0:
        err = (proc.stderr or proc.stdout).strip().splitlines()
        msg = " | ".join(err[-3:]) if err else ""
        # anyhow prints "error: <path>: <cause>"; the path is in the report already.
        msg = msg.replace(f"error: {path}: ", "")
        return None, f"exit {proc.returncode}: {msg}"
    try:
        return np.load(out), None
    except Exception as e:  # noqa: BLE001
        return None, f"unreadable NPY output: {e}"


# ----------------------------------------------------------------------------
# Comparing


def hints(ref: np.ndarray, got: np.ndarray, raw: np.ndarray | None, colour: bool) -> list[str]:
    """Cheap guesses at what went wrong, for the report."""
    out: list[str] = []
    if ref.shape != got.shape:
        if ref.size == got.size:
            out.append("same number of values, different shape")
        return out
    r = ref.astype(np.float64)
    g = got.astype(np.float64)
    finite = np.isfinite(r) & np.isfinite(g)
    d = (g - r)[finite]
    if d.size and np.all(d == d[0]):
        out.append(f"constant offset: lightbox = pydicom {d[0]:+g}")
    if d.size and np.count_nonzero(r[finite]) and np.all(r[finite] != 0):
        ratio = (g[finite] / r[finite])
        if np.allclose(ratio, ratio.flat[0]):
            out.append(f"constant ratio: lightbox = pydicom x {ratio.flat[0]:g}")
    if not colour and raw is not None and raw.shape == got.shape:
        if np.array_equal(raw.astype(np.float32), got):
            out.append("lightbox equals the stored values: modality transform not applied (or applied by pydicom only)")
        else:
            for dt in (np.uint16, np.int16, np.uint32, np.int32):
                try:
                    sw = raw.astype(dt).byteswap().astype(np.float32)
                except (OverflowError, ValueError):
                    continue
                if np.array_equal(sw, got):
                    out.append(f"lightbox equals byte-swapped stored values ({np.dtype(dt).name})")
                    break
    if colour and ref.ndim == 3 and ref.shape[-1] == 3:
        if np.array_equal(ref[..., ::-1], got):
            out.append("colour channels reversed (BGR)")
        for name, perm in (("R<->G", [1, 0, 2]), ("G<->B", [0, 2, 1])):
            if np.array_equal(ref[..., perm], got):
                out.append(f"colour channels swapped {name}")
        try:
            ybr = convert_color_space(ref, "RGB", "YBR_FULL")
            if np.abs(ybr.astype(np.int32) - got.astype(np.int32)).max() <= 2:
                out.append("lightbox looks like YCbCr: colour conversion missing")
        except Exception:  # noqa: BLE001
            pass
        try:
            twice = convert_color_space(ref, "YBR_FULL", "RGB")
            if np.abs(twice.astype(np.int32) - got.astype(np.int32)).max() <= 2:
                out.append("lightbox looks like pydicom converted YCbCr->RGB once more: converted twice / wrongly")
        except Exception:  # noqa: BLE001
            pass
        if raw is not None and raw.shape == got.shape and np.array_equal(raw, got):
            out.append("lightbox equals pydicom's raw decoded samples (no colour processing)")
    if not colour:
        rr = r[finite]
        if rr.size:
            out.append(f"pydicom range [{rr.min():g}, {rr.max():g}], lightbox range [{g[finite].min():g}, {g[finite].max():g}]")
    return out


def compare(ref: np.ndarray, got: np.ndarray, tol: float) -> dict[str, Any]:
    """Max |diff|, differing fraction, first differing index; `ok` within tolerance."""
    res: dict[str, Any] = {"shape_pydicom": list(ref.shape), "shape_lightbox": list(got.shape)}
    if ref.shape != got.shape:
        res["ok"] = False
        res["reason"] = f"shape {tuple(got.shape)} vs pydicom {tuple(ref.shape)}"
        return res
    r = ref.astype(np.float64)
    g = got.astype(np.float64)
    nan_mismatch = np.isnan(r) != np.isnan(g)
    both = ~np.isnan(r) & ~np.isnan(g)
    diff = np.zeros(r.shape)
    diff[both] = np.abs(r[both] - g[both])
    diff[nan_mismatch] = np.inf
    max_diff = float(diff.max()) if diff.size else 0.0
    bad = diff > tol
    res["max_diff"] = max_diff
    res["differing_fraction"] = float(np.count_nonzero(diff > 0) / diff.size) if diff.size else 0.0
    res["beyond_tolerance_fraction"] = float(np.count_nonzero(bad) / diff.size) if diff.size else 0.0
    if np.any(bad):
        idx = tuple(int(i) for i in np.argwhere(bad)[0])
        res["first_bad_index"] = list(idx)
        res["first_bad_values"] = {"pydicom": float(r[idx]), "lightbox": float(g[idx])}
    res["ok"] = not bool(np.any(bad))
    return res


def header_info(ds: pydicom.Dataset, ts: str | None) -> dict[str, Any]:
    """The Image Pixel attributes that matter for diagnosis."""

    def get(kw: str) -> Any:
        v = ds.get(kw)
        if v is None:
            return None
        try:
            return int(v)
        except (TypeError, ValueError):
            return str(v)

    return {
        "transfer_syntax": ts,
        "transfer_syntax_name": ts_name(ts) if ts else None,
        "photometric": str(ds.get("PhotometricInterpretation", "")).strip() or None,
        "samples_per_pixel": get("SamplesPerPixel"),
        "bits_allocated": get("BitsAllocated"),
        "bits_stored": get("BitsStored"),
        "high_bit": get("HighBit"),
        "pixel_representation": get("PixelRepresentation"),
        "planar_configuration": get("PlanarConfiguration"),
        "number_of_frames": str(ds.get("NumberOfFrames")) if "NumberOfFrames" in ds else None,
        "rows": get("Rows"),
        "columns": get("Columns"),
        "float_pixel_data": "FloatPixelData" in ds or "DoubleFloatPixelData" in ds,
    }


def error_text(e: BaseException) -> str:
    """An exception as one line (pydicom lists each plugin's failure on its own line)."""
    text = " ".join(line.strip() for line in str(e).splitlines() if line.strip())
    return f"{type(e).__name__}: {text}"[:400]


def reference_with_fallback(
    ds: pydicom.Dataset, index: int, ts: str | None, primary: str, notes: list[str]
) -> tuple[np.ndarray | None, float, np.ndarray | None, str | None, str]:
    """The reference from the primary plugin, else from any plugin pydicom has.

    Returns (reference, tolerance scale, decoded samples, error, plugin used).
    """
    if ts is None:
        return None, 1.0, None, "no transfer syntax", ""
    attempts = [primary, ""] if primary else [""]
    errors = []
    for plugin in attempts:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                ref, scale, raw = reference(ds, index, ts, notes, plugin)
            except Exception as e:  # noqa: BLE001
                errors.append(error_text(e))
                continue
            finally:
                for w in caught:
                    msg = str(w.message).replace("\n", " ")[:200]
                    if msg and msg not in notes:
                        notes.append(msg)
        if plugin != primary:
            notes.append(f"plugin {primary!r} failed ({errors[0]}); reference from pydicom's other plugins")
        return ref, scale, raw, None, plugin or ("any" if primary else "")
    return None, 1.0, None, errors[-1], primary


def second_opinion(
    ds: pydicom.Dataset, index: int, ts: str, used: str, got: np.ndarray, tol: float
) -> dict[str, dict[str, Any]]:
    """Compare `got` with pydicom's output from each other plugin for `ts`."""
    out: dict[str, dict[str, Any]] = {}
    for plugin in other_plugins(ts, used):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                alt, _, _ = reference(ds, index, ts, [], plugin)
            except Exception as e:  # noqa: BLE001
                out[plugin] = {"error": error_text(e)}
                continue
        cmp = compare(alt, got, tol)
        out[plugin] = {"ok": cmp["ok"], "max_diff": cmp.get("max_diff", float("inf"))}
    return out


def check_file(binary: str, name: str, path: Path, max_frames: int, tmpdir: str) -> tuple[list[dict[str, Any]], str | None]:
    """Results for the first `max_frames` frames of one file, or ([], why it was skipped)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ds = pydicom.dcmread(str(path), force=True)
    except Exception as e:  # noqa: BLE001
        return [], f"pydicom cannot parse it: {type(e).__name__}"
    if not any(t in ds for t in PIXEL_TAGS):
        return [], "no pixel data"
    notes_file: list[str] = []
    try:
        ts: str | None = ensure_transfer_syntax(ds, notes_file)
    except Exception as e:  # noqa: BLE001
        ts = None
        notes_file.append(f"no transfer syntax: {e}")
    info = header_info(ds, ts)
    total = number_of_frames(ds)
    results = []
    primary = primary_plugin(ts) if ts else ""
    for index in range(min(total, max_frames)):
        notes = list(notes_file)
        res: dict[str, Any] = {"name": name, "path": str(path), "frame": index, "frames_total": total, **info}
        ref, scale, raw, py_err, plugin = reference_with_fallback(ds, index, ts, primary, notes)
        res["pydicom_plugin"] = plugin or "native"
        got, lb_err = lightbox_decode(binary, path, index, tmpdir)
        tol_levels, tol_why = tolerance_for(ts or "")
        res["notes"] = notes
        if py_err and lb_err:
            res.update(status="both-error", pydicom_error=py_err, lightbox_error=lb_err)
        elif py_err:
            res.update(status="pydicom-error", pydicom_error=py_err)
        elif lb_err:
            res.update(status="lightbox-error", lightbox_error=lb_err)
        else:
            assert ref is not None and got is not None and ts is not None
            tol = tol_levels * scale
            cmp = compare(ref, got, tol)
            res.update(cmp)
            res["tolerance"] = tol
            res["tolerance_reason"] = tol_why
            res["dtype_pydicom"] = str(ref.dtype)
            res["dtype_lightbox"] = str(got.dtype)
            if not cmp["ok"]:
                # A second opinion: another pydicom plugin (e.g. Pillow's libjpeg-turbo,
                # whose chroma upsampling is IJG's, unlike pylibjpeg-libjpeg's).
                alt = second_opinion(ds, index, ts, plugin, got, tol)
                if alt:
                    res["other_plugins"] = alt
                    agreeing = [p for p, v in alt.items() if v.get("ok")]
                    if agreeing:
                        res["ok"] = True
                        notes.append(
                            f"within tolerance of pydicom with plugin {agreeing[0]!r} "
                            f"(max diff {alt[agreeing[0]]['max_diff']:g}); plugin {plugin!r} differs by {cmp['max_diff']:g}"
                        )
            if res["ok"]:
                res["status"] = "match"
            else:
                res["status"] = "mismatch"
                res["hints"] = hints(ref, got, raw, colour=ref.ndim == 3)
            del res["ok"]
        results.append(res)
    return results, None


# ----------------------------------------------------------------------------
# Report


def detail(r: dict[str, Any]) -> str:
    """One-line detail for the table."""
    s = r["status"]
    if s == "match":
        md = r.get("max_diff", 0.0)
        agreeing = [p for p, v in r.get("other_plugins", {}).items() if v.get("ok")]
        if agreeing:
            p = agreeing[0]
            return (
                f"max diff {r['other_plugins'][p]['max_diff']:g} vs plugin {p} "
                f"({md:g} vs {r['pydicom_plugin']}; tolerance {r['tolerance']:g})"
            )
        return "" if md == 0 else f"max diff {md:g} (tolerance {r['tolerance']:g})"
    if s == "mismatch":
        if "reason" in r:
            return r["reason"]
        parts = [
            f"max diff {r['max_diff']:g}",
            f"{100 * r['beyond_tolerance_fraction']:.2f}% px beyond tol {r['tolerance']:g}",
        ]
        if "first_bad_values" in r:
            fb = r["first_bad_values"]
            parts.append(f"at {tuple(r['first_bad_index'])}: pydicom {fb['pydicom']:g} vs lightbox {fb['lightbox']:g}")
        parts += r.get("hints", [])[:2]
        return "; ".join(parts)
    if s == "lightbox-error":
        return r["lightbox_error"]
    if s == "pydicom-error":
        return r["pydicom_error"]
    return f"pydicom: {r['pydicom_error']} / lightbox: {r['lightbox_error']}"


def print_table(results: list[dict[str, Any]], out: Any) -> None:
    """Human-readable table of every compared frame."""
    print(f"{'status':<15} {'file':<58} {'fr':>3} {'syntax':<34} {'photometric':<14} {'BA/BS/PR/SPP/PC':<16} detail", file=out)
    for r in results:
        bits = "/".join(
            "-" if r.get(k) is None else str(r.get(k))
            for k in ("bits_allocated", "bits_stored", "pixel_representation", "samples_per_pixel", "planar_configuration")
        )
        syntax = (r.get("transfer_syntax_name") or "?")[:34]
        print(
            f"{r['status']:<15} {r['name'][:58]:<58} {r['frame']:>3} {syntax:<34} {str(r.get('photometric'))[:14]:<14} {bits:<16} {detail(r)}",
            file=out,
        )


def summarize(results: list[dict[str, Any]], skipped: list[dict[str, str]]) -> dict[str, Any]:
    """Counts per status, frames and files."""
    frames = {s: 0 for s in STATUSES}
    for r in results:
        frames[r["status"]] += 1
    files: dict[str, set[str]] = {s: set() for s in STATUSES}
    for r in results:
        files[r["status"]].add(r["name"])
    failing = sorted(files["mismatch"] | files["lightbox-error"])
    return {
        "frames": frames,
        "files_compared": len({r["name"] for r in results}),
        "files_skipped": len(skipped),
        "failing_files": failing,
    }


def json_safe(v: Any) -> Any:
    """`v` with non-finite floats as strings: strict JSON (serde_json) has no inf or NaN."""
    if isinstance(v, float) and not np.isfinite(v):
        return str(v)
    if isinstance(v, dict):
        return {k: json_safe(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [json_safe(x) for x in v]
    return v


def main() -> int:
    """Entry point: always 0 unless the harness itself crashes."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--lightbox", required=True, help="path to the lightbox binary")
    ap.add_argument("--files", nargs="+", action="extend", metavar="DIR", help="directories or files to compare instead of pydicom's test files")
    ap.add_argument("--max-frames", type=int, default=3, help="frames compared per file (default 3)")
    ap.add_argument("--json", action="store_true", help="print a JSON report on stdout (the table goes to stderr)")
    args = ap.parse_args()

    logging.getLogger("pydicom").setLevel(logging.CRITICAL)
    warnings.simplefilter("ignore")  # per-frame warnings are recorded as notes instead
    binary = str(Path(args.lightbox).resolve())
    if not os.access(binary, os.X_OK):
        print(f"error: {binary} is not an executable", file=sys.stderr)
        return 2

    sources = dir_sources(args.files) if args.files else default_sources()
    started = time.monotonic()
    results: list[dict[str, Any]] = []
    skipped: list[dict[str, str]] = []
    with tempfile.TemporaryDirectory(prefix="lightbox-conformance-") as tmpdir:
        for label, root, files in sources:
            for path in files:
                try:
                    rel = path.relative_to(root).as_posix()
                except ValueError:
                    rel = path.name
                name = f"{label}/{rel}"
                file_results, why = check_file(binary, name, path, args.max_frames, tmpdir)
                if why is not None:
                    skipped.append({"name": name, "reason": why})
                results.extend(file_results)

    summary = summarize(results, skipped)
    table_out = sys.stderr if args.json else sys.stdout
    print_table(results, table_out)
    f = summary["frames"]
    line = (
        f"conformance: {f['match']} match, {f['mismatch']} mismatch, {f['lightbox-error']} lightbox-error, "
        f"{f['pydicom-error']} pydicom-error, {f['both-error']} both-error "
        f"({summary['files_compared']} files compared, {summary['files_skipped']} skipped, "
        f"{len(summary['failing_files'])} failing; {time.monotonic() - started:.1f} s)"
    )
    print(line, file=table_out)
    if args.json:
        report = {
            "lightbox": binary,
            "python": sys.version.split()[0],
            "packages": plugin_versions(),
            "sources": [{"label": l, "root": str(r), "files": len(fs)} for l, r, fs in sources],
            "max_frames": args.max_frames,
            "summary": summary,
            "results": results,
            "skipped": skipped,
        }
        json.dump(json_safe(report), sys.stdout, indent=1, default=str, allow_nan=False)
        print()
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Exception:  # noqa: BLE001
        traceback.print_exc()
        sys.exit(3)
