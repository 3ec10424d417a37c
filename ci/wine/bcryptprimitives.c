/* bcryptprimitives.dll for Wine 8, which has none.
 *
 * Rust's std (1.78 and newer) takes its random bytes, e.g. HashMap's keys,
 * from ProcessPrng in bcryptprimitives.dll, which every Windows 10 has. Wine
 * 8.0 lacks the DLL, so every Rust test binary fails to start. This one
 * exports ProcessPrng on top of advapi32's RtlGenRandom (SystemFunction036),
 * which Wine has. Test-only: it goes into the Wine prefix, never into the
 * addon.
 */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

/* Documented to always return TRUE; a failure here is one of Wine's. */
__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length)
{
    while (length > 0) {
        ULONG chunk = length > 0x40000000 ? 0x40000000 : (ULONG)length;
        if (!SystemFunction036(data, chunk))
            return FALSE;
        data += chunk;
        length -= chunk;
    }
    return TRUE;
}
