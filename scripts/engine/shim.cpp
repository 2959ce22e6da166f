// The parquet extension is compiled with Debian's emscripten (libc++ 14); DuckDB-WASM 1.32's main
// module was linked against libc++ 18 and does not export these two libc++ 14 template helpers,
// so the side module carries its own instances.
#include <cstdlib>
#include <string>
#include <vector>
template class std::__basic_string_common<true>;
template class std::__vector_base_common<true>;

// Parquet encryption's AES state is constructed through mbedtls, which the main module does not
// export. Encrypted Parquet is unsupported: reaching this aborts the query instead of linking fail.
extern "C" void quantiv_aes_unsupported(void *, int, unsigned long long) __asm__(
    "_ZN14duckdb_mbedtls14MbedTlsWrapper15AESStateMBEDTLSC1EN6duckdb15EncryptionTypes10CipherTypeEy");
extern "C" void quantiv_aes_unsupported(void *, int, unsigned long long) { abort(); }
