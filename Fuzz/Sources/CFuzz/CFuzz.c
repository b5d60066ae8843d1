// The declaration in include/CFuzz.h is all this target provides; libFuzzer defines the function.
#include "CFuzz.h"
