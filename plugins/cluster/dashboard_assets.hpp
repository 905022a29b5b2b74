// The dashboard's files (plugins/cluster/dashboard/), compiled into the plugin by
// dashboard/embed.cmake: the master serves them itself, no file is read at run time.
#pragma once

#include <cstddef>

namespace shd::cluster {

struct DashboardAsset {
    const char *path;          // "/index.html", "/dashboard.js", ...
    const char *content_type;  // with its charset
    const unsigned char *data;
    size_t size;
};

extern const DashboardAsset kDashboardAssets[];
extern const size_t kDashboardAssetCount;

}  // namespace shd::cluster
