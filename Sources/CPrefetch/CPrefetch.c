// The target's one function is inline, in include/CPrefetch.h; SwiftPM wants a source file.
#include "CPrefetch.h"
