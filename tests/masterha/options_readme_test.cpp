// plugins/masterha/README.md's options table is the one masterha_options.hpp declares.
#include "masterha_options.hpp"

#include "../support/options_readme.hpp"

int main(int argc, char **argv) {
    return shd::test::run_options_readme(argc, argv, {{"masterha", &shd::masterha::masterha_option_table()}});
}
