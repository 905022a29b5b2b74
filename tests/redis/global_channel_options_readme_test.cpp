// plugins/global_channel/README.md's options table is the one global_channel_options.hpp declares.
#include "global_channel_options.hpp"

#include "../support/options_readme.hpp"

int main(int argc, char **argv) {
    return shd::test::run_options_readme(argc, argv,
                                         {{"global_channel", &shd::global_channel::global_channel_option_table()}});
}
