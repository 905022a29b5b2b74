/*
 * tests/abi/layout_v1_2.h - what ABI 1.2 appended, frozen like layout_v1_0.h and layout_v1_1.h (whose
 * numbers 1.2 leaves intact). abi.h's own structs gained nothing in 1.2; the release froze service
 * tables (their whole layout is in the 1.2 abidiff baseline, sdk/abi/baseline/shd_abi_v1_2.abi), and
 * one of them grew by an appended member: shd_channel_service_v1.push_to_frontend.
 */
#ifndef SHD_TESTS_LAYOUT_V1_2_H
#define SHD_TESTS_LAYOUT_V1_2_H

#include "layout_v1_1.h"

#include <shaddock/ext/channel.h>

static_assert(offsetof(shd_channel_service_v1, push_to_frontend) == 96,
              "shd_channel_service_v1.push_to_frontend moved");
static_assert(sizeof(((shd_channel_service_v1 *)0)->push_to_frontend) == 8,
              "shd_channel_service_v1.push_to_frontend changed size");
static_assert(sizeof(shd_channel_service_v1) >= 104, "shd_channel_service_v1 shrank below its 1.2 size");
/* What 1.1 released of the table stays where it was: broadcast, its last member then. */
static_assert(offsetof(shd_channel_service_v1, broadcast) == 88, "shd_channel_service_v1.broadcast moved");

#endif
