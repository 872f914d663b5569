// Lexical rules of the nft language (nft(8), "LEXICAL CONVENTIONS"; scanner.l upstream).
//
// nft's scanner is a flex longest-match lexer whose keywords depend on context. In this PEG
// grammar each production names the keywords it expects, and every token rule reproduces the
// lexer's longest match: a keyword only matches when the word under it is exactly that
// keyword (`ip` does not match the start of `ip6` or `ipv6-icmp`), and value words are
// classified the way the lexer would (address, number, time, string...).
#pragma once

#include <cstddef>
#include <string_view>
#include <type_traits>

#include <tao/pegtl.hpp>
#include <tao/pegtl/contrib/analyze_traits.hpp>

namespace nfqwall::grammar {

namespace pegtl = tao::pegtl;
using namespace pegtl;  // NOLINT: grammar files read like the manual with PEGTL's vocabulary

// ---- words as nft's lexer sees them ----

enum class word_class : uint8_t {
    none,
    string,           // [a-zA-Z_.][a-zA-Z0-9/-_.]*
    quoted,           // "..."
    asterisk,         // string* (wildcard interface names)
    decimal,          // [0-9]+
    hex,              // 0x[0-9a-f]+
    ipv4,             // a.b.c.d
    ipv6,             // any IPv6 text form
    ipv6_bracketed,   // [fe80::1]
    mac,              // 6 groups of 1-2 hex digits
    time,             // 1d2h3m4s5ms
    classid,          // 1234:abcd (tc handle)
};

struct word_scan {
    std::size_t len = 0;
    word_class cls = word_class::none;
};

// The longest token at `p`, the way nft's scanner would cut it.
word_scan scan_word(const char* p, const char* end);
// Forgets the last word scanned (scan_word remembers one); call before parsing new text.
void reset_scan_cache();
// Is `w` a keyword anywhere in nft (so it cannot be an identifier or plain symbol)?
bool is_global_keyword(std::string_view w);

inline bool is_string_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '/' || c == '-' ||
           c == '_' || c == '.';
}

// A compile-time string for keyword templates: kw<"table">.
template <std::size_t N>
struct fixed_string {
    char s[N]{};
    constexpr fixed_string(const char (&a)[N]) {  // NOLINT: implicit for kw<"...">
        for (std::size_t i = 0; i < N; ++i) s[i] = a[i];
    }
    constexpr std::string_view view() const { return {s, N - 1}; }
};

// ---- blanks ----

// `#` to the end of the line; the newline itself stays a separator.
struct comment : seq<one<'#'>, star<not_one<'\n'>>> {};
// A backslash at the end of a line joins it with the next one.
struct continuation : seq<one<'\\'>, opt<one<'\r'>>, one<'\n'>> {};
struct blank : sor<one<' ', '\t', '\r'>, continuation, comment> {};
struct sp : star<blank> {};

struct newline : seq<one<'\n'>, sp> {};
struct semicolon : seq<one<';'>, sp> {};
// nft's stmt_separator: a newline or a semicolon.
struct stmt_separator : sor<newline, semicolon> {};
struct opt_newlines : star<newline> {};

// ---- keywords and punctuation ----

// A keyword: exactly this word, then blanks.
template <fixed_string S>
struct kw_word {
    using rule_t = kw_word;
    using subs_t = type_list<>;
    template <typename ParseInput>
    static bool match(ParseInput& in) {
        constexpr std::string_view k = S.view();
        if (in.size(k.size()) < k.size()) return false;
        if (std::string_view(in.current(), k.size()) != k) return false;
        if (in.size(k.size() + 1) > k.size() && is_string_char(in.peek_char(k.size()))) return false;
        in.bump(k.size());
        return true;
    }
};
template <fixed_string S>
struct kw : seq<kw_word<S>, sp> {};

// A unit word that may be glued to punctuation after it (`bytes/second`): only letters,
// digits, '_', '-' and '.' would extend it.
template <fixed_string S>
struct unit_word {
    using rule_t = unit_word;
    using subs_t = type_list<>;
    template <typename ParseInput>
    static bool match(ParseInput& in) {
        constexpr std::string_view k = S.view();
        if (in.size(k.size()) < k.size()) return false;
        if (std::string_view(in.current(), k.size()) != k) return false;
        if (in.size(k.size() + 1) > k.size()) {
            const char c = in.peek_char(k.size());
            if (c != '/' && is_string_char(c)) return false;
        }
        in.bump(k.size());
        return true;
    }
};

// Punctuation: the characters, then blanks.
template <char... C>
struct punct : seq<string<C...>, sp> {};

struct lbrace : punct<'{'> {};
struct rbrace : punct<'}'> {};
struct lparen : punct<'('> {};
struct rparen : punct<')'> {};
struct lbracket : punct<'['> {};
struct rbracket : punct<']'> {};
struct comma : punct<','> {};
struct colon : seq<one<':'>, sp> {};
struct equals_sign : seq<one<'='>, not_at<one<'='>>, sp> {};
struct dollar : one<'$'> {};
struct at_sign : one<'@'> {};
struct slash : punct<'/'> {};
struct dash : punct<'-'> {};
struct plus_sign : punct<'+'> {};
struct asterisk : seq<one<'*'>, sp> {};
// `.` between concatenated expressions must stand alone (`a.b` is one word).
struct dot : seq<one<'.'>, not_at<ranges<'a', 'z', 'A', 'Z', '0', '9'>>, sp> {};

// ---- value words ----

// A whole word of the given classes, then blanks.
template <word_class... C>
struct word_of {
    using rule_t = word_of;
    using subs_t = type_list<>;
    template <typename ParseInput>
    static bool match(ParseInput& in) {
        const word_scan w = scan_word(in.current(), in.end());
        if (w.len == 0) return false;
        if (!((w.cls == C) || ...)) return false;
        in.bump(w.len);
        return true;
    }
};

// A plain word that is not a keyword (nft's STRING token, minus keywords).
struct string_word {
    using rule_t = string_word;
    using subs_t = type_list<>;
    template <typename ParseInput>
    static bool match(ParseInput& in) {
        const word_scan w = scan_word(in.current(), in.end());
        if (w.len == 0 || w.cls != word_class::string) return false;
        if (is_global_keyword(std::string_view(in.current(), w.len))) return false;
        in.bump(w.len);
        return true;
    }
};

// NUM: a decimal or hex number that fits 64 bits.
struct number_word {
    using rule_t = number_word;
    using subs_t = type_list<>;
    template <typename ParseInput>
    static bool match(ParseInput& in) {
        const word_scan w = scan_word(in.current(), in.end());
        if (w.len == 0 || (w.cls != word_class::decimal && w.cls != word_class::hex)) return false;
        if (!fits_u64(std::string_view(in.current(), w.len), w.cls)) return false;
        in.bump(w.len);
        return true;
    }
    static bool fits_u64(std::string_view text, word_class cls);
};

// Any value word nft's lexer returns as STRING (addresses, times, classids, plain words
// that are not keywords) or QUOTED_STRING / ASTERISK_STRING, and numbers too large for NUM.
struct value_word {
    using rule_t = value_word;
    using subs_t = type_list<>;
    template <typename ParseInput>
    static bool match(ParseInput& in) {
        const word_scan w = scan_word(in.current(), in.end());
        if (w.len == 0) return false;
        const std::string_view text(in.current(), w.len);
        switch (w.cls) {
        case word_class::string:
            if (is_global_keyword(text)) return false;
            break;
        case word_class::decimal:
        case word_class::hex:
            if (number_word::fits_u64(text, w.cls)) return false;  // that is a NUM
            break;
        case word_class::none:
            return false;
        default:
            break;
        }
        in.bump(w.len);
        return true;
    }
};

struct number : seq<number_word, sp> {};
struct plain_word : seq<string_word, sp> {};
struct identifier_word : sor<string_word, kw_word<"last">> {};
struct identifier : seq<identifier_word, sp> {};
struct quoted_string : seq<word_of<word_class::quoted>, sp> {};
// nft's `string`: STRING | QUOTED_STRING | ASTERISK_STRING.
struct string_token : seq<sor<string_word, word_of<word_class::quoted, word_class::asterisk>>, sp> {};
// A time like 30s, 1h, 2d3h (also a plain number where nft accepts one).
struct time_word : seq<sor<word_of<word_class::time>, string_word>, sp> {};

}  // namespace nfqwall::grammar

namespace tao::pegtl {
// The custom token rules consume input and never loop: tell the grammar analyser so.
template <typename Name, nfqwall::grammar::fixed_string S>
struct analyze_traits<Name, nfqwall::grammar::kw_word<S>> : analyze_any_traits<> {};
template <typename Name, nfqwall::grammar::fixed_string S>
struct analyze_traits<Name, nfqwall::grammar::unit_word<S>> : analyze_any_traits<> {};
template <typename Name, nfqwall::grammar::word_class... C>
struct analyze_traits<Name, nfqwall::grammar::word_of<C...>> : analyze_any_traits<> {};
template <typename Name>
struct analyze_traits<Name, nfqwall::grammar::string_word> : analyze_any_traits<> {};
template <typename Name>
struct analyze_traits<Name, nfqwall::grammar::number_word> : analyze_any_traits<> {};
template <typename Name>
struct analyze_traits<Name, nfqwall::grammar::value_word> : analyze_any_traits<> {};
}  // namespace tao::pegtl
