// plugins/rpc_nats/README.md's options table is the one nats_options.cpp declares.
#include "nats_options.hpp"

#include "../support/options_readme.hpp"

int main(int argc, char **argv) {
    return shd::test::run_options_readme(argc, argv, {{"rpc_nats", &shd::rpc::nats::rpc_nats_option_table()}});
}
