// The front end's entry point: an nft ruleset held in memory, changed by nft commands the way
// `nft -f` changes the kernel's, and listed back the way `nft list ruleset` prints it.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "nfqwall/result.hpp"

namespace nfqwall {

namespace front {
struct ruleset;
}

// How listings are printed; the defaults are nft's defaults.
struct list_options {
    bool numeric_proto = false;  // nft -p: protocols as numbers (`meta l4proto 6`)
    bool stateless = false;      // nft -s: no counter/quota values
    bool handles = false;        // nft -a: `# handle N` comments
};

class ruleset_session {
public:
    ruleset_session();
    ~ruleset_session();
    ruleset_session(ruleset_session&&) noexcept;
    ruleset_session& operator=(ruleset_session&&) noexcept;

    // Parses, checks and applies every command of a ruleset file (with its includes) as one
    // transaction: on any error nothing changes and every error found is returned.
    result<void> run_file(const std::string& path);
    // The same for text given directly; `name` is what error messages call it.
    result<void> run_text(std::string_view text, std::string name = "<cmdline>");

    // `nft list ruleset`.
    std::string list_ruleset(const list_options& options = {}) const;
    // `nft -j list ruleset`: {"nftables": [...]}.
    std::string list_json(const list_options& options = {}) const;
    // The text of each rule of one chain as the listing prints it (for conformance tests).
    // family is "ip", "ip6", "inet", "arp", "bridge" or "netdev".
    std::vector<std::string> list_rules(std::string_view family, std::string_view table,
                                        std::string_view chain,
                                        const list_options& options = {}) const;

    const front::ruleset& state() const;

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

}  // namespace nfqwall
