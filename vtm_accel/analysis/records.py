"""The per-picture list of a point record (``PointRecord.pictures``, docs/results-schema.md).

A point record is stored for every point of every run, so the list is compact and holds numbers
only: a header of field names and one row per picture, in output order::

    {"fields": ["poc", "coding_order", "nal_unit_type", "temporal_id", "qp", "bits",
                "psnr_y", "psnr_u", "psnr_v"],
     "rows": [[0, 0, 7, 0, 29, 81234, 41.2345, 43.1, 44.0], ...]}

``nal_unit_type`` is the H.266 value (Table 5: 7/8 IDR, 9 CRA, 0 TRAIL, ...), ``coding_order``
the picture's index in the bitstream, ``bits`` its whole access unit; PSNR (4 decimals) is null
when the decoded output did not have one frame per picture.

Public API: ``PICTURE_FIELDS``, ``pictures_record(pictures, per_frame_psnr=None)``,
``pictures_from_record(field)``.
"""

from __future__ import annotations

from vtm_accel.analysis.pictures import NAL_TYPES, PictureInfo, attach_psnr
from vtm_accel.core import HarnessError

PICTURE_FIELDS = (
    "poc",
    "coding_order",
    "nal_unit_type",
    "temporal_id",
    "qp",
    "bits",
    "psnr_y",
    "psnr_u",
    "psnr_v",
)
_NAL_CODES = {name: code for code, name in NAL_TYPES.items()}
_PSNR_DIGITS = 4  # 0.0001 dB: below any difference worth reading, a third of the digits


def pictures_record(
    pictures: list[PictureInfo], per_frame_psnr: list[tuple[float, float, float]] | None = None
) -> dict:
    """The record's ``pictures`` field for ``pictures`` (any order) and the per-frame PSNR of
    the decoded output (output order); PSNR stays null when the frame counts differ."""
    if per_frame_psnr is not None:
        try:
            pictures = attach_psnr(pictures, per_frame_psnr)
        except HarnessError:
            pass  # a short decode: the decodable check already fails the point
    rows = []
    for p in sorted(pictures, key=lambda p: (p.cvs, p.poc)):
        psnr = [round(x, _PSNR_DIGITS) for x in p.psnr] if p.psnr is not None else [None] * 3
        rows.append(
            [p.poc, p.decode_index, _NAL_CODES[p.nal_type], p.temporal_id, p.qp, p.bits, *psnr]
        )
    return {"fields": list(PICTURE_FIELDS), "rows": rows}


def pictures_from_record(field: object) -> list[PictureInfo] | None:
    """The pictures of a record's ``pictures`` field, in output order (``cvs`` counts the
    IDR pictures met so far); None when the field is absent or not of this shape."""
    if not isinstance(field, dict) or not isinstance(field.get("rows"), list):
        return None
    names = field.get("fields")
    if not isinstance(names, list) or not set(PICTURE_FIELDS) <= set(names):
        return None
    at = {name: names.index(name) for name in PICTURE_FIELDS}
    out: list[PictureInfo] = []
    cvs = -1
    for row in field["rows"]:
        v = {name: row[i] for name, i in at.items()}
        nal = NAL_TYPES.get(int(v["nal_unit_type"]), "TRAIL")
        if cvs < 0 or nal.startswith("IDR"):
            cvs += 1
        psnr = (v["psnr_y"], v["psnr_u"], v["psnr_v"])
        out.append(
            PictureInfo(
                decode_index=int(v["coding_order"]),
                poc=int(v["poc"]),
                cvs=cvs,
                nal_type=nal,
                temporal_id=int(v["temporal_id"]),
                qp=None if v["qp"] is None else int(v["qp"]),
                bits=int(v["bits"]),
                psnr=None if None in psnr else tuple(float(x) for x in psnr),  # type: ignore[arg-type]
            )
        )
    return out
