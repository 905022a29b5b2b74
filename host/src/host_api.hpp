// Fills a module's shd_host_api table: the C functions plugins and apps call.
#pragma once

#include "server_runtime.hpp"

namespace shd::host {

void fill_host_api(shd_host_ctx &ctx);

}  // namespace shd::host
