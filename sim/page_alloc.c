/* page_alloc.c - being written */
#include "config.h"
#include "kmsim.h"

