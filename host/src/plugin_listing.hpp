// `shaddock-host --list-plugins DIR`: describes every library in a folder without running its code.
#pragma once

#include <ostream>
#include <string>

namespace shd::host {

// Prints one block per .so file; returns the number of libraries that cannot be loaded.
int list_plugins(const std::string &dir, std::ostream &out);

}  // namespace shd::host
