// A value or the diagnostics explaining why there is none: the front end's error values
// (std::expected is C++23; this is the small part of it nfqwall needs).
#pragma once

#include <cassert>
#include <optional>
#include <utility>
#include <variant>

#include "nfqwall/diagnostic.hpp"

namespace nfqwall {

struct failure {
    diagnostics errors;
};

inline failure fail(diagnostic d) { return failure{{std::move(d)}}; }
inline failure fail(diagnostics ds) { return failure{std::move(ds)}; }
inline failure fail(location loc, std::string message) {
    return failure{{make_error(loc, std::move(message))}};
}

template <class T>
class [[nodiscard]] result {
public:
    result(T value) : state_(std::move(value)) {}  // NOLINT: implicit on purpose
    result(failure f) : state_(std::move(f)) {}    // NOLINT

    bool ok() const { return state_.index() == 0; }
    explicit operator bool() const { return ok(); }

    T& value() & { assert(ok()); return std::get<0>(state_); }
    const T& value() const& { assert(ok()); return std::get<0>(state_); }
    T&& value() && { assert(ok()); return std::get<0>(std::move(state_)); }
    T& operator*() & { return value(); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }

    const diagnostics& errors() const { assert(!ok()); return std::get<1>(state_).errors; }
    failure take_failure() && { assert(!ok()); return std::get<1>(std::move(state_)); }

private:
    std::variant<T, failure> state_;
};

template <>
class [[nodiscard]] result<void> {
public:
    result() = default;
    result(failure f) : failure_(std::move(f)) {}  // NOLINT

    bool ok() const { return !failure_.has_value(); }
    explicit operator bool() const { return ok(); }
    const diagnostics& errors() const { assert(!ok()); return failure_->errors; }
    failure take_failure() && { assert(!ok()); return std::move(*failure_); }

private:
    std::optional<failure> failure_;
};

}  // namespace nfqwall
