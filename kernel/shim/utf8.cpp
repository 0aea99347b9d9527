// utf8.cpp: UTF-8 validation, repair and code point <-> byte offset conversion.
#include "utf8.hpp"

namespace latent
{
    namespace
    {
        const char replacement[] = "\xEF\xBF\xBD"; // U+FFFD

        // Length of the well-formed sequence starting at s[i], or 0 if ill-formed.
        // Follows the table of well-formed byte sequences in Unicode 15, section 3.9.
        std::size_t valid_sequence(const unsigned char* s, std::size_t i, std::size_t len)
        {
            unsigned char c = s[i];
            if (c < 0x80)
                return 1;
            std::size_t n;
            unsigned char lo = 0x80, hi = 0xBF;
            if (c >= 0xC2 && c <= 0xDF)
                n = 2;
            else if (c >= 0xE0 && c <= 0xEF)
            {
                n = 3;
                if (c == 0xE0)
                    lo = 0xA0;
                else if (c == 0xED)
                    hi = 0x9F;
            }
            else if (c >= 0xF0 && c <= 0xF4)
            {
                n = 4;
                if (c == 0xF0)
                    lo = 0x90;
                else if (c == 0xF4)
                    hi = 0x8F;
            }
            else
                return 0;
            if (i + n > len)
                return 0;
            if (s[i + 1] < lo || s[i + 1] > hi)
                return 0;
            for (std::size_t k = 2; k < n; ++k)
            {
                if (s[i + k] < 0x80 || s[i + k] > 0xBF)
                    return 0;
            }
            return n;
        }

        bool is_continuation(unsigned char c)
        {
            return (c & 0xC0) == 0x80;
        }
    }

    std::string utf8_sanitize(const char* s, std::size_t len)
    {
        const unsigned char* u = reinterpret_cast<const unsigned char*>(s);
        std::string out;
        out.reserve(len);
        std::size_t i = 0;
        while (i < len)
        {
            std::size_t n = valid_sequence(u, i, len);
            if (n > 0)
            {
                out.append(s + i, n);
                i += n;
            }
            else
            {
                out.append(replacement, 3); // one U+FFFD per byte that starts no valid sequence
                ++i;
            }
        }
        return out;
    }

    std::size_t utf8_whole_prefix(const char* s, std::size_t len)
    {
        const unsigned char* u = reinterpret_cast<const unsigned char*>(s);
        // look back at most 3 bytes for a lead byte whose sequence runs past the end
        for (std::size_t back = 1; back <= 3 && back <= len; ++back)
        {
            unsigned char c = u[len - back];
            if (is_continuation(c))
                continue;
            std::size_t need = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
            return need > back ? len - back : len;
        }
        return len;
    }

    std::size_t utf8_byte_offset(const std::string& s, long cp)
    {
        if (cp < 0)
            return s.size();
        std::size_t i = 0;
        for (long k = 0; k < cp && i < s.size(); ++k)
        {
            ++i;
            while (i < s.size() && is_continuation(static_cast<unsigned char>(s[i])))
                ++i;
        }
        return i;
    }

    long utf8_codepoint_index(const std::string& s, std::size_t byte_off)
    {
        if (byte_off > s.size())
            byte_off = s.size();
        long n = 0;
        for (std::size_t i = 0; i < byte_off; ++i)
        {
            if (!is_continuation(static_cast<unsigned char>(s[i])))
                ++n;
        }
        return n;
    }
}
