// simulate() is a header-only template; this file gives the helper library a translation unit.
#include "testing/simulate.h"
