// Placeholder; the tests follow in the next commits.
#include "gtest/gtest.h"
