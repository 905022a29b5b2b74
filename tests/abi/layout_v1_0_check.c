/* Compiles layout_v1_0.h as C11: its static_asserts fail the build if an ABI 1.0 layout moved. */
#include "layout_v1_0.h"
#include "layout_v1_1.h"
