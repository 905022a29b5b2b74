// plugins/rpc/README.md's options tables are the ones rpc_options.cpp and rpc_filters.cpp declare.
#include "rpc_filters.hpp"
#include "rpc_options.hpp"

#include "../support/options_readme.hpp"

int main(int argc, char **argv) {
    return shd::test::run_options_readme(
        argc, argv, {{"rpc", &shd::rpc::rpc_option_table()}, {"rpc filters", &shd::rpc::rpc_filters_doc_table()}});
}
