// plugins/sync/README.md's options table is the one sync_options.cpp declares.
#include "sync_options.hpp"

#include "../support/options_readme.hpp"

int main(int argc, char **argv) {
    return shd::test::run_options_readme(argc, argv, {{"sync", &shd::sync::sync_option_table()}});
}
