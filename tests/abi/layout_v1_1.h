/*
 * tests/abi/layout_v1_1.h - what ABI 1.1 appended, frozen like layout_v1_0.h (whose numbers 1.1
 * leaves intact): shd_host_api.list_servers.
 */
#ifndef SHD_TESTS_LAYOUT_V1_1_H
#define SHD_TESTS_LAYOUT_V1_1_H

#include "layout_v1_0.h"

static_assert(offsetof(shd_host_api, list_servers) == 144, "shd_host_api.list_servers moved");
static_assert(sizeof(((shd_host_api *)0)->list_servers) == 8, "shd_host_api.list_servers changed size");
static_assert(sizeof(shd_host_api) >= 152, "shd_host_api shrank below its 1.1 size");

#endif
