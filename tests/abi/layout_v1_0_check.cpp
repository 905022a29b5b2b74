// Compiles layout_v1_0.h and the tables of later minors as C++17: their static_asserts fail the
// build if a released layout moved.
#include "layout_v1_0.h"
#include "layout_v1_1.h"
#include "layout_v1_2.h"
