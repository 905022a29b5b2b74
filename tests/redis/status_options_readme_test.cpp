// plugins/status/README.md's options table is the one status_options.hpp declares.
#include "status_options.hpp"

#include "../support/options_readme.hpp"

int main(int argc, char **argv) {
    return shd::test::run_options_readme(argc, argv, {{"status", &shd::status::status_option_table()}});
}
