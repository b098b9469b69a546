"""YUV 4:2:0 to RGB/BGR. What the capture process writes (docs/shm-format.md, "Colour"): limited range (Y 16..235,
U/V 16..240), the matrix of the source (BT.601 unless the camera signals otherwise; HD cameras often send BT.709).
OpenCV's cvtColor is used when it is installed, the matrix is BT.601 and the size is even (its I420/NV12 conversions
are BT.601 limited range, nearest-neighbour chroma, like the numpy code here)."""

import numpy as np

# (Y scale, V->R, U->G, V->G, U->B) for limited-range input
MATRICES = {
    "bt601": (255 / 219, 1.402 * 255 / 224, -0.344136 * 255 / 224, -0.714136 * 255 / 224, 1.772 * 255 / 224),
    "bt709": (255 / 219, 1.5748 * 255 / 224, -0.187324 * 255 / 224, -0.468124 * 255 / 224, 1.8556 * 255 / 224),
}

try:  # optional
    import cv2 as _cv2
except ImportError:  # pragma: no cover - depends on the machine
    _cv2 = None


def _upsample(plane, h, w):
    return np.repeat(np.repeat(plane, 2, axis=0), 2, axis=1)[:h, :w]


def yuv420_to_rgb(y, u, v, matrix="bt601", bgr=False):
    """Y (h, w), U and V (ceil(h/2), ceil(w/2)) uint8 planes -> (h, w, 3) uint8, RGB or BGR order."""
    try:
        ys, vr, ug, vg, ub = MATRICES[matrix]
    except KeyError:
        raise ValueError(f"unknown colour matrix {matrix!r}: use one of {sorted(MATRICES)}") from None
    h, w = y.shape
    yf = (y.astype(np.float32) - 16.0) * ys
    uf = _upsample(u, h, w).astype(np.float32) - 128.0
    vf = _upsample(v, h, w).astype(np.float32) - 128.0
    out = np.empty((h, w, 3), np.uint8)
    r, g, b = (2, 1, 0) if bgr else (0, 1, 2)
    out[..., r] = np.clip(yf + vr * vf + 0.5, 0, 255)
    out[..., g] = np.clip(yf + ug * uf + vg * vf + 0.5, 0, 255)
    out[..., b] = np.clip(yf + ub * uf + 0.5, 0, 255)
    return out


def convert(frame_format, data, width, height, order, matrix="bt601", use_cv2=True):
    """A (h, w, 3) uint8 image in `order` ("bgr" or "rgb") from a frame's flat payload."""
    bgr = order == "bgr"
    w, h = width, height
    if frame_format in ("BGR24", "RGB24"):
        img = data.reshape(h, w, 3)
        return img if frame_format[:3].lower() == order else img[..., ::-1]
    if frame_format == "GRAY8":
        return np.repeat(data.reshape(h, w)[..., None], 3, axis=2)
    cw, ch, n = (w + 1) // 2, (h + 1) // 2, w * h
    if use_cv2 and _cv2 is not None and matrix == "bt601" and w % 2 == 0 and h % 2 == 0:
        code = {("YUV420P", True): _cv2.COLOR_YUV2BGR_I420, ("YUV420P", False): _cv2.COLOR_YUV2RGB_I420,
                ("NV12", True): _cv2.COLOR_YUV2BGR_NV12, ("NV12", False): _cv2.COLOR_YUV2RGB_NV12}[frame_format, bgr]
        return _cv2.cvtColor(data.reshape(h * 3 // 2, w), code)
    y = data[:n].reshape(h, w)
    if frame_format == "YUV420P":
        u = data[n:n + cw * ch].reshape(ch, cw)
        v = data[n + cw * ch:].reshape(ch, cw)
    else:  # NV12
        uv = data[n:].reshape(ch, cw, 2)
        u, v = uv[..., 0], uv[..., 1]
    return yuv420_to_rgb(y, u, v, matrix, bgr)
