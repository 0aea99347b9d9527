// utf8.hpp: the text conversions the shim needs between Jupyter and the C API.
// Jupyter counts cursor positions in Unicode code points; latent.h counts bytes.
// Every text that leaves the kernel must be valid UTF-8 (the JSON encoder throws
// otherwise), so output from the language passes through utf8_sanitize first.
#ifndef LATENT_SHIM_UTF8_HPP
#define LATENT_SHIM_UTF8_HPP

#include <cstddef>
#include <string>

namespace latent
{
    // Returns s with every ill-formed sequence (stray continuation byte, truncated
    // sequence, overlong form, surrogate, value above U+10FFFF) replaced by U+FFFD.
    // Valid input comes back unchanged.
    std::string utf8_sanitize(const char* s, std::size_t len);
    inline std::string utf8_sanitize(const std::string& s)
    {
        return utf8_sanitize(s.data(), s.size());
    }

    // Returns the length of the longest prefix of s[0, len) that does not end in
    // the middle of a (possibly valid) multi-byte sequence: at most the last 3
    // bytes are held back, so a buffer can be flushed without cutting a character.
    std::size_t utf8_whole_prefix(const char* s, std::size_t len);

    // Byte offset of the code point at index cp in s (clamped to s.size()).
    // A negative cp means the end of s. s must be valid UTF-8.
    std::size_t utf8_byte_offset(const std::string& s, long cp);

    // Number of code points in the first byte_off bytes of s (clamped).
    long utf8_codepoint_index(const std::string& s, std::size_t byte_off);
}

#endif
