// plugins/server/README.md's options tables are the ones server_options.cpp declares.
#include "server_options.hpp"

#include "../support/options_readme.hpp"

int main(int argc, char **argv) {
    return shd::test::run_options_readme(argc, argv,
                                         {{"server", &shd::server::server_option_table()},
                                          {"builtin filters", &shd::server::builtin_filters_doc_table()}});
}
