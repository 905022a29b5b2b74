// plugins/cluster/README.md's options table is the one cluster_options.hpp declares.
#include "cluster_options.hpp"

#include "../support/options_readme.hpp"

int main(int argc, char **argv) {
    return shd::test::run_options_readme(argc, argv, {{"cluster", &shd::cluster::cluster_option_table()}});
}
