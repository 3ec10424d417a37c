# Sourced, not run: points cargo at the Windows cross toolchain that
# ci/toolchain-windows.sh installed, for ci/build-windows.sh and
# ci/test-windows.sh. Sets WIN_TRIPLE, WIN_CARGO and WIN_BUILD_STD.
#   source ci/windows-env.sh
#   "$WIN_CARGO" build --release --target "$WIN_TRIPLE" "${WIN_BUILD_STD[@]}"
WIN_TRIPLE=x86_64-pc-windows-gnu
WIN_TC="$PWD/.cache/windows-toolchain/rust"
# The toolchain's own cargo and rustc, not rustup's proxies: nothing is
# registered with rustup, and the sysroot with the std sources is this one.
WIN_CARGO="$WIN_TC/bin/cargo"
export RUSTC="$WIN_TC/bin/rustc"
export RUSTDOC="$WIN_TC/bin/rustdoc"
export PATH="$WIN_TC/bin:$PATH"
export CARGO_TARGET_X86_64_PC_WINDOWS_GNU_LINKER=x86_64-w64-mingw32-gcc
export CC_x86_64_pc_windows_gnu=x86_64-w64-mingw32-gcc
export AR_x86_64_pc_windows_gnu=x86_64-w64-mingw32-ar
# crt-static asks for the C runtime pieces (libgcc's unwinder, winpthread)
# to be linked in, so the DLL needs no MinGW runtime DLL beside it. With
# Debian's default MinGW gcc (win32 thread model) the DLL imports the same
# system DLLs without it (measured); it keeps that true on a set-up whose
# gcc would link those as DLLs. ci/check-windows-dll.sh checks it either way.
export CARGO_TARGET_X86_64_PC_WINDOWS_GNU_RUSTFLAGS="-C target-feature=+crt-static"
WIN_BUILD_STD=(-Z build-std=std,panic_unwind)
