// The FTP helper's parser (net/netfilter/nf_conntrack_ftp.c), apart from the table so that it
// can be tested on its own. Not a public header: expect_table::help() calls it.
#pragma once

#include <cstdint>
#include <span>

#include "conntrack/expect.hpp"

namespace nfqwall::conntrack {

enum class ftp_outcome : uint8_t {
    accept,  // nothing to expect
    expect,  // `exp` holds the data connection's expectation
    drop,    // a command cut short or malformed (the kernel's "partial matching")
};

// One TCP segment's payload in direction `dir` of the control connection `ct` (its two
// tuples), `seq` the segment's sequence number. Parses a command or reply only when `seq`
// is a remembered line start, and remembers seq + length when the payload ends in '\n'
// (except on a drop).
ftp_outcome ftp_parse(std::span<const uint8_t> payload, uint32_t seq, direction dir, const tuple& orig,
                      const tuple& reply, expect_table::ftp_state& st, expectation& exp);

}  // namespace nfqwall::conntrack
