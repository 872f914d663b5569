#include "compile/encode.hpp"

#include <algorithm>

namespace nfqwall::compile {

using front::byte_order;
using front::expr;
using front::expr_kind;
using front::u128;
using front::value_expr;

namespace {

bool is_string(const front::datatype* t) {
    const front::datatype* root = t ? t->root() : nullptr;
    return root != nullptr && root->id == front::type_id::string;
}

// A value's bits as a number, as the evaluator holds it (strings: their first 16 bytes).
void put_number(u128 value, uint32_t bytes, bool little_endian, std::span<uint8_t> out) {
    std::fill(out.begin(), out.end(), 0);
    const uint32_t n = std::min<uint32_t>(bytes, static_cast<uint32_t>(out.size()));
    for (uint32_t i = 0; i < n && i < 16; ++i) {
        const auto byte = static_cast<uint8_t>(value >> (8 * i));
        if (little_endian) {
            out[i] = byte;
        } else {
            out[n - 1 - i] = byte;
        }
    }
}

bool append_part(const expr& e, bool big_endian, bool high, std::vector<uint8_t>& out) {
    const expr* v = &e;
    if (v->is(expr_kind::set_elem)) v = v->as<front::set_elem_expr>().key.get();
    if (v->is(expr_kind::range)) {
        v = high ? v->as<front::range_expr>().right.get() : v->as<front::range_expr>().left.get();
    }
    if (v->is(expr_kind::prefix)) {
        const auto& p = v->as<front::prefix_expr>();
        if (!p.prefix->is(expr_kind::value)) return false;
        const auto& base = p.prefix->as<value_expr>();
        u128 lo = 0, hi = 0;
        if (!front::interval_of(*v, base.len, lo, hi)) return false;
        const size_t at = out.size();
        out.resize(at + padded_bytes(base.len), 0);
        const bool little = !big_endian && base.order == byte_order::host && !is_string(base.dtype);
        put_number(high ? hi : lo, value_bytes(base.len), little, std::span(out).subspan(at, value_bytes(base.len)));
        return true;
    }
    if (!v->is(expr_kind::value)) return false;
    const auto& val = v->as<value_expr>();
    const size_t at = out.size();
    out.resize(at + padded_bytes(val.len), 0);
    auto dst = std::span(out).subspan(at, value_bytes(val.len));
    if (big_endian && !is_string(val.dtype)) {
        put_number(val.value, value_bytes(val.len), false, dst);
    } else {
        encode_value(val, dst);
    }
    return true;
}

bool append_key(const expr& key, bool big_endian, bool high, std::vector<uint8_t>& out) {
    const expr* k = &key;
    if (k->is(expr_kind::mapping)) k = k->as<front::mapping_expr>().left.get();
    if (k->is(expr_kind::set_elem)) k = k->as<front::set_elem_expr>().key.get();
    if (k->is(expr_kind::concat)) {
        for (const auto& part : k->as<front::concat_expr>().items) {
            if (!append_part(*part, big_endian, high, out)) return false;
        }
        return true;
    }
    return append_part(*k, big_endian, high, out);
}

}  // namespace

void encode_integer(u128 value, uint32_t bits, byte_order order, std::span<uint8_t> out) {
    put_number(value, value_bytes(bits), order == byte_order::host, out);
}

void encode_value(const value_expr& v, std::span<uint8_t> out) {
    const uint32_t bytes = value_bytes(v.len);
    if (is_string(v.dtype)) {
        // The characters, NUL-padded to the field (a string constant is left-aligned).
        std::fill(out.begin(), out.end(), 0);
        const std::string text = front::value_string(v);
        std::copy_n(text.begin(), std::min<size_t>({text.size(), bytes, out.size()}), out.begin());
        return;
    }
    put_number(v.value, bytes, v.order == byte_order::host, out);
}

std::vector<uint8_t> encode_value(const value_expr& v) {
    std::vector<uint8_t> out(value_bytes(v.len));
    encode_value(v, out);
    return out;
}

bool encode_key(const expr& key, bool big_endian, std::vector<uint8_t>& out) {
    out.clear();
    return append_key(key, big_endian, false, out);
}

bool interval_bounds(const expr& key, std::vector<uint8_t>& low, std::vector<uint8_t>& high) {
    low.clear();
    high.clear();
    return append_key(key, true, false, low) && append_key(key, true, true, high);
}

}  // namespace nfqwall::compile
