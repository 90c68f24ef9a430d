#include "config.h"
#include "tap.h"
TEST(placeholder) { ASSERT(1); }
int main(void) { RUN(placeholder); return tap_done(); }
