// Counts heap allocations made by the current thread while a scope is open, for tests that
// prove a path allocates nothing. The counting operator new replacements live in
// allocation_counter.cpp and forward to malloc; outside a scope they only forward.
#pragma once

#include <cstddef>

namespace nfqwall::testing {

class allocation_scope {
public:
    allocation_scope();
    ~allocation_scope();
    allocation_scope(const allocation_scope&) = delete;
    allocation_scope& operator=(const allocation_scope&) = delete;

    // Allocations (operator new of any form) since the scope opened.
    size_t count() const;

private:
    size_t start_;
    bool outer_active_;
};

}  // namespace nfqwall::testing
