/* wine 8 lacks ProcessPrng, which Rust's std on Windows calls for random bytes; forwarding it
 * to SystemFunction036 (RtlGenRandom) lets the Windows build start under wine for CI. */
#include <windows.h>
BOOLEAN WINAPI SystemFunction036(PVOID, ULONG);
__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE p, SIZE_T n) { return SystemFunction036(p, (ULONG)n); }
