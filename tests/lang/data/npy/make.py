# make.py: writes the .npy/.npz fixtures of tests/unit/test_npy.c and tests/lang/npy.lt with NumPy
# (Debian's python3-numpy: /usr/bin/python3 make.py, from this folder). The files are
# committed, so the unit test needs no Python; tests/npy/interop.sh checks the live
# round trip against the NumPy installed.
import numpy as np
import numpy.lib.format as fmt

a = np.arange(6, dtype=np.float32).reshape(2, 3) / 4 - 0.5      # -0.5 .. 0.75
np.save("f4.npy", a)
np.save("f8.npy", np.array([0.1, -2.5, 1e-300, np.inf, -np.inf, np.nan]))
np.save("f2.npy", np.array([0.5, -1.5, 65504, 6e-8], dtype=np.float16))
np.save("i8be.npy", np.array([[1, -2], [16777216, -16777216]], dtype=">i8"))
np.save("i8big.npy", np.array([3, 16777217], dtype=np.int64))
np.save("u1.npy", np.array([[0, 255], [7, 128]], dtype=np.uint8))
np.save("i2.npy", np.array([-32768, 32767], dtype=np.int16))
np.save("b1.npy", np.array([True, False, True]))
np.save("scalar.npy", np.float32(2.5))
np.save("empty.npy", np.zeros((0, 3), dtype=np.float32))
np.save("c8.npy", np.array([1 + 2j], dtype=np.complex64))
np.save("u8str.npy", np.array(["ab", "c"]))
np.save("fortran.npy", np.asfortranarray(a))
np.save("five.npy", np.zeros((1, 1, 1, 1, 2), dtype=np.float32))
with open("v2.npy", "wb") as f:
    fmt.write_array(f, a, version=(2, 0))
with open("v3.npy", "wb") as f:
    fmt.write_array(f, a, version=(3, 0))
np.savez("stored.npz", x=a, y=np.array([1, 0, 2], dtype=np.int64))
np.savez_compressed("deflated.npz", x=a, labels=np.array([3, 1, 4, 1, 5], dtype=np.uint8))
np.savez("positional.npz", a, np.array([1.5], dtype=np.float64))
