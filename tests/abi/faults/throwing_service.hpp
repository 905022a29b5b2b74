// The test service "test.throwing/1" shared by the fault plugins throwing_service (its provider, whose
// entries throw) and service_caller (which calls them and reports what came back).
#pragma once

#include <shaddock/abi.h>

#define SHD_TEST_THROWING_SERVICE_ID "test.throwing/1"

// How an entry's body behaves.
#define SHD_TEST_RETURN 0          // no exception: answers SHD_OK (completes its callback once)
#define SHD_TEST_THROW 1           // throws a std::runtime_error before completing anything
#define SHD_TEST_COMPLETE_THROW 2  // completes its callback with SHD_OK, then throws
#define SHD_TEST_KEEP_THROW 3      // keeps the callback (to complete it 20 ms later), then throws
#define SHD_TEST_THROW_INT 4       // throws an int (not a std::exception)
#define SHD_TEST_OUT_OF_MEMORY 5   // throws std::bad_alloc

typedef struct shd_test_throwing_v1 {
    uint32_t struct_size;
    uint16_t abi_major;
    uint16_t abi_minor;
    shd_status(SHD_CALL *status_entry)(void *sctx, int32_t behaviour);
    int32_t(SHD_CALL *flag_entry)(void *sctx, int32_t behaviour);  // 1 when it returns normally
    void(SHD_CALL *async_entry)(void *sctx, int32_t behaviour,
                                void(SHD_CALL *done)(void *ud, shd_status status, shd_str message), void *ud);
} shd_test_throwing_v1;
