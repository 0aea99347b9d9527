# arm64.cmake: CMake toolchain for the arm64 cross build of the qemu stage (tests/qemu/
# stage.sh): Debian's cross compiler (crossbuild-essential-arm64) and the arm64 libraries
# installed beside the host's (dpkg multiarch: libopenblas-dev:arm64, libcairo2-dev:arm64,
# libpng-dev:arm64, zlib1g-dev:arm64); ctest runs the test programs under qemu-aarch64.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
set(CMAKE_LIBRARY_ARCHITECTURE aarch64-linux-gnu)
# libraries and headers: the arm64 ones only (multiarch dirs below /usr)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE BOTH)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
set(ENV{PKG_CONFIG_LIBDIR} /usr/lib/aarch64-linux-gnu/pkgconfig:/usr/share/pkgconfig)
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-aarch64)
