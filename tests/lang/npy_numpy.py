"""npy_numpy.py: Latent's .npy/.npz files against NumPy's own (Debian's python3-numpy).

    /usr/bin/python3 npy_numpy.py write DIR   NumPy writes arrays of every type Latent
                                              reads (both byte orders, versions 1-3,
                                              stored and deflated .npz), and DIR/run.lt,
                                              a script in which Latent loads each one,
                                              checks it, and saves it back, plus files
                                              of its own
    /usr/bin/python3 npy_numpy.py check DIR   NumPy loads every file Latent wrote and
                                              compares it with what it should hold

npy_numpy.sh runs both around latent-run. Exit 1 (with the reason) on any difference.
"""
import os
import sys

import numpy as np
import numpy.lib.format as fmt

RNG = np.random.RandomState(0)

# name -> (array NumPy writes, how: "npy", "v2", "v3", or ">": big-endian)
SOURCES = {
    "f4": (RNG.randn(3, 4).astype(np.float32), "npy"),
    "f8": (np.array([0.1, -2.5, 1e-30, np.inf, -np.inf, 3.4e38]), "npy"),
    "f2": (np.array([[0.5, -1.5], [65504, 6e-8]], dtype=np.float16), "npy"),
    "i1": (np.array([-128, 0, 127], dtype=np.int8), "npy"),
    "u1": (RNG.randint(0, 256, size=(2, 3, 4)).astype(np.uint8), "npy"),
    "i2": (np.array([-32768, 32767], dtype=np.int16), "npy"),
    "u2": (np.array([0, 65535], dtype=np.uint16), "npy"),
    "i4": (np.array([-16777216, 16777216, 5], dtype=np.int32), "npy"),
    "u4": (np.array([16777216, 0], dtype=np.uint32), "npy"),
    "i8": (np.arange(24, dtype=np.int64).reshape(2, 3, 2, 2) - 12, "npy"),
    "u8": (np.array([7], dtype=np.uint64), "npy"),
    "b1": (np.array([[True, False], [False, True]]), "npy"),
    "scalar": (np.array(2.5, dtype=np.float32), "npy"),
    "empty": (np.zeros((0, 3), dtype=np.float32), "npy"),
    "be4": (np.array([1.5, -2.25], dtype=">f4"), "npy"),
    "be8": (np.array([[1, -2], [3, 4]], dtype=">i8"), "npy"),
    "v2": (np.arange(6, dtype=np.float32).reshape(2, 3), "v2"),
    "v3": (np.arange(6, dtype=np.float64).reshape(3, 2), "v3"),
}


def write(d):
    for name, (a, how) in SOURCES.items():
        path = os.path.join(d, name + ".npy")
        if how in ("v2", "v3"):
            with open(path, "wb") as f:
                fmt.write_array(f, a, version=(int(how[1]), 0))
        else:
            np.save(path, a)
    np.savez(os.path.join(d, "stored.npz"), x=SOURCES["f4"][0], y=SOURCES["i8"][0])
    np.savez_compressed(os.path.join(d, "deflated.npz"), images=SOURCES["u1"][0], mask=SOURCES["b1"][0])
    np.savez(os.path.join(d, "positional.npz"), SOURCES["f8"][0], SOURCES["i1"][0])
    lines = []
    for name in SOURCES:
        # load, and save back as float32 (and as the file's type through an arrays value)
        lines.append(f't = load("{name}.npy")\nsave(t, "out-{name}.npy")\n# %%')
    lines.append('s = load("stored.npz")\nprint(s)\nsave(s, "out-stored.npz")\n# %%')
    lines.append('z = load("deflated.npz")\nprint(z)\nsave(z, "out-deflated.npz", compress=true)\n# %%')
    lines.append('p = load("positional.npz")\nprint(keys(p))\nsave(p, "out-positional.npz")\n# %%')
    # files of Latent's own
    lines.append('save(reshape(arange(12), 3, 4) / 4, "own-f4.npy")\n'
                 'save(reshape(arange(12), 3, 4), "own-i8.npy", dtype="int64")\n'
                 'save(tensor([1, 0, 1]), "own-b1.npy", dtype="bool")\n'
                 'save(tensor([0.1, 1e30]), "own-f8.npy", dtype="float64")\n'
                 'save(tensor([255, 0]), "own-u1.npy", dtype="uint8")\n'
                 'save(3.5, "own-scalar.npy")\n'
                 'save(zeros(2, 1, 3, 2) + 1, "own-4d.npy")\n'
                 'save(arrays(x=ones(2, 2), y=tensor([4, 5])), "own.npz", compress=true)\n'
                 'save(moons(6), "own-moons.npz")\n'
                 'save(dataset(ones(4, 2), reshape(arange(8), 4, 2) / 2), "own-reg.npz")')
    with open(os.path.join(d, "run.lt"), "w") as f:
        f.write("\n".join(lines) + "\n")


def fail(msg):
    print("FAIL:", msg)
    sys.exit(1)


def same(name, got, want, dtype=None):
    if got.shape != want.shape:
        fail(f"{name}: shape {got.shape}, want {want.shape}")
    if dtype is not None and got.dtype != np.dtype(dtype):
        fail(f"{name}: dtype {got.dtype}, want {dtype}")
    if not np.array_equal(got, want, equal_nan=True):
        fail(f"{name}: {got!r} != {want!r}")


def check_header(path):
    with open(path, "rb") as f:
        major, minor = fmt.read_magic(f)
        fmt.read_array_header_1_0(f) if (major, minor) == (1, 0) else fail(f"{path}: version {major}.{minor}")
        if f.tell() % 64:
            fail(f"{path}: data starts at {f.tell()}, not on a 64-byte boundary")


def check(d):
    n = 0
    for name, (a, _) in SOURCES.items():
        path = os.path.join(d, f"out-{name}.npy")
        check_header(path)
        got = np.load(path, allow_pickle=False)
        same(name, got, a.astype(np.float32), np.float32)
        n += 1
    s = np.load(os.path.join(d, "out-stored.npz"), allow_pickle=False)
    if list(s.keys()) != ["x", "y"]:
        fail(f"stored: keys {list(s.keys())}")
    same("stored x", s["x"], SOURCES["f4"][0], np.float32)
    same("stored y", s["y"], SOURCES["i8"][0], np.int64)       # the file's type, kept
    z = np.load(os.path.join(d, "out-deflated.npz"), allow_pickle=False)
    same("deflated images", z["images"], SOURCES["u1"][0], np.uint8)
    same("deflated mask", z["mask"], SOURCES["b1"][0], np.bool_)
    p = np.load(os.path.join(d, "out-positional.npz"), allow_pickle=False)
    # float64 comes back as float64, rounded through float32 on the way
    same("positional 0", p["arr_0"], SOURCES["f8"][0].astype(np.float32).astype(np.float64), np.float64)
    same("positional 1", p["arr_1"], SOURCES["i1"][0], np.int8)
    n += 3
    own = {
        "own-f4.npy": (np.arange(12, dtype=np.float32).reshape(3, 4) / 4, np.float32),
        "own-i8.npy": (np.arange(12).reshape(3, 4), np.int64),
        "own-b1.npy": (np.array([True, False, True]), np.bool_),
        "own-f8.npy": (np.array([0.1, 1e30], dtype=np.float32).astype(np.float64), np.float64),
        "own-u1.npy": (np.array([255, 0]), np.uint8),
        "own-scalar.npy": (np.array(3.5), np.float32),
        "own-4d.npy": (np.ones((2, 1, 3, 2)), np.float32),
    }
    for f, (want, dt) in own.items():
        check_header(os.path.join(d, f))
        same(f, np.load(os.path.join(d, f), allow_pickle=False), want.astype(dt), dt)
        n += 1
    o = np.load(os.path.join(d, "own.npz"), allow_pickle=False)
    same("own.npz x", o["x"], np.ones((2, 2), dtype=np.float32), np.float32)
    same("own.npz y", o["y"], np.array([4, 5], dtype=np.float32), np.float32)
    m = np.load(os.path.join(d, "own-moons.npz"), allow_pickle=False)
    if m["x"].shape != (6, 2) or m["y"].dtype != np.int64 or set(m["y"].tolist()) != {0, 1}:
        fail(f"own-moons.npz: x {m['x'].shape}, y {m['y']!r}")
    r = np.load(os.path.join(d, "own-reg.npz"), allow_pickle=False)
    same("own-reg.npz y", r["y"], np.arange(8, dtype=np.float32).reshape(4, 2) / 2, np.float32)
    n += 3
    print(f"npy_numpy: {n} files checked against NumPy {np.__version__}, 0 failed")


if __name__ == "__main__":
    {"write": write, "check": check}[sys.argv[1]](sys.argv[2])
