// plugins/static_web/README.md's options table is the one static_web_options.hpp declares.
#include "static_web_options.hpp"

#include "../support/options_readme.hpp"

int main(int argc, char **argv) {
    return shd::test::run_options_readme(argc, argv, {{"static_web", &shd::web::static_web_option_table()}});
}
