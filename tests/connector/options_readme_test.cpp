// plugins/connector/README.md's options table is the one connector_option_table() declares.
#include "connector_options.hpp"

#include "../support/options_readme.hpp"

int main(int argc, char **argv) {
    return shd::test::run_options_readme(argc, argv, {{"connector", &shd::connector::connector_option_table()}});
}
